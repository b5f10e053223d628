import { test } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import snappy from 'snappy';
import { testIngester } from '../test-support/recording-store.js';
import { serveIngestRoutes } from '../test-support/http.js';
import { PushRequestType } from './schema.js';

async function withServer(overrides: Parameters<typeof testIngester>[0], fn: (url: string, t: ReturnType<typeof testIngester>) => Promise<void>, extra = {}) {
  const t = testIngester(overrides, extra);
  const srv = await serveIngestRoutes(t.options);
  try {
    await fn(`${srv.url}/loki/api/v1/push`, t);
  } finally {
    await srv.close();
  }
}

const jsonBody = (streams: unknown) => JSON.stringify({ streams });

test('JSON push: 204, entries with nanosecond timestamps and structured metadata', async () => {
  await withServer({ discover_service_name: [], discover_log_levels: false }, async (url, { store }) => {
    const body = jsonBody([{ stream: { app: 'x' }, values: [['1700000000123456789', 'hello', { trace_id: 'abc' }], ['1700000000123456790', 'world']] }]);
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    assert.equal(res.status, 204);
    assert.equal(await res.text(), '');
    assert.deepEqual(store.entries(), [
      { labels: { app: 'x' }, ts: 1700000000123456789n, line: 'hello', metadata: { trace_id: 'abc' } },
      { labels: { app: 'x' }, ts: 1700000000123456790n, line: 'world' },
    ]);
    assert.equal(store.appends[0]!.tenant, 'fake');
  });
});

test('JSON push with gzip and deflate Content-Encoding', async () => {
  await withServer({}, async (url, { store }) => {
    const body = jsonBody([{ stream: { app: 'x' }, values: [['1', 'zipped']] }]);
    for (const [enc, data] of [['gzip', zlib.gzipSync(body)], ['deflate', zlib.deflateSync(body)], ['snappy', await snappy.compress(body)]] as const) {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': enc }, body: data });
      assert.equal(res.status, 204, enc);
    }
    assert.equal(store.entries().length, 3);
  });
});

test('protobuf + snappy push decodes labels, timestamps and metadata', async () => {
  await withServer({ discover_service_name: [], discover_log_levels: false }, async (url, { store }) => {
    const msg = PushRequestType.fromObject({
      streams: [
        {
          labels: '{app="api", env="prod \\"x\\""}',
          entries: [{ timestamp: { seconds: 1700000000, nanos: 5 }, line: 'proto line', structuredMetadata: [{ name: 'k', value: 'v' }] }],
        },
      ],
    });
    const body = await snappy.compress(Buffer.from(PushRequestType.encode(msg).finish()));
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body });
    assert.equal(res.status, 204);
    assert.deepEqual(store.entries(), [{ labels: { app: 'api', env: 'prod "x"' }, ts: 1700000000000000005n, line: 'proto line', metadata: { k: 'v' } }]);
  });
});

test('bad input: invalid JSON, truncated protobuf, wrong content type get 4xx texts', async () => {
  await withServer({}, async (url, { store }) => {
    let res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"streams":[' });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /invalid JSON push body/);
    const msg = PushRequestType.encode(PushRequestType.fromObject({ streams: [{ labels: '{a="b"}', entries: [{ line: 'x'.repeat(100) }] }] })).finish();
    res = await fetch(url, { method: 'POST', body: await snappy.compress(Buffer.from(msg.subarray(0, 50))) });
    assert.equal(res.status, 400);
    res = await fetch(url, { method: 'POST', body: Buffer.from('not snappy at all') });
    assert.equal(res.status, 400);
    res = await fetch(url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' });
    assert.equal(res.status, 415);
    res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: jsonBody([{ stream: { a: 'b' }, values: [[1.5, 'x']] }]) });
    assert.equal(res.status, 400);
    assert.equal(store.entries().length, 0);
  });
});

test('invalid label names refuse that stream, valid streams are kept (partial acceptance)', async () => {
  await withServer({ discover_service_name: [] }, async (url, { store }) => {
    const body = jsonBody([
      { stream: { 'bad-name': 'x' }, values: [['1', 'dropped']] },
      { stream: { good: 'y' }, values: [['2', 'kept']] },
    ]);
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /^Error parsing labels '\{bad-name="x"\}' with error: invalid label name "bad-name"/);
    assert.deepEqual(store.entries().map((e) => e.line), ['kept']);
    const proto = PushRequestType.encode(PushRequestType.fromObject({ streams: [{ labels: '{a=b}', entries: [{ line: 'x' }] }] })).finish();
    const res2 = await fetch(url, { method: 'POST', body: await snappy.compress(Buffer.from(proto)) });
    assert.equal(res2.status, 400);
    assert.match(await res2.text(), /^Error parsing labels '\{a=b\}' with error: 1:4: parse error/);
  });
});

test('oversized bodies get 413', async () => {
  await withServer({}, async (url) => {
    const body = jsonBody([{ stream: { a: 'b' }, values: [['1', 'x'.repeat(2000)]] }]);
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    assert.equal(res.status, 413);
  }, { maxBodyBytes: 1000 });
});

test('multi-tenant: X-Scope-OrgID routes the push, a missing one is 401 no org id', async () => {
  await withServer({}, async (url, { store }) => {
    const body = jsonBody([{ stream: { a: 'b' }, values: [['1', 'x']] }]);
    let res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    assert.equal(res.status, 401);
    assert.equal(await res.text(), 'no org id\n');
    res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-scope-orgid': 'acme' }, body });
    assert.equal(res.status, 204);
    assert.equal(store.appends[0]!.tenant, 'acme');
  }, { multiTenant: true });
});
