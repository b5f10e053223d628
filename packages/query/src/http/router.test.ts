import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { request } from 'node:http';
import { startTestServer, type TestServer } from './test-server.js';

const SECOND = 1_000_000_000n;
// Whole minutes, a few minutes ago: inside every default window, aligned for step arithmetic.
const T0 = (BigInt(Date.now()) / 60_000n - 10n) * 60n * SECOND;
let srv: TestServer;

// Response bodies are JSON of many shapes, checked field by field: `any` keeps the assertions readable.
async function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string; json: () => any; headers: Headers }> {
  const r = await fetch(srv.url + path, { headers });
  const text = await r.text();
  return { status: r.status, text, json: () => JSON.parse(text), headers: r.headers };
}

async function post(path: string, form: Record<string, string>, headers: Record<string, string> = {}) {
  const r = await fetch(srv.url + path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
  const text = await r.text();
  return { status: r.status, text, json: () => JSON.parse(text) };
}

function q(params: Record<string, string | number | bigint>): string {
  return new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)])).toString();
}

before(async () => {
  srv = await startTestServer();
  await srv.push('fake', [
    {
      labels: { app: 'api', env: 'prod' },
      entries: Array.from({ length: 10 }, (_, i) => ({
        ts: T0 + BigInt(i) * SECOND,
        line: `level=info msg="request done" status=${200 + (i % 2)} duration=${10 + i}ms`,
        metadata: { trace_id: `t${i}` },
      })),
    },
    {
      labels: { app: 'web', env: 'dev' },
      entries: Array.from({ length: 5 }, (_, i) => ({ ts: T0 + BigInt(i) * SECOND + 500_000_000n, line: `{"level":"error","user":"u${i}","size":"${i}KB"}` })),
    },
  ]);
  await srv.push('other', [{ labels: { app: 'secret' }, entries: [{ ts: T0, line: 'other tenant line' }] }]);
});
after(() => srv.close());

describe('metadata endpoints', () => {
  test('labels over GET and POST, default window', async () => {
    const g = await get('/loki/api/v1/labels');
    assert.equal(g.status, 200);
    assert.deepEqual(g.json(), { status: 'success', data: ['app', 'env'] });
    const p = await post('/loki/api/v1/labels', { query: '{app="api"}' });
    assert.deepEqual(p.json().data, ['app', 'env']);
  });

  test('label values, restricted by query', async () => {
    assert.deepEqual((await get('/loki/api/v1/label/app/values')).json(), { status: 'success', data: ['api', 'web'] });
    assert.deepEqual((await get('/loki/api/v1/label/app/values?' + q({ query: '{env="dev"}' }))).json().data, ['web']);
    assert.deepEqual((await get('/loki/api/v1/label/nope/values')).json().data, []);
  });

  test('a time range before the data finds nothing', async () => {
    const r = await get('/loki/api/v1/labels?' + q({ start: T0 - 3600n * SECOND, end: T0 - 1800n * SECOND }));
    assert.deepEqual(r.json().data, []);
  });

  test('series with repeated match[] over GET and POST; none is a 400', async () => {
    const r = await get('/loki/api/v1/series?' + 'match[]=' + encodeURIComponent('{app="api"}') + '&match[]=' + encodeURIComponent('{env="dev"}'));
    assert.deepEqual(r.json(), { status: 'success', data: [{ app: 'api', env: 'prod' }, { app: 'web', env: 'dev' }] });
    const p = await post('/loki/api/v1/series', { 'match[]': '{app="web"}' });
    assert.deepEqual(p.json().data, [{ app: 'web', env: 'dev' }]);
    const bad = await get('/loki/api/v1/series');
    assert.equal(bad.status, 400);
  });

  test('index/stats is not wrapped', async () => {
    const r = await get('/loki/api/v1/index/stats?' + q({ query: '{app="api"}' }));
    assert.equal(r.status, 200);
    const body = r.json();
    assert.deepEqual(Object.keys(body).sort(), ['bytes', 'chunks', 'entries', 'streams']);
    assert.equal(body.streams, 1);
    assert.equal(body.entries, 10);
  });

  test('index/volume and volume_range', async () => {
    const v = (await get('/loki/api/v1/index/volume?' + q({ query: '{app=~".+"}' }))).json();
    assert.equal(v.status, 'success');
    assert.equal(v.data.resultType, 'vector');
    assert.deepEqual(v.data.result.map((r: any) => r.metric.app).sort(), ['api', 'web']);
    const vr = (await get('/loki/api/v1/index/volume_range?' + q({ query: '{app=~".+"}', step: '60s', aggregateBy: 'labels' }))).json();
    assert.equal(vr.data.resultType, 'matrix');
    assert.ok(vr.data.result.length > 0);
  });
});

