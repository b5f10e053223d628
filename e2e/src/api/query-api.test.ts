/**
 * The Loki query API of a real `lode serve`: every endpoint's answer compared with the shape of
 * Loki's documented example, defaults, errors, GET and POST forms.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startServer, type LodeServer } from '../support/server.js';
import { call, pushJson, qs } from './client.js';
import { docs, shapeOf } from './loki-doc-shapes.js';

const SECOND = 1_000_000_000n;
const T0 = (BigInt(Date.now()) / 60_000n - 10n) * 60n * SECOND;
let lode: LodeServer;

before(async () => {
  lode = await startServer();
  await pushJson(lode.addr, [
    {
      stream: { app: 'api', env: 'prod' },
      values: Array.from({ length: 20 }, (_, i): [string, string, Record<string, string>] => [
        String(T0 + BigInt(i) * SECOND),
        `level=${i % 4 === 0 ? 'error' : 'info'} msg="handled request" status=${i % 4 === 0 ? 500 : 200} took=${i}ms`,
        { trace_id: `abc${i}` },
      ]),
    },
    { stream: { app: 'web', env: 'dev' }, values: [[String(T0 + 5n * SECOND), '{"level":"warn","path":"/x"}']] },
  ]);
});
after(() => lode.close());

const get = (path: string, params: Record<string, string | number | bigint> = {}, headers: Record<string, string> = {}) =>
  call(`${lode.addr}${path}?${qs(params)}`, { headers });
const postForm = (path: string, params: Record<string, string>) =>
  call(`${lode.addr}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(params).toString() });
const window = { start: T0, end: T0 + 60n * SECOND };

test('labels and label values: documented shape, default window (6h), service_name discovered at ingest', async () => {
  const labels = (await get('/loki/api/v1/labels')).json();
  assert.deepEqual(shapeOf(labels), shapeOf(docs.labels));
  assert.deepEqual(labels.data, ['app', 'env', 'service_name']);
  const values = (await postForm('/loki/api/v1/label/app/values', {})).json();
  assert.deepEqual(shapeOf(values), shapeOf(docs.labelValues));
  assert.deepEqual(values.data, ['api', 'web']);
});

test('series: documented shape, GET and POST alike', async () => {
  const g = (await get('/loki/api/v1/series', { 'match[]': '{app="api"}' })).json();
  assert.deepEqual(shapeOf(g), shapeOf(docs.series));
  assert.deepEqual(g.data, [{ app: 'api', env: 'prod', service_name: 'api' }]);
  const p = (await postForm('/loki/api/v1/series', { 'match[]': '{app="api"}' })).json();
  assert.deepEqual(p, g);
});

test('query_range streams and matrix: documented shapes, defaults', async () => {
  const streams = (await get('/loki/api/v1/query_range', { query: '{app="api"}', ...window, limit: 5 })).json();
  assert.deepEqual(shapeOf({ status: streams.status, data: { resultType: streams.data.resultType, result: streams.data.result } }), shapeOf(docs.streams));
  const values = streams.data.result.flatMap((s: { values: [string, string][] }) => s.values);
  assert.equal(values.length, 5);
  assert.ok(values.every((v: [string, string], i: number) => i === 0 || BigInt(values[i - 1][0]) > BigInt(v[0])), 'backward by default');
  const matrix = (await get('/loki/api/v1/query_range', { query: 'sum by (level) (count_over_time({app="api"} | logfmt [1m]))', ...window, step: '60' })).json();
  assert.deepEqual(shapeOf({ status: matrix.status, data: { resultType: matrix.data.resultType, result: matrix.data.result } }), shapeOf(docs.matrix));
  const errors = matrix.data.result.find((s: { metric: Record<string, string> }) => s.metric.level === 'error');
  // Errors at T0, +4s, … +16s; the window (T0, T0+60s] leaves out the one at T0.
  assert.deepEqual(errors.values.at(-1), [Number(T0 / SECOND) + 60, '4']);
  assert.ok(matrix.data.stats.summary.totalLinesProcessed >= 20);
});

test('instant query: vector shape; Grafana health check gives 2; log query refused', async () => {
  const v = (await get('/loki/api/v1/query', { query: 'vector(1)+vector(1)' })).json();
  assert.deepEqual(shapeOf({ status: v.status, data: { resultType: v.data.resultType, result: v.data.result } }), shapeOf(docs.vector));
  assert.equal(v.data.result[0].value[1], '2');
  const bad = await get('/loki/api/v1/query', { query: '{app="api"}' });
  assert.equal(bad.status, 400);
  assert.equal(bad.text, 'log queries are not supported as an instant query type, please change your query to a range query type');
});

test('errors are plain text 4xx with Loki’s texts', async () => {
  const points = await get('/loki/api/v1/query_range', { query: 'rate({app="api"}[1m])', start: T0, end: T0 + 12_000n * SECOND, step: '1' });
  assert.equal(points.status, 400);
  assert.match(points.text, /11,000 points/);
  const parse = await get('/loki/api/v1/query_range', { query: '{app=}' });
  assert.equal(parse.status, 400);
  assert.match(parse.text, /^parse error/);
  const limit = await get('/loki/api/v1/query_range', { query: '{app="api"}', limit: 5001 });
  assert.equal(limit.status, 400);
  assert.match(limit.text, /max entries limit per query exceeded/);
});

test('index/stats, volume, detected_labels, detected_fields, patterns, format_query, buildinfo', async () => {
  const stats = (await get('/loki/api/v1/index/stats', { query: '{app="api"}', ...window })).json();
  assert.deepEqual(shapeOf(stats), shapeOf(docs.indexStats));
  assert.equal(stats.entries, 20);
  const vol = (await get('/loki/api/v1/index/volume', { query: '{app=~".+"}', ...window })).json();
  assert.equal(vol.data.resultType, 'vector');
  const labels = (await get('/loki/api/v1/detected_labels', window)).json();
  assert.deepEqual(shapeOf(labels), shapeOf(docs.detectedLabels));
  const fields = (await get('/loki/api/v1/detected_fields', { query: '{app="api"}', ...window })).json();
  assert.ok(fields.fields.some((f: { label: string; type: string }) => f.label === 'status' && f.type === 'int'));
  const pats = (await get('/loki/api/v1/patterns', { query: '{app="api"}', ...window, step: '1m' })).json();
  assert.deepEqual(shapeOf(pats), shapeOf(docs.patterns));
  const fq = (await get('/loki/api/v1/format_query', { query: 'sum(rate({app="api"}[1m]))' })).json();
  assert.equal(fq.status, 'success');
  const info = (await get('/loki/api/v1/status/buildinfo')).json();
  assert.deepEqual(shapeOf(info), shapeOf(docs.buildinfo));
});

test('categorize-labels keeps indexed labels in the stream', async () => {
  const r = (await get('/loki/api/v1/query_range', { query: '{app="api"}', ...window, limit: 1 }, { 'X-Loki-Response-Encoding-Flags': 'categorize-labels' })).json();
  assert.deepEqual(r.data.encodingFlags, ['categorize-labels']);
  assert.deepEqual(r.data.result[0].stream, { app: 'api', env: 'prod', service_name: 'api' });
  assert.equal(r.data.result[0].values[0][2].structuredMetadata.trace_id, 'abc19');
});
