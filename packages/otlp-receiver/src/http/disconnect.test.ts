import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { serveIngestRoutes } from '../test-support/http.js';
import { realIngester, until } from '../test-support/store.js';

const now = () => BigInt(Date.now()) * 1_000_000n;
const pushBody = (app: string, line: string) => JSON.stringify({ streams: [{ stream: { app }, values: [[String(now()), line]] }] });

/** Sends request headers and only part of the declared body, then resets the connection. */
function abortMidBody(url: string, path: string, contentType: string): Promise<void> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const s = net.connect(Number(port), hostname, () => {
      s.write(`POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: ${contentType}\r\nContent-Length: 100000\r\n\r\n{"streams":[{"stream":{"app":"cut"},"values":[["1","`);
      setTimeout(() => s.destroy(), 50);
    });
    s.on('close', () => resolve());
    s.on('error', () => resolve());
  });
}

test('clients that disconnect mid-body or before the answer leave other requests and the in-flight budget intact', async () => {
  const t = await realIngester({}, { maxInflightBytes: 1 << 20 });
  const srv = await serveIngestRoutes(t.options);
  const push = (app: string, line: string) => fetch(`${srv.url}/loki/api/v1/push`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: pushBody(app, line) });
  try {
    t.store.hold();
    const held = push('held', 'kept while others come and go');
    assert.ok(await until(() => t.store.waiting === 1));
    const heldBytes = t.ingester.budget.inUse;

    await abortMidBody(srv.url, '/loki/api/v1/push', 'application/json');
    await abortMidBody(srv.url, '/otlp/v1/logs', 'application/json');
    assert.equal(t.ingester.budget.inUse, heldBytes, 'a half-read body reserves nothing');

    // A complete body whose client leaves while the push waits for the store: the push still
    // completes and gives its reservation back.
    const gone = new AbortController();
    const abandoned = fetch(`${srv.url}/loki/api/v1/push`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: pushBody('abandoned', 'client left'), signal: gone.signal });
    assert.ok(await until(() => t.store.waiting === 2));
    gone.abort();
    await assert.rejects(abandoned);

    t.store.release();
    assert.equal((await held).status, 204);
    assert.equal((await push('after', 'still serving')).status, 204);
    assert.ok(await until(() => t.ingester.budget.inUse === 0), `budget back to 0, is ${t.ingester.budget.inUse}`);

    const lines = t.store.entries('fake').map((e) => e.line).sort();
    assert.deepEqual(lines, ['client left', 'kept while others come and go', 'still serving']);
    const requests = await t.registry.getSingleMetricAsString('lode_ingest_requests_total');
    assert.match(requests, /protocol="loki_json",status="499"} 1/);
    assert.match(requests, /protocol="otlp_http",status="499"} 1/);
  } finally {
    t.store.release();
    await srv.close();
    await t.close();
  }
});
