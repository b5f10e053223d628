/**
 * For the HTTP API's tests: a real Store in a temp dir behind the query router and the tail
 * upgrade handler on a 127.0.0.1 ephemeral port, with the tenancy rule of `lode serve`
 * (`X-Scope-OrgID`, else `fake`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Koa from 'koa';
import { DEFAULT_LIMITS, Store, type Limits, type StreamPush } from '@lode/store';
import type { QueryApiOptions } from './context.js';
import { queryRouter } from './router.js';
import { attachTail } from './tail.js';

export interface TestServer {
  url: string;
  store: Store;
  server: Server;
  push(tenant: string, streams: StreamPush[]): Promise<void>;
  close(): Promise<void>;
}

export async function startTestServer(limits: Partial<Limits> = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'lode-'));
  const store = await Store.open({ dir, durability: 'none' });
  const opts: QueryApiOptions = {
    store,
    limits: () => ({ ...DEFAULT_LIMITS, ...limits }),
    resolveTenant: (headers) => {
      const h = headers['x-scope-orgid'];
      const tenant = (Array.isArray(h) ? h[0] : h) ?? 'fake';
      return tenant === 'forbidden' ? { ok: false, status: 401, message: 'no org id' } : { ok: true, tenant };
    },
    version: '0.0.0-test',
  };
  const app = new Koa();
  const router = queryRouter(opts);
  app.use(router.routes()).use(router.allowedMethods());
  const server = createServer(app.callback());
  const tail = attachTail(server, opts);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    store,
    server,
    async push(tenant, streams) {
      const r = await store.append(tenant, streams);
      if (r.rejected.length) throw new Error(`push rejected: ${JSON.stringify(r.rejected)}`);
    },
    async close() {
      tail.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
