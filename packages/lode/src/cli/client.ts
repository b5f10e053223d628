/**
 * The HTTP client every client command shares: adds tenant and auth headers, turns non-2xx
 * answers into ServerError with the server's own text, and unreachable servers into a message
 * that names the address.
 */
import { ServerError } from './errors.js';

export interface Connection {
  addr: string;
  tenant?: string;
  apiKey?: string;
}

export type Params = Record<string, string | string[] | undefined>;

export function headersOf(conn: Connection): Record<string, string> {
  const headers: Record<string, string> = {};
  if (conn.tenant) headers['X-Scope-OrgID'] = conn.tenant;
  if (conn.apiKey) headers.Authorization = `Bearer ${conn.apiKey}`;
  return headers;
}

export function urlOf(conn: Connection, path: string, params: Params = {}): URL {
  const url = new URL(conn.addr + path);
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) url.searchParams.append(name, v);
  }
  return url;
}

/** fetch with lode's headers; a refused connection becomes a ServerError naming the address. */
export async function send(conn: Connection, path: string, init: RequestInit & { params?: Params } = {}): Promise<Response> {
  const { params, headers, ...rest } = init;
  try {
    return await fetch(urlOf(conn, path, params), { ...rest, headers: { ...headersOf(conn), ...(headers as Record<string, string> | undefined) } });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new ServerError(`cannot reach lode at ${conn.addr}: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
  }
}

export async function errorOf(res: Response): Promise<ServerError> {
  const text = (await res.text()).trim();
  return new ServerError(`server answered ${res.status}${text ? `: ${text}` : ''}`, res.status);
}

/** GET a JSON endpoint; returns the parsed body. */
export async function getJson(conn: Connection, path: string, params: Params = {}): Promise<unknown> {
  const res = await send(conn, path, { params });
  if (!res.ok) throw await errorOf(res);
  try {
    return await res.json();
  } catch {
    throw new ServerError(`${path} did not answer JSON; is ${conn.addr} a lode or Loki server?`);
  }
}

/** GET a Loki `{"status":"success","data":…}` endpoint and return `data`. */
export async function getData<T>(conn: Connection, path: string, params: Params = {}): Promise<T> {
  const body = (await getJson(conn, path, params)) as { status?: string; data?: T };
  if (body.status !== 'success' || body.data === undefined) throw new ServerError(`${path} answered without data: ${JSON.stringify(body).slice(0, 200)}`);
  return body.data;
}
