import type { ApiKey, ApiKeyRole } from './types.js';

/** Loki's tenant when multi-tenancy is off. */
export const DEFAULT_TENANT = 'fake';

export interface TenancyRules {
  multiTenant: boolean;
  apiKeys?: readonly ApiKey[];
}

/** Which roles may do what: `admin` may do everything. */
export type Access = 'write' | 'read' | 'admin';

export type TenantResult = { ok: true; tenant: string } | { ok: false; status: 401 | 403 | 400; message: string };

type HeaderValue = string | string[] | undefined;
/** Node's `IncomingHttpHeaders` (lower-case names) or gRPC metadata flattened the same way. */
export type HeaderBag = Readonly<Record<string, HeaderValue>>;

function first(v: HeaderValue): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function allows(role: ApiKeyRole, access: Access): boolean {
  return role === 'admin' || role === access;
}

/**
 * Resolves the tenant of a request by the rules of API.md ("Tenancy and auth"), shared by ingest
 * and the query API: with API keys configured a valid bearer key is required and names the
 * tenant; otherwise `X-Scope-OrgID` when multi-tenancy is on, `fake` when it is off.
 */
export function tenantOf(headers: HeaderBag, rules: TenancyRules, access: Access): TenantResult {
  const keys = rules.apiKeys;
  if (keys && keys.length > 0) {
    const auth = first(headers['authorization']);
    const match = auth ? /^Bearer\s+(\S+)\s*$/i.exec(auth) : null;
    if (!match) return { ok: false, status: 401, message: 'missing bearer token: send Authorization: Bearer <api key>' };
    const key = keys.find((k) => timingSafeEqualString(k.key, match[1]!));
    if (!key) return { ok: false, status: 401, message: 'invalid api key' };
    if (!allows(key.role, access)) return { ok: false, status: 403, message: `api key role "${key.role}" may not ${access}` };
    return { ok: true, tenant: key.tenant };
  }
  if (!rules.multiTenant) return { ok: true, tenant: DEFAULT_TENANT };
  const org = first(headers['x-scope-orgid'])?.trim();
  if (!org) return { ok: false, status: 401, message: 'no org id' };
  const invalid = validateTenantId(org);
  if (invalid) return { ok: false, status: 400, message: invalid };
  return { ok: true, tenant: org };
}

/** Loki's tenant id rules (dskit `ValidTenantID`): ≤ 150 chars of a safe set, not `.` or `..`. */
export function validateTenantId(id: string): string | undefined {
  if (id.length > 150) return 'tenant ID is too long: max 150 characters';
  if (id === '.' || id === '..') return 'tenant ID is \'.\' or \'..\'';
  if (!/^[A-Za-z0-9!\-_.*'()]+$/.test(id)) return `tenant ID '${id}' contains unsupported character`;
  return undefined;
}

/** Compares keys without an early exit, so response time does not reveal a key prefix. */
function timingSafeEqualString(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
