/**
 * Metadata endpoint benchmark (not a test): a Store with N streams (default 10,000) behind the
 * Loki query router on 127.0.0.1, then sequential keep-alive HTTP requests to `labels`,
 * `label/<name>/values`, `series` and `index/stats`; prints p50/p99/max latency per request.
 *
 *   node bench/dist/metadata.js [--streams 10000] [--requests 300] [--dir <tmp>] [--keep]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Koa from 'koa';
import { DEFAULT_LIMITS, Store, type StreamPush } from '@lode/store';
import { queryRouter } from '@lode/query';

const { values: flags } = parseArgs({
  options: {
    streams: { type: 'string', default: '10000' },
    requests: { type: 'string', default: '300' },
    dir: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
const STREAMS = Number(flags.streams);
const REQUESTS = Number(flags.requests);
const SECOND = 1_000_000_000n;

async function fill(store: Store): Promise<void> {
  const now = BigInt(Date.now()) * 1_000_000n - 600n * SECOND;
  const batch: StreamPush[] = [];
  for (let i = 0; i < STREAMS; i++) {
    batch.push({
      labels: { app: `app-${i % 50}`, namespace: `ns-${i % 20}`, env: ['prod', 'staging', 'dev'][i % 3]!, pod: `pod-${i}` },
      entries: [0n, 1n, 2n].map((k) => ({ ts: now + BigInt(i) * 1000n + k * SECOND, line: `level=info msg="hello ${i}" n=${k}` })),
    });
    if (batch.length === 500) await store.append('fake', batch.splice(0));
  }
  if (batch.length) await store.append('fake', batch);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function measure(base: string, path: string): Promise<{ p50: number; p99: number; max: number; bytes: number }> {
  let bytes = 0;
  for (let i = 0; i < 20; i++) await (await fetch(base + path)).arrayBuffer();
  const times: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const t = performance.now();
    const r = await fetch(base + path);
    const body = await r.arrayBuffer();
    times.push(performance.now() - t);
    if (r.status !== 200) throw new Error(`${path}: HTTP ${r.status} ${Buffer.from(body).toString()}`);
    bytes = body.byteLength;
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99), max: times.at(-1)!, bytes };
}

async function main(): Promise<void> {
  const dir = flags.dir ?? mkdtempSync(join(tmpdir(), 'lode-bench-'));
  const store = await Store.open({ dir, durability: 'none' });
  const started = performance.now();
  await fill(store);
  console.log(`filled ${STREAMS} streams (${STREAMS * 3} entries) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const app = new Koa();
  const router = queryRouter({
    store,
    limits: () => DEFAULT_LIMITS,
    resolveTenant: () => ({ ok: true, tenant: 'fake' }),
    version: 'bench',
  });
  app.use(router.routes());
  const server = createServer(app.callback());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const sel = (s: string) => encodeURIComponent(s);
  const cases: [string, string][] = [
    ['labels', '/loki/api/v1/labels'],
    ['labels {app="app-7"}', `/loki/api/v1/labels?query=${sel('{app="app-7"}')}`],
    ['label/app/values', '/loki/api/v1/label/app/values'],
    ['label/pod/values (10k values)', '/loki/api/v1/label/pod/values'],
    ['label/pod/values {app="app-7"}', `/loki/api/v1/label/pod/values?query=${sel('{app="app-7"}')}`],
    ['series {app="app-7"}', `/loki/api/v1/series?match[]=${sel('{app="app-7"}')}`],
    ['series {env="prod"} (3.3k)', `/loki/api/v1/series?match[]=${sel('{env="prod"}')}`],
    ['index/stats {app="app-7"}', `/loki/api/v1/index/stats?query=${sel('{app="app-7"}')}`],
    ['index/stats {env=~".+"} (all)', `/loki/api/v1/index/stats?query=${sel('{env=~".+"}')}`],
  ];
  console.log(`${REQUESTS} sequential requests each (after 20 warm-up), ms:`);
  console.log('endpoint'.padEnd(34) + 'p50'.padStart(8) + 'p99'.padStart(8) + 'max'.padStart(8) + 'bytes'.padStart(10));
  for (const [name, path] of cases) {
    const m = await measure(base, path);
    console.log(name.padEnd(34) + m.p50.toFixed(2).padStart(8) + m.p99.toFixed(2).padStart(8) + m.max.toFixed(2).padStart(8) + String(m.bytes).padStart(10));
  }
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await store.close();
  if (!flags.keep && !flags.dir) rmSync(dir, { recursive: true, force: true });
}

await main();
