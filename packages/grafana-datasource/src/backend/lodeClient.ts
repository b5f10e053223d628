// HTTP access to lode's Loki-compatible API with the datasource's tenant, key and timeout.
import type { LodeSettings } from './settings.js';

export class LodeHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    path: string,
  ) {
    super(`lode answered ${status} for ${path}: ${body.trim().slice(0, 500) || '(empty body)'}`);
  }
}

export function authHeaders(settings: LodeSettings): Record<string, string> {
  const headers: Record<string, string> = {};
  if (settings.tenant) headers['X-Scope-OrgID'] = settings.tenant;
  if (settings.apiKey) headers.Authorization = `Bearer ${settings.apiKey}`;
  return headers;
}

export interface RawResponse {
  status: number;
  contentType: string;
  body: Buffer;
}

/** One request; never throws for HTTP statuses (the caller decides), only for network failures and timeouts. */
export async function lodeFetch(settings: LodeSettings, pathAndQuery: string, init: { method?: string; body?: Buffer; contentType?: string } = {}): Promise<RawResponse> {
  const headers = authHeaders(settings);
  if (init.contentType) headers['Content-Type'] = init.contentType;
  let res: Response;
  try {
    res = await fetch(settings.url + pathAndQuery, {
      method: init.method ?? 'GET',
      headers,
      body: init.body,
      signal: AbortSignal.timeout(settings.timeoutMs),
    });
  } catch (err) {
    const reason = err instanceof Error && err.name === 'TimeoutError' ? `timed out after ${settings.timeoutMs / 1000}s` : String((err as Error).cause ?? err);
    throw new Error(`cannot reach lode at ${settings.url}: ${reason}`);
  }
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', body: Buffer.from(await res.arrayBuffer()) };
}

/** GET with a JSON answer, failing with lode's own error text on non-2xx. */
export async function lodeGetJson(settings: LodeSettings, path: string, params: URLSearchParams): Promise<unknown> {
  const res = await lodeFetch(settings, `${path}?${params.toString()}`);
  const text = res.body.toString('utf8');
  if (res.status < 200 || res.status >= 300) throw new LodeHttpError(res.status, text, path);
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`lode answered ${path} with something that is not JSON: ${text.slice(0, 200)}`);
  }
}
