/**
 * Store benchmark (not a test): seeded mixed logfmt / JSON / plain lines in N streams, appended
 * in-process with fsync durability in batches by a few concurrent appenders (so group commit
 * works). Prints ingest rate, compression ratio, chunks decoded for a rare needle, and RSS.
 *
 *   node bench/dist/store.js [--entries 5000000] [--streams 100] [--batch 1000]
 *                            [--appenders 16] [--seed 42] [--dir <tmp>] [--keep]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_LIMITS, Store, type Entry } from '@lode/store';

const { values: flags } = parseArgs({
  options: {
    entries: { type: 'string', default: '5000000' },
    streams: { type: 'string', default: '100' },
    batch: { type: 'string', default: '1000' },
    appenders: { type: 'string', default: '16' },
    seed: { type: 'string', default: '42' },
    dir: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
const TOTAL = Number(flags.entries);
const STREAMS = Number(flags.streams);
const BATCH = Number(flags.batch);
const APPENDERS = Number(flags.appenders);
const NEEDLE = 'needle-7f3a9c2e';

/** mulberry32: small, fast, seeded. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rand = rng(Number(flags.seed));
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
const int = (n: number) => Math.floor(rand() * n);
const hex = (len: number) => {
  let s = '';
  for (let i = 0; i < len; i++) s += '0123456789abcdef'[int(16)];
  return s;
};

const LEVELS = ['info', 'info', 'info', 'info', 'debug', 'debug', 'warn', 'error'];
const METHODS = ['GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE'];
const PATHS = ['/api/v1/users', '/api/v1/orders', '/api/v1/products', '/healthz', '/api/v2/search', '/login', '/api/v1/cart/items'];
const MSGS = ['request completed', 'cache miss', 'user authenticated', 'db query slow', 'retrying upstream call', 'payment accepted'];
const QUEUES = ['emails', 'invoices', 'thumbnails', 'webhooks'];

/** A request logs several lines with the same trace id, as real services do. */
let traceId = hex(16);
let requestId = hex(12);
function nextIds(): void {
  if (rand() < 0.25) {
    traceId = hex(16);
    requestId = hex(12);
  }
}

function line(streamIdx: number, n: number): string {
  nextIds();
  const kind = streamIdx % 3;
  const level = pick(LEVELS);
  if (kind === 0) {
    return `level=${level} msg="${pick(MSGS)}" method=${pick(METHODS)} path=${pick(PATHS)}/${int(5000)} status=${pick([200, 200, 200, 201, 204, 404, 500])} duration_ms=${int(900)} trace_id=${traceId} user_id=${int(2000)}`;
  }
  if (kind === 1) {
    return `{"level":"${level}","msg":"${pick(MSGS)}","service":"svc-${streamIdx}","request_id":"${requestId}","latency_ms":${int(2000)},"path":"${pick(PATHS)}","attempt":${int(4)},"seq":${n}}`;
  }
  return `${level.toUpperCase()} [worker-${int(16)}] Processing job ${int(1_000_000)} for queue ${pick(QUEUES)}: ${pick(MSGS)} after ${int(5000)}ms`;
}

const dir = flags.dir ?? mkdtempSync(join(tmpdir(), 'lode-bench-'));
const store = await Store.open({
  dir,
  durability: 'fsync',
  limits: () => ({ ...DEFAULT_LIMITS, reject_old_samples: false, max_global_streams_per_user: 0 }),
  maintenanceIntervalMs: 0,
});

const labels = Array.from({ length: STREAMS }, (_, i) => ({ app: `app-${i % 10}`, instance: `i-${i}`, env: i % 4 === 0 ? 'dev' : 'prod' }));
const startNs = BigInt(Date.now()) * 1_000_000n - 3_600_000_000_000n;
// Two needle lines in the whole dataset: far under 0.1% of chunks.
const needleAt = new Set([Math.floor(TOTAL * 0.31), Math.floor(TOTAL * 0.77)]);

let produced = 0;
let rawBytes = 0;
let genMs = 0;
let peakRss = 0;

