/**
 * Read requests may name several tenants joined by `|` (`X-Scope-OrgID: a|b`), as Loki's
 * multi-tenant queries do; each part is resolved and authorised on its own.
 */
import type { TenantResolver } from './context.js';

export class TenantError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

type Headers = Readonly<Record<string, string | string[] | undefined>>;

export function readTenants(headers: Headers, resolve: TenantResolver): string[] {
  const raw = headers['x-scope-orgid'];
  const header = Array.isArray(raw) ? raw[0] : raw;
  const parts = header?.includes('|') ? header.split('|') : [header];
  const tenants: string[] = [];
  for (const part of parts) {
    const result = resolve({ ...headers, 'x-scope-orgid': part }, 'read');
    if (!result.ok) throw new TenantError(result.status, result.message);
    if (!tenants.includes(result.tenant)) tenants.push(result.tenant);
  }
  return tenants;
}
