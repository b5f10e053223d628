/** Small HTTP helpers for the query API e2e tests: JSON push, GET/POST with headers. */
import assert from 'node:assert/strict';

export interface Answer {
  status: number;
  text: string;
  headers: Headers;
  // The API answers JSON of many shapes; tests check it field by field.
  json(): any;
}

export async function call(url: string, init: RequestInit = {}): Promise<Answer> {
  const r = await fetch(url, init);
  const text = await r.text();
  return { status: r.status, text, headers: r.headers, json: () => JSON.parse(text) };
}

export function qs(params: Record<string, string | number | bigint>): string {
  return new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)])).toString();
}

export interface PushStream {
  stream: Record<string, string>;
  values: ([string, string] | [string, string, Record<string, string>])[];
}

export async function pushJson(addr: string, streams: PushStream[], tenant?: string): Promise<void> {
  const r = await call(`${addr}/loki/api/v1/push`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(tenant ? { 'X-Scope-OrgID': tenant } : {}) },
    body: JSON.stringify({ streams }),
  });
  assert.equal(r.status, 204, r.text);
}
