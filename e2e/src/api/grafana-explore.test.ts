/**
 * A replay of what Grafana's Loki datasource sends for Explore against a real `lode serve`: the
 * health check, the label browser, a logs query with its log volume and logs sample, log
 * context around one line, and live tail; plus a cross-tenant read under --multi-tenant.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { WebSocket } from 'ws';
import { startServer, type LodeServer } from '../support/server.js';
import { call, pushJson, qs } from './client.js';

const SECOND = 1_000_000_000n;
const T0 = (BigInt(Date.now()) / 60_000n - 10n) * 60n * SECOND;
let lode: LodeServer;

before(async () => {
  lode = await startServer();
  await pushJson(lode.addr, [
    {
      stream: { job: 'checkout', namespace: 'shop' },
      values: Array.from({ length: 30 }, (_, i): [string, string] => [String(T0 + BigInt(i) * SECOND), `level=${i % 3 === 0 ? 'error' : 'info'} msg="line ${i}"`]),
    },
  ]);
});
after(() => lode.close());

const grafanaHeaders = { 'X-Grafana-Org-Id': '1', 'X-Query-Tags': 'Source=grafana' };
const get = (path: string, params: Record<string, string | number | bigint>, headers: Record<string, string> = {}) =>
  call(`${lode.addr}${path}?${qs(params)}`, { headers: { ...grafanaHeaders, ...headers } });
const range = { start: T0, end: T0 + 60n * SECOND };

test('Explore session', async (t) => {
  await t.test('health check', async () => {
    const r = (await get('/loki/api/v1/query', { query: 'vector(1)+vector(1)', time: T0 })).json();
    assert.equal(r.data.result[0].value[1], '2');
  });

  await t.test('label browser: names, values, then series for the selection; query-size estimate', async () => {
    assert.deepEqual((await get('/loki/api/v1/labels', range)).json().data, ['job', 'namespace', 'service_name']);
    assert.deepEqual((await get('/loki/api/v1/label/job/values', range)).json().data, ['checkout']);
    const series = (await get('/loki/api/v1/series', { 'match[]': '{job="checkout"}', ...range })).json();
    assert.equal(series.data.length, 1);
    const stats = (await get('/loki/api/v1/index/stats', { query: '{job="checkout"}', ...range })).json();
    assert.equal(stats.entries, 30);
  });

  let middle: [string, string] | undefined;
  await t.test('logs query with log volume and logs sample', async () => {
    const logs = (
      await get('/loki/api/v1/query_range', { query: '{job="checkout"}', ...range, limit: 1000, direction: 'backward', step: '1' }, { 'X-Loki-Response-Encoding-Flags': 'categorize-labels' })
    ).json();
    const values = logs.data.result.flatMap((s: { values: [string, string][] }) => s.values);
    assert.equal(values.length, 30);
    middle = values[15];
    const volume = (
      await get('/loki/api/v1/query_range', { query: 'sum by (level, detected_level) (count_over_time({job="checkout"} | drop __error__[1m]))', ...range, step: '60s' }, { 'X-Query-Tags': 'Source=logvolhist' })
    ).json();
    const byLevel = Object.fromEntries(volume.data.result.map((s: { metric: Record<string, string>; values: [number, string][] }) => [s.metric.detected_level, s.values.at(-1)![1]]));
    // detected_level was sniffed from the logfmt lines at ingest; T0 itself is outside (T0, T0+60s].
    assert.deepEqual(byLevel, { error: '9', info: '20' });
    const sample = (await get('/loki/api/v1/query_range', { query: '{job="checkout"}', ...range, limit: 100 }, { 'X-Query-Tags': 'Source=logsample' })).json();
    assert.equal(sample.data.resultType, 'streams');
  });

  // Streams differ by detected_level (folded in from metadata), so lines are merged by time here.
  const byTime = (data: { result: { values: [string, string][] }[] }, dir: 1 | -1) =>
    data.result
      .flatMap((s) => s.values)
      .sort((a, b) => dir * (BigInt(a[0]) < BigInt(b[0]) ? -1 : 1))
      .map((v) => v[1]);

  await t.test('log context: backward before the line, forward after it', async () => {
    const ts = BigInt(middle![0]);
    const selector = '{job="checkout", namespace="shop", service_name="checkout"}';
    const before = (await get('/loki/api/v1/query_range', { query: selector, start: ts - 3600n * SECOND, end: ts, limit: 3, direction: 'backward' })).json();
    const beforeLines = byTime(before.data, -1);
    assert.deepEqual(beforeLines, ['level=info msg="line 13"', 'level=error msg="line 12"', 'level=info msg="line 11"']);
    const after = (await get('/loki/api/v1/query_range', { query: selector, start: ts, end: ts + 3600n * SECOND, limit: 3, direction: 'forward' })).json();
    const afterLines = byTime(after.data, 1);
    assert.deepEqual(afterLines, ['level=info msg="line 14"', 'level=error msg="line 15"', 'level=info msg="line 16"']);
  });

  await t.test('live tail', async () => {
    const ws = new WebSocket(`${lode.addr.replace('http', 'ws')}/loki/api/v1/tail?${qs({ query: '{job="checkout"} |= "live"', start: T0 })}`);
    const lines: string[] = [];
    const got = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out with ${JSON.stringify(lines)}`)), 10_000);
      ws.on('message', (d) => {
        const f = JSON.parse(d.toString()) as { streams: { values: [string, string][] }[] };
        for (const s of f.streams) for (const [, l] of s.values) lines.push(l);
        if (lines.length >= 2) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    await new Promise((r) => ws.once('open', r));
    const now = BigInt(Date.now()) * 1_000_000n;
    await pushJson(lode.addr, [{ stream: { job: 'checkout', namespace: 'shop' }, values: [[String(now), 'live 1'], [String(now + 1n), 'live 2']] }]);
    await got;
    assert.deepEqual(lines, ['live 1', 'live 2']);
    ws.close();
  });
});

test('multi-tenant: a cross-tenant read returns nothing, no org id is a 401', async () => {
  const mt = await startServer({ args: ['--multi-tenant'] });
  try {
    const now = BigInt(Date.now()) * 1_000_000n;
    await pushJson(mt.addr, [{ stream: { app: 'private' }, values: [[String(now), 'tenant a secret']] }], 'a');
    const q = qs({ query: '{app="private"}', start: now - 60n * SECOND, end: now + SECOND });
    const asB = await call(`${mt.addr}/loki/api/v1/query_range?${q}`, { headers: { 'X-Scope-OrgID': 'b' } });
    assert.deepEqual(asB.json().data.result, []);
    assert.deepEqual((await call(`${mt.addr}/loki/api/v1/labels`, { headers: { 'X-Scope-OrgID': 'b' } })).json().data, []);
    const asA = await call(`${mt.addr}/loki/api/v1/query_range?${q}`, { headers: { 'X-Scope-OrgID': 'a' } });
    assert.equal(asA.json().data.result[0].values[0][1], 'tenant a secret');
    const none = await call(`${mt.addr}/loki/api/v1/labels`);
    assert.equal(none.status, 401);
  } finally {
    await mt.close();
  }
});
