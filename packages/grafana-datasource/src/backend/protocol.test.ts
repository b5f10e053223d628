// Protocol test: the built backend (single executable if built, else the bundled JS) is started the way Grafana
// starts it, and spoken to over gRPC; lode's API is served by a small HTTP server implementing the Loki
// endpoints the backend calls, with fixed data.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { tableFromIPC, type Table } from 'apache-arrow';
import { services } from './grpcDefs.js';

const pkgDir = fileURLToPath(new URL('../../../', import.meta.url));
const sea = join(pkgDir, 'dist', `gpx_lode_linux_${process.arch === 'x64' ? 'amd64' : process.arch}`);
const bundle = join(pkgDir, 'dist', 'node', 'backend.cjs');

const T0_NS = 1_700_000_000_000_000_000n;
const seen: Array<{ path: string; params: URLSearchParams; headers: IncomingMessage['headers'] }> = [];

function lokiAnswer(path: string, params: URLSearchParams): { status: number; body: unknown } {
  const query = params.get('query') ?? '';
  if (path === '/loki/api/v1/query') {
    if (query === 'vector(1)+vector(1)') return { status: 200, body: { status: 'success', data: { resultType: 'scalar', result: [1700000000, '2'] } } };
    return { status: 200, body: { status: 'success', data: { resultType: 'vector', result: [{ metric: { app: 'api' }, value: [1700000000, '42'] }] } } };
  }
  if (path === '/loki/api/v1/query_range') {
    if (query.startsWith('{')) {
      return {
        status: 200,
        body: {
          status: 'success',
          data: {
            resultType: 'streams',
            result: [
              { stream: { app: 'api', level: 'error' }, values: [[`${T0_NS + 2n}`, 'request failed'], [`${T0_NS}`, 'first']] },
              { stream: { app: 'web' }, values: [[`${T0_NS + 1n}`, 'level=info msg=hello']] },
            ],
          },
        },
      };
    }
    if (query.includes('syntax error')) return { status: 400, body: 'parse error at line 1, col 1: syntax error: unexpected IDENTIFIER' };
    return {
      status: 200,
      body: {
        status: 'success',
        data: { resultType: 'matrix', result: [{ metric: { app: 'api' }, values: [[1700000000, '1'], [1700000060, '2.5']] }] },
      },
    };
  }
  if (path === '/loki/api/v1/labels') return { status: 200, body: { status: 'success', data: ['app', 'level'] } };
  return { status: 404, body: '404 page not found' };
}

let lode: Server;
let lodeUrl: string;
let backend: ChildProcess;
let address: string;
let stderr = '';

before(async () => {
  lode = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    seen.push({ path: url.pathname, params: url.searchParams, headers: req.headers });
    const { status, body } = lokiAnswer(url.pathname, url.searchParams);
    res.writeHead(status, { 'Content-Type': typeof body === 'string' ? 'text/plain' : 'application/json' });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  });
  await new Promise<void>((resolve) => lode.listen(0, '127.0.0.1', resolve));
  lodeUrl = `http://127.0.0.1:${(lode.address() as AddressInfo).port}`;

  const [cmd, args] = existsSync(sea) ? [sea, []] : [process.execPath, [bundle]];
  assert.ok(existsSync(cmd === sea ? sea : bundle), `build the plugin first (npm run build -w packages/grafana-datasource): ${bundle} is missing`);
  backend = spawn(cmd, args, { env: { ...process.env, grafana_plugin_type: 'datasource', PLUGIN_PROTOCOL_VERSIONS: '2' }, stdio: ['ignore', 'pipe', 'pipe'] });
  backend.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: backend.stdout! });
    rl.once('line', resolve);
    backend.once('exit', (code) => reject(new Error(`backend exited with ${code} before the handshake: ${stderr}`)));
  });
  const parts = line.split('|');
  assert.deepEqual([parts[0], parts[1], parts[2], parts[4]], ['1', '2', 'tcp', 'grpc'], `handshake line: ${line}`);
  assert.match(parts[3]!, /^127\.0\.0\.1:\d+$/);
  address = parts[3]!;
});

