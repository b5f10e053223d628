// The backend against a real `lode serve` (when the lode command is built): push lines, then QueryData and
// CheckHealth through the plugin protocol, and read the Arrow frames back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { tableFromIPC } from 'apache-arrow';
import { services } from './grpcDefs.js';
import { lodeBuilt, startLode, type TestLode } from './test-support/lodeServer.js';

const repo = fileURLToPath(new URL('../../../../../', import.meta.url));
const pkgDir = join(repo, 'packages/grafana-datasource');
const sea = join(pkgDir, 'dist', `gpx_lode_linux_${process.arch === 'x64' ? 'amd64' : process.arch}`);
const bundle = join(pkgDir, 'dist/node/backend.cjs');

let dataDir: string;
let lode: TestLode | undefined;
let backend: ChildProcess | undefined;
let lodeUrl = '';
let address = '';

const nowNs = BigInt(Date.now()) * 1_000_000n;

before(async () => {
  if (!lodeBuilt) return;
  dataDir = mkdtempSync(join(tmpdir(), 'lode-'));
  lode = await startLode(dataDir);
  lodeUrl = lode.url;
  const push = await fetch(`${lodeUrl}/loki/api/v1/push`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      streams: [
        { stream: { app: 'api', level: 'error' }, values: [[`${nowNs - 3_000_000_000n}`, 'db timeout'], [`${nowNs - 1_000_000_000n}`, 'db timeout again']] },
        { stream: { app: 'web' }, values: [[`${nowNs - 2_000_000_000n}`, 'level=info msg=ok']] },
      ],
    }),
  });
  assert.equal(push.status, 204, await push.text());

  backend = spawn(existsSync(sea) ? sea : process.execPath, existsSync(sea) ? [] : [bundle], {
    env: { ...process.env, grafana_plugin_type: 'datasource' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve) => createInterface({ input: backend!.stdout! }).once('line', resolve));
  address = line.split('|')[3]!;
});

after(() => {
  backend?.kill('SIGTERM');
  lode?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

function call<Res>(Service: grpc.ServiceClientConstructor, method: string, req: object): Promise<Res> {
  const client = new Service(address, grpc.credentials.createInsecure()) as unknown as grpc.Client & Record<string, (r: object, cb: (e: Error | null, res: Res) => void) => void>;
  return new Promise((resolve, reject) =>
    client[method]!.call(client, req, (err: Error | null, res: Res) => {
      client.close();
      if (err) reject(err);
      else resolve(res);
    }),
  );
}

const ctx = () => ({ orgId: 1, dataSourceInstanceSettings: { uid: 'lode', name: 'lode', url: lodeUrl, jsonData: Buffer.from('{}') } });
const range = () => ({ fromEpochMS: Date.now() - 3_600_000, toEpochMS: Date.now() + 1000 });

test('against lode serve: CheckHealth OK', { skip: !lodeBuilt && 'lode is not built' }, async () => {
  const res = await call<{ status: number; message: string }>(services.Diagnostics, 'CheckHealth', { pluginContext: ctx() });
  assert.equal(res.status, 1, res.message);
});

test('against lode serve: log and metric queries as Arrow frames', { skip: !lodeBuilt && 'lode is not built' }, async () => {
  const res = await call<{ responses: Record<string, { frames: Buffer[]; error: string }> }>(services.Data, 'QueryData', {
    pluginContext: ctx(),
    queries: [
      { refId: 'L', intervalMS: 1000, maxDataPoints: 100, timeRange: range(), json: Buffer.from(JSON.stringify({ expr: '{app=~"api|web"}', maxLines: 10 })) },
      { refId: 'M', intervalMS: 1000, maxDataPoints: 100, timeRange: range(), json: Buffer.from(JSON.stringify({ expr: 'sum by (app) (count_over_time({app=~"api|web"}[1h]))', queryType: 'instant' })) },
    ],
  });
  assert.equal(res.responses.L!.error, '');
  const logs = tableFromIPC(res.responses.L!.frames[0]!);
  assert.deepEqual(logs.getChild('body')!.toArray(), ['db timeout again', 'level=info msg=ok', 'db timeout']);
  assert.deepEqual(logs.getChild('severity')!.toArray(), ['error', 'info', 'error']);
  assert.equal(res.responses.M!.error, '');
  const counts = Object.fromEntries(
    res.responses.M!.frames.map((f) => {
      const t = tableFromIPC(f);
      return [JSON.parse(t.schema.fields[1]!.metadata.get('labels')!).app as string, t.getChild('Value')!.toArray()[0] as number];
    }),
  );
  assert.deepEqual(counts, { api: 2, web: 1 });
});