describe('queries', () => {
  const range = (p: Record<string, string | number | bigint>, headers?: Record<string, string>) =>
    get('/loki/api/v1/query_range?' + q({ start: T0, end: T0 + 60n * SECOND, ...p }), headers);

  test('log query: streams, backward by default, limit', async () => {
    const r = await range({ query: '{app="api"}', limit: 3 });
    assert.equal(r.status, 200);
    const data = r.json().data;
    assert.equal(data.resultType, 'streams');
    const values = data.result.flatMap((s: any) => s.values);
    assert.equal(values.length, 3);
    assert.deepEqual(values.map((v: any) => v[0]), [9n, 8n, 7n].map((i) => String(T0 + i * SECOND)));
    // Metadata is folded into the stream labels without categorize-labels.
    assert.ok(data.result.every((s: any) => s.stream.trace_id !== undefined));
  });

  test('direction=forward over POST', async () => {
    const r = await post('/loki/api/v1/query_range', { query: '{app="web"}', start: String(T0), end: String(T0 + 60n * SECOND), direction: 'forward', limit: '2' });
    const values = r.json().data.result.flatMap((s: any) => s.values);
    assert.deepEqual(values.map((v: any) => v[0]), [String(T0 + 500_000_000n), String(T0 + SECOND + 500_000_000n)]);
  });

  test('categorize-labels moves metadata into each entry', async () => {
    const r = await range({ query: '{app="api"} | logfmt', limit: 1 }, { 'X-Loki-Response-Encoding-Flags': 'categorize-labels' });
    const data = r.json().data;
    assert.deepEqual(data.encodingFlags, ['categorize-labels']);
    assert.deepEqual(data.result[0].stream, { app: 'api', env: 'prod' });
    const [, , extra] = data.result[0].values[0];
    assert.equal(extra.structuredMetadata.trace_id, 't9');
    assert.equal(extra.parsed.level, 'info');
  });

  test('stats have Loki’s shape', async () => {
    const stats = (await range({ query: '{app="api"}' })).json().data.stats;
    for (const k of ['bytesProcessedPerSecond', 'linesProcessedPerSecond', 'totalBytesProcessed', 'totalLinesProcessed', 'execTime', 'queueTime', 'totalEntriesReturned']) {
      assert.ok(k in stats.summary, `summary.${k}`);
    }
    assert.equal(stats.summary.totalEntriesReturned, 10);
    for (const k of ['querier', 'ingester', 'cache']) assert.ok(k in stats, k);
  });

  test('metric range query in every time and step format gives the same matrix', async () => {
    const iso = (ns: bigint) => new Date(Number(ns / 1_000_000n)).toISOString();
    const forms = [
      { start: T0, end: T0 + 60n * SECOND, step: '10s' },
      { start: String(T0 / SECOND), end: String(T0 / SECOND + 60n), step: '10' },
      { start: `${T0 / SECOND}.0`, end: `${T0 / SECOND + 60n}.000`, step: '0m10s' },
      { start: iso(T0), end: iso(T0 + 60n * SECOND), step: '10.0' },
    ];
    const answers = [];
    for (const f of forms) {
      const r = await get('/loki/api/v1/query_range?' + q({ query: 'sum(count_over_time({app="api"}[1m]))', ...f }));
      assert.equal(r.status, 200, r.text);
      answers.push(r.json().data.result);
    }
    assert.deepEqual(answers[0][0].values.at(-1), [Number(T0 / SECOND) + 60, '9']); // (T0, T0+60s] leaves out the entry at T0
    for (const a of answers) assert.deepEqual(a, answers[0]);
  });

  test('more than 11,000 points per series is a 400 with Loki’s text', async () => {
    const r = await range({ query: 'count_over_time({app="api"}[1m])', start: T0, end: T0 + 11_001n * SECOND, step: '1s' });
    assert.equal(r.status, 400);
    assert.match(r.text, /exceeded maximum resolution of 11,000 points per time series/);
  });

  test('bad parameters: 400 naming the parameter', async () => {
    assert.equal((await range({ query: '{app="api"}', start: 'yesterday' })).status, 400);
    const step = await range({ query: 'rate({app="api"}[1m])', step: '-5s' });
    assert.equal(step.status, 400);
    const limit = await range({ query: '{app="api"}', limit: 6000 });
    assert.equal(limit.status, 400);
    assert.match(limit.text, /max entries limit per query exceeded/);
    const missing = await get('/loki/api/v1/query_range');
    assert.equal(missing.status, 400);
  });

  test('parse errors are 400 plain text', async () => {
    const r = await range({ query: '{app="api"' });
    assert.equal(r.status, 400);
    assert.match(r.headers.get('content-type') ?? '', /text\/plain/);
    assert.match(r.text, /parse error/);
  });

  test('Grafana health check vector(1)+vector(1) returns 2', async () => {
    const r = (await get('/loki/api/v1/query?' + q({ query: 'vector(1)+vector(1)', time: T0 }))).json();
    assert.equal(r.status, 'success');
    assert.equal(r.data.resultType, 'vector');
    assert.deepEqual(r.data.result[0].value, [Number(T0 / SECOND), '2']);
  });

  test('instant log query is a 400 with Loki’s text', async () => {
    const r = await get('/loki/api/v1/query?' + q({ query: '{app="api"}' }));
    assert.equal(r.status, 400);
    assert.match(r.text, /log queries are not supported as an instant query type/);
  });

  test('log volume query as Grafana sends it', async () => {
    const r = await range(
      { query: 'sum by (level, detected_level) (count_over_time({app=~".+"} | drop __error__[1m]))', step: '60s' },
      { 'X-Query-Tags': 'Source=logvolhist' },
    );
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json().data.resultType, 'matrix');
  });

  test('format_query and buildinfo', async () => {
    const f = (await get('/loki/api/v1/format_query?' + q({ query: '{app="api"}|="x"' }))).json();
    assert.equal(f.status, 'success');
    assert.equal(typeof f.data, 'string');
    assert.match(f.data, /\{app="api"\} \|= "x"/);
    const b = (await get('/loki/api/v1/status/buildinfo')).json();
    assert.equal(b.version, '0.0.0-test');
  });

  test('gzip when asked', async () => {
    const body = await new Promise<{ enc: string | undefined; data: Buffer }>((resolve, reject) => {
      const req = request(srv.url + '/loki/api/v1/query_range?' + q({ query: '{app=~".+"}', start: T0, end: T0 + 60n * SECOND }), { headers: { 'Accept-Encoding': 'gzip' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ enc: res.headers['content-encoding'], data: Buffer.concat(chunks) }));
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(body.enc, 'gzip');
    assert.equal(JSON.parse(gunzipSync(body.data).toString()).status, 'success');
  });
});

describe('tenancy', () => {
  test('a tenant sees only its own data', async () => {
    const r = await get('/loki/api/v1/label/app/values', { 'X-Scope-OrgID': 'other' });
    assert.deepEqual(r.json().data, ['secret']);
    const none = await get('/loki/api/v1/query_range?' + q({ query: '{app="api"}', start: T0, end: T0 + 60n * SECOND }), { 'X-Scope-OrgID': 'other' });
    assert.deepEqual(none.json().data.result, []);
  });

  test('a|b reads both tenants, tagging streams with __tenant_id__', async () => {
    const r = await get('/loki/api/v1/label/app/values', { 'X-Scope-OrgID': 'fake|other' });
    assert.deepEqual(r.json().data, ['api', 'secret', 'web']);
    const logs = await get('/loki/api/v1/query_range?' + q({ query: '{app=~"api|secret"}', start: T0, end: T0 + 60n * SECOND }), { 'X-Scope-OrgID': 'fake|other' });
    const tenants = new Set(logs.json().data.result.map((s: any) => s.stream.__tenant_id__));
    assert.deepEqual([...tenants].sort(), ['fake', 'other']);
  });

  test('a refused tenant gets the resolver’s status and text', async () => {
    const r = await get('/loki/api/v1/labels', { 'X-Scope-OrgID': 'forbidden' });
    assert.equal(r.status, 401);
    assert.equal(r.text, 'no org id');
  });
});

describe('detected fields, labels and patterns', () => {
  const window = { start: T0, end: T0 + 60n * SECOND };

  test('detected_labels', async () => {
    const r = (await get('/loki/api/v1/detected_labels?' + q(window))).json();
    assert.deepEqual(r, { detectedLabels: [{ label: 'app', cardinality: 2 }, { label: 'env', cardinality: 2 }] });
  });

  test('detected_fields finds logfmt, json and metadata fields with types', async () => {
    const r = (await get('/loki/api/v1/detected_fields?' + q({ query: '{env=~".+"}', ...window }))).json();
    const byName = Object.fromEntries(r.fields.map((f: any) => [f.label, f]));
    assert.deepEqual(byName.status, { label: 'status', type: 'int', cardinality: 2, parsers: ['logfmt'] });
    assert.equal(byName.duration.type, 'duration');
    assert.equal(byName.size.type, 'bytes');
    assert.deepEqual(byName.user.parsers, ['json']);
    assert.deepEqual(byName.trace_id.parsers, null);
    assert.equal(byName.level.cardinality, 2);
  });

  test('detected_field values', async () => {
    const r = (await get('/loki/api/v1/detected_field/level/values?' + q({ query: '{env=~".+"}', ...window }))).json();
    assert.deepEqual(r.values, ['error', 'info']);
  });

  test('patterns mine the lines with counts per step', async () => {
    const r = (await get('/loki/api/v1/patterns?' + q({ query: '{app="api"}', ...window, step: '60s' }))).json();
    assert.equal(r.status, 'success');
    assert.equal(r.data.length, 1);
    assert.equal(r.data[0].pattern, 'level=info msg="request done" <_> <_>');
    const total = r.data[0].samples.reduce((n: number, [, c]: [number, number]) => n + c, 0);
    assert.equal(total, 10);
    for (const [t] of r.data[0].samples) assert.equal(t % 60, 0);
  });
});