after(async () => {
  backend?.kill('SIGTERM');
  await new Promise<void>((resolve) => lode?.close(() => resolve()));
});

const creds = grpc.credentials.createInsecure();

function call<Res>(Service: grpc.ServiceClientConstructor, method: string, req: object): Promise<Res> {
  const client = new Service(address, creds) as unknown as Record<string, (r: object, cb: (e: Error | null, res: Res) => void) => void>;
  return new Promise((resolve, reject) =>
    client[method]!.call(client, req, (err, res) => {
      (client as unknown as grpc.Client).close();
      if (err) reject(err);
      else resolve(res);
    }),
  );
}

function pluginContext(jsonData: object = { tenant: 'team-a' }) {
  return {
    orgId: 1,
    pluginId: 'lode-logs-datasource',
    dataSourceInstanceSettings: {
      id: 1,
      uid: 'lode',
      name: 'lode',
      url: lodeUrl,
      jsonData: Buffer.from(JSON.stringify(jsonData)),
      decryptedSecureJsonData: { apiKey: 'secret-key' },
    },
  };
}

function dataQuery(refId: string, model: object, queryType = '') {
  return {
    refId,
    maxDataPoints: 1000,
    intervalMS: 60000,
    timeRange: { fromEpochMS: 1_700_000_000_000, toEpochMS: 1_700_003_600_000 },
    json: Buffer.from(JSON.stringify({ refId, ...model })),
    queryType,
  };
}

interface DataResponse {
  frames: Buffer[];
  error: string;
  status: number;
}

function metaOf(table: Table): Record<string, unknown> {
  return JSON.parse(table.schema.metadata.get('meta') ?? '{}') as Record<string, unknown>;
}

test('health service reports the plugin SERVING', async () => {
  const res = await call<{ status: number }>(services.Health, 'Check', { service: 'plugin' });
  assert.equal(res.status, 1);
});

test('CheckHealth runs vector(1)+vector(1) against lode with tenant and key', async () => {
  const res = await call<{ status: number; message: string }>(services.Diagnostics, 'CheckHealth', { pluginContext: pluginContext() });
  assert.equal(res.status, 1, res.message);
  assert.match(res.message, /working/);
  const probe = seen.find((s) => s.params.get('query') === 'vector(1)+vector(1)');
  assert.equal(probe?.headers['x-scope-orgid'], 'team-a');
  assert.equal(probe?.headers.authorization, 'Bearer secret-key');
});

test('CheckHealth reports an unreachable lode as ERROR with the reason', async () => {
  const ctx = pluginContext();
  ctx.dataSourceInstanceSettings.url = 'http://127.0.0.1:1';
  const res = await call<{ status: number; message: string }>(services.Diagnostics, 'CheckHealth', { pluginContext: ctx });
  assert.equal(res.status, 2);
  assert.match(res.message, /cannot reach lode/);
});

test('QueryData: a log query comes back as one Arrow log-lines frame', async () => {
  const res = await call<{ responses: Record<string, DataResponse> }>(services.Data, 'QueryData', {
    pluginContext: pluginContext(),
    queries: [dataQuery('A', { expr: '{app=~".+"}', queryType: 'logs', maxLines: 10 })],
  });
  const a = res.responses.A!;
  assert.equal(a.error, '');
  assert.equal(a.frames.length, 1);
  const table = tableFromIPC(a.frames[0]!);
  assert.equal(table.schema.metadata.get('refId'), 'A');
  const meta = metaOf(table);
  assert.equal(meta.type, 'log-lines');
  assert.equal(meta.preferredVisualisationType, 'logs');
  assert.deepEqual(table.schema.fields.map((f) => f.name), ['timestamp', 'body', 'severity', 'id', 'labels']);
  assert.equal(table.schema.fields[0]!.type.toString(), 'Timestamp<NANOSECOND>');
  assert.equal(table.numRows, 3);
  const times = table.getChild('timestamp')!.data[0]!.values as BigInt64Array;
  assert.deepEqual([...times], [T0_NS + 2n, T0_NS + 1n, T0_NS]);
  assert.deepEqual(table.getChild('body')!.toArray(), ['request failed', 'level=info msg=hello', 'first']);
  assert.deepEqual(table.getChild('severity')!.toArray(), ['error', 'info', 'error']);
  const labels = [...table.getChild('labels')!].map((b) => JSON.parse(Buffer.from(b as Uint8Array).toString()) as Record<string, string>);
  assert.deepEqual(labels[1], { app: 'web' });
  assert.equal(new Set(table.getChild('id')!.toArray()).size, 3);
  const sent = seen.findLast((s) => s.path === '/loki/api/v1/query_range')!;
  assert.equal(sent.params.get('limit'), '10');
  assert.equal(sent.params.get('start'), '1700000000000000000');
});

