/**
 * Loki's (Cortex's) ruler configuration API: YAML in and out, per tenant, under
 * `/loki/api/v1/rules` and `/api/prom/rules`. Status codes and texts as Loki's
 * `pkg/ruler/base/api.go`: 202 + JSON on changes, 404 `no rule groups found` /
 * `group does not exist` / `group namespace does not exist`, 400 on a bad group.
 */
import type Router from '@koa/router';
import type { Context } from 'koa';
import { parse as parseYaml } from 'yaml';
import type { TenantResolver } from '../http/context.js';
import { decodeGroup, encodeGroup, RuleFormatError, validateGroup } from './rulefmt.js';
import { GroupNotFoundError, NamespaceNotFoundError, toYaml, type RuleStore } from './rule-store.js';

const MAX_BODY_BYTES = 1024 * 1024;

export interface ConfigApiOptions {
  rules: RuleStore;
  resolveTenant: TenantResolver;
  /** Called after a tenant's rules changed, to restart its evaluation. */
  onChange: (tenant: string) => void;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function tenantOf(ctx: Context, opts: ConfigApiOptions, access: 'read' | 'admin'): string {
  const r = opts.resolveTenant(ctx.headers, access);
  if (!r.ok) throw new HttpError(r.status, r.message);
  return r.tenant;
}

function sendYaml(ctx: Context, value: unknown): void {
  ctx.status = 200;
  ctx.type = 'application/yaml';
  ctx.body = toYaml(value);
}

function accepted(ctx: Context): void {
  ctx.status = 202;
  ctx.type = 'application/json';
  ctx.body = JSON.stringify({ status: 'success', data: null, errorType: '', error: '' });
}

async function readBody(ctx: Context): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'rule group too large: send at most 1 MiB');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function param(ctx: Context, name: string): string {
  const v = (ctx['params'] as Record<string, string | undefined>)[name];
  if (v === undefined || v === '') throw new HttpError(400, `${name} is required in the path`);
  return v;
}

async function handle(ctx: Context, fn: () => Promise<void> | void): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof HttpError || err instanceof GroupNotFoundError || err instanceof NamespaceNotFoundError || err instanceof RuleFormatError) {
      const status = err instanceof HttpError ? err.status : err instanceof RuleFormatError ? 400 : 404;
      ctx.status = status;
      ctx.type = 'text/plain';
      ctx.body = err.message + '\n';
      return;
    }
    throw err;
  }
}

/** Mounts the config API under one prefix (`/loki/api/v1/rules` or `/api/prom/rules`). */
export function mountConfigApi(router: Router, prefix: string, opts: ConfigApiOptions): void {
  const { rules } = opts;

  router.get(prefix, (ctx) =>
    handle(ctx, () => {
      const all = rules.list(tenantOf(ctx, opts, 'read'));
      if (all.size === 0) throw new HttpError(404, 'no rule groups found');
      sendYaml(ctx, Object.fromEntries([...all].map(([ns, groups]) => [ns, groups.map(encodeGroup)])));
    }),
  );

  router.get(`${prefix}/:namespace`, (ctx) =>
    handle(ctx, () => {
      const ns = param(ctx, 'namespace');
      const groups = rules.namespace(tenantOf(ctx, opts, 'read'), ns);
      if (!groups || groups.length === 0) throw new HttpError(404, 'no rule groups found');
      sendYaml(ctx, { [ns]: groups.map(encodeGroup) });
    }),
  );

  router.get(`${prefix}/:namespace/:group`, (ctx) =>
    handle(ctx, () => {
      const tenant = tenantOf(ctx, opts, 'read');
      sendYaml(ctx, encodeGroup(rules.group(tenant, param(ctx, 'namespace'), param(ctx, 'group'))));
    }),
  );

  router.post(`${prefix}/:namespace`, (ctx) =>
    handle(ctx, async () => {
      const tenant = tenantOf(ctx, opts, 'admin');
      const ns = param(ctx, 'namespace');
      const text = await readBody(ctx);
      let raw: unknown;
      try {
        raw = parseYaml(text);
      } catch (err) {
        throw new HttpError(400, `unable to decoded rule group: ${(err as Error).message}`);
      }
      let group;
      try {
        group = decodeGroup(raw);
        validateGroup(group);
      } catch (err) {
        if (err instanceof RuleFormatError) throw new HttpError(400, err.message);
        throw err;
      }
      rules.setGroup(tenant, ns, group);
      opts.onChange(tenant);
      accepted(ctx);
    }),
  );

  router.delete(`${prefix}/:namespace`, (ctx) =>
    handle(ctx, () => {
      const tenant = tenantOf(ctx, opts, 'admin');
      rules.deleteNamespace(tenant, param(ctx, 'namespace'));
      opts.onChange(tenant);
      accepted(ctx);
    }),
  );

  router.delete(`${prefix}/:namespace/:group`, (ctx) =>
    handle(ctx, () => {
      const tenant = tenantOf(ctx, opts, 'admin');
      rules.deleteGroup(tenant, param(ctx, 'namespace'), param(ctx, 'group'));
      opts.onChange(tenant);
      accepted(ctx);
    }),
  );
}