/** One append call: BATCH entries spread over a few streams, as a shipper's batch would be. */
function makeBatch(): { labels: (typeof labels)[number]; entries: Entry[] }[] {
  const t0 = performance.now();
  const perStream = new Map<number, Entry[]>();
  const n = Math.min(BATCH, TOTAL - produced);
  const first = int(STREAMS);
  for (let i = 0; i < n; i++) {
    const s = (first + (i % 10)) % STREAMS;
    const idx = produced++;
    let text = line(s, idx);
    if (needleAt.has(idx)) text += ` ${NEEDLE}`;
    rawBytes += Buffer.byteLength(text);
    let list = perStream.get(s);
    if (!list) perStream.set(s, (list = []));
    list.push({ ts: startNs + BigInt(idx) * 500n, line: text });
  }
  genMs += performance.now() - t0;
  return [...perStream].map(([s, entries]) => ({ labels: labels[s], entries }));
}

async function appender(): Promise<void> {
  while (produced < TOTAL) {
    const res = await store.append('bench', makeBatch());
    if (res.rejected.length > 0) throw new Error(`unexpected rejection: ${res.rejected[0].message}`);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }
}

const t0 = performance.now();
const progress = setInterval(() => process.stderr.write(`\r${produced.toLocaleString()} / ${TOTAL.toLocaleString()}`), 1000);
await Promise.all(Array.from({ length: APPENDERS }, appender));
const ingestMs = performance.now() - t0;
clearInterval(progress);
process.stderr.write('\n');
const rssAfterIngest = process.memoryUsage().rss;
const t1 = performance.now();
await store.flush();
const flushMs = performance.now() - t1;

const m = store.metrics();
const decodedBefore = m.chunksDecoded;
const t2 = performance.now();
let found = 0;
for (const e of store.entries('bench', { from: 0n, to: 1n << 62n, matchers: [{ name: 'env', op: '=~', value: 'dev|prod' }], direction: 'forward', lineContains: [NEEDLE] })) {
  if (e.line.includes(NEEDLE)) found++;
}
const needleMs = performance.now() - t2;
const decoded = store.metrics().chunksDecoded - decodedBefore;

const storeMs = ingestMs - genMs;
const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
console.log(`entries:            ${fmt(TOTAL)} in ${STREAMS} streams, batches of ${BATCH}, ${APPENDERS} concurrent appenders, fsync`);
console.log(`ingest wall clock:  ${fmt(ingestMs / 1000, 2)} s  → ${fmt(TOTAL / (ingestMs / 1000))} entries/s, ${fmt(rawBytes / 1048576 / (ingestMs / 1000), 1)} MB/s (includes generating the lines)`);
console.log(`ingest store only:  ${fmt(TOTAL / (storeMs / 1000))} entries/s, ${fmt(rawBytes / 1048576 / (storeMs / 1000), 1)} MB/s (wall clock minus ${fmt(genMs / 1000, 2)} s of line generation)`);
console.log(`final flush:        ${fmt(flushMs / 1000, 2)} s`);
console.log(`raw line bytes:     ${fmt(rawBytes / 1048576, 1)} MiB`);
console.log(`chunks:             ${fmt(m.chunks)}, stored ${fmt(m.chunkStoredBytes / 1048576, 1)} MiB → compression ${fmt(rawBytes / m.chunkStoredBytes, 1)}:1 (chunk data incl. metadata/headers)`);
const lmdbBytes = m.diskBytes - m.walBytes;
console.log(`LMDB file:          ${fmt(lmdbBytes / 1048576, 1)} MiB → ${fmt(rawBytes / lmdbBytes, 1)}:1 (chunks + filters + index + free pages); WAL ${fmt(m.walBytes / 1048576, 1)} MiB awaiting segment rotation`);
console.log(`needle query:       ${fmt(decoded)} of ${fmt(m.chunks)} chunks decoded (${fmt((100 * decoded) / m.chunks, 2)}%), ${found} lines found, ${fmt(needleMs, 0)} ms`);
console.log(`RSS:                ${fmt(rssAfterIngest / 1048576)} MiB after ingest, peak ${fmt(peakRss / 1048576)} MiB during ingest`);

await store.close();
if (!flags.keep && !flags.dir) rmSync(dir, { recursive: true, force: true });
