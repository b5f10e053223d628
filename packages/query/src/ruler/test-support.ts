/**
 * Test fixtures shared by the ruler's tests: a real store in a temp dir, a ruler mounted on a
 * Koa server bound to 127.0.0.1, tenants from `X-Scope-OrgID` (multi-tenant mode).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Koa from 'koa';
import { Registry } from 'prom-client';
import { DEFAULT_LIMITS, Store } from '@lode/store';
import type { TenantResolver } from '../http/context.js';
import { createRuler, type Ruler, type RulerOptions } from './ruler.js';

export const resolveTenant: TenantResolver = (headers) => {
  const t = headers['x-scope-orgid'];
  const tenant = Array.isArray(t) ? t[0] : t;
  return tenant ? { ok: true, tenant } : { ok: false, status: 401, message: 'no org id' };
};

export interface Harness {
  dir: string;
  store: Store;
  ruler: Ruler;
  registry: Registry;
  url: string;
  close(): Promise<void>;
  /** Stops the ruler and server but keeps the directory (restart tests). */
  shutdown(): Promise<void>;
}

export async function startHarness(extra: Partial<RulerOptions> = {}, dir = mkdtempSync(join(tmpdir(), 'lode-'))): Promise<Harness> {
  const store = await Store.open({ dir: join(dir, 'store'), durability: 'none' });
  const registry = new Registry();
  const ruler = createRuler({ store, limits: () => DEFAULT_LIMITS, dataDir: dir, registry, resolveTenant, ...extra });
  await ruler.start();
  const app = new Koa();
  app.use(ruler.router.routes());
  const server: Server = createServer(app.callback());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const shutdown = async (): Promise<void> => {
    await ruler.stop();
    await new Promise((r) => server.close(r));
    await store.close();
  };
  return {
    dir,
    store,
    ruler,
    registry,
    url,
    shutdown,
    async close() {
      await shutdown();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function req(url: string, tenant: string | undefined, method = 'GET', body?: string): Promise<{ status: number; text: string; type: string }> {
  const headers: Record<string, string> = { 'content-type': 'application/yaml' };
  if (tenant) headers['x-scope-orgid'] = tenant;
  const res = await fetch(url, { method, headers, body });
  return { status: res.status, text: await res.text(), type: res.headers.get('content-type') ?? '' };
}