test('QueryData: a metric query gives numeric timeseries-multi frames (what alerting reads)', async () => {
  const res = await call<{ responses: Record<string, DataResponse> }>(services.Data, 'QueryData', {
    pluginContext: pluginContext(),
    queries: [
      dataQuery('B', { expr: 'sum by (app) (rate({app="api"}[$__auto]))', legendFormat: '{{app}}' }),
      dataQuery('C', { expr: 'sum(count_over_time({app="api"}[5m]))', queryType: 'instant' }),
    ],
  });
  const b = tableFromIPC(res.responses.B!.frames[0]!);
  assert.equal(metaOf(b).type, 'timeseries-multi');
  assert.deepEqual(b.schema.fields.map((f) => [f.name, f.type.toString()]), [['Time', 'Timestamp<NANOSECOND>'], ['Value', 'Float64']]);
  assert.deepEqual([...b.getChild('Value')!.toArray()], [1, 2.5]);
  assert.deepEqual([...(b.getChild('Time')!.data[0]!.values as BigInt64Array)], [1_700_000_000_000_000_000n, 1_700_000_060_000_000_000n]);
  assert.equal(b.schema.fields[1]!.metadata.get('labels'), '{"app":"api"}');
  assert.match(b.schema.fields[1]!.metadata.get('config') ?? '', /"displayNameFromDS":"api"/);
  const sent = seen.find((s) => s.params.get('query')?.startsWith('sum by (app)'))!;
  assert.equal(sent.params.get('query'), 'sum by (app) (rate({app="api"}[1m]))', 'the $__auto macro is expanded to the step');
  const c = tableFromIPC(res.responses.C!.frames[0]!);
  assert.deepEqual([...c.getChild('Value')!.toArray()], [42]);
});

test('QueryData: lode errors are returned per query with its status', async () => {
  const res = await call<{ responses: Record<string, DataResponse> }>(services.Data, 'QueryData', {
    pluginContext: pluginContext(),
    queries: [dataQuery('E', { expr: 'syntax error here' }), dataQuery('F', { expr: '' })],
  });
  assert.equal(res.responses.E!.status, 400);
  assert.match(res.responses.E!.error, /syntax error/);
  assert.match(res.responses.F!.error, /query is empty/);
});

test('CallResource proxies label calls and refuses other paths', async () => {
  const client = new services.Resource(address, creds);
  const read = (path: string, url: string) =>
    new Promise<Array<{ code: number; body: Buffer }>>((resolve, reject) => {
      const out: Array<{ code: number; body: Buffer }> = [];
      const stream = (client as unknown as { CallResource: (r: object) => grpc.ClientReadableStream<{ code: number; body: Buffer }> }).CallResource({
        pluginContext: pluginContext(),
        path,
        method: 'GET',
        url,
      });
      stream.on('data', (d) => out.push(d));
      stream.on('end', () => resolve(out));
      stream.on('error', reject);
    });
  const [labels] = await read('labels', 'labels?start=1&end=2');
  assert.equal(labels!.code, 200);
  assert.deepEqual(JSON.parse(labels!.body.toString()), { status: 'success', data: ['app', 'level'] });
  assert.equal(seen.findLast((s) => s.path === '/loki/api/v1/labels')!.params.get('start'), '1');
  const [denied] = await read('push', 'push');
  assert.equal(denied!.code, 404);
  client.close();
});
