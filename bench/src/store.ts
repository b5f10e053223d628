/**
 * Store benchmark (not a test): seeded mixed logfmt / JSON / plain lines in N streams (see
 * corpus.ts), appended in-process with fsync durability in batches by a few concurrent appenders
 * (so group commit works). Prints ingest rate, compression ratio, chunks decoded for a rare
 * needle, and RSS.
 *
 * The corpus is generated before the clock starts (and cached in the temp dir); during the run
 * each batch is read back and turned into entry objects, which is timed apart and reported both
 * with and without.
 *
 *   node bench/dist/store.js [--entries 5000000] [--streams 100] [--batch 1000]
 *                            [--appenders 16] [--seed 42] [--encode-workers 1] [--zstd-level 1]
 *                            [--chunk-encoding columnar|lines] [--chunk-kib 256] [--dir <tmp>] [--keep]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_LIMITS, Store } from '@lode/store';
import { CorpusReader, corpusPath, ensureCorpus, NEEDLE } from './corpus.js';

const { values: flags } = parseArgs({
  options: {
    entries: { type: 'string', default: '5000000' },
    streams: { type: 'string', default: '100' },
    batch: { type: 'string', default: '1000' },
    appenders: { type: 'string', default: '16' },
    seed: { type: 'string', default: '42' },
    'encode-workers': { type: 'string', default: '1' },
    'zstd-level': { type: 'string', default: '1' },
    'chunk-encoding': { type: 'string' },
    'chunk-kib': { type: 'string', default: '256' },
    dir: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
const params = { entries: Number(flags.entries), streams: Number(flags.streams), batch: Number(flags.batch), seed: Number(flags.seed) };
const APPENDERS = Number(flags.appenders);
const ENCODE_WORKERS = Number(flags['encode-workers']);
const ZSTD_LEVEL = Number(flags['zstd-level']);
const CHUNK_KIB = Number(flags['chunk-kib']);
for (const [name, v] of Object.entries({ ...params, appenders: APPENDERS, 'encode-workers': ENCODE_WORKERS, 'zstd-level': ZSTD_LEVEL, 'chunk-kib': CHUNK_KIB })) {
  if (!Number.isInteger(v) || v < 0) throw new Error(`--${name} must be a non-negative integer, got ${v}`);
}
if (params.streams < 1 || params.streams > 65535) throw new Error('--streams must be in 1..65535');
const CHUNK_ENCODING = flags['chunk-encoding'];
if (CHUNK_ENCODING !== undefined && CHUNK_ENCODING !== 'columnar' && CHUNK_ENCODING !== 'lines') {
  throw new Error(`--chunk-encoding must be columnar or lines, got ${CHUNK_ENCODING}`);
}

const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const path = corpusPath(params);
const { rawBytes, generatedMs } = ensureCorpus(params, path);
console.log(`corpus:             ${path} (${generatedMs > 0 ? `generated in ${fmt(generatedMs / 1000, 2)} s` : 'cached'}, untimed)`);

const dir = flags.dir ?? mkdtempSync(join(tmpdir(), 'lode-bench-'));
const store = await Store.open({
  dir,
  durability: 'fsync',
  limits: () => ({ ...DEFAULT_LIMITS, reject_old_samples: false, max_global_streams_per_user: 0 }),
  maintenanceIntervalMs: 0,
  encodeWorkers: ENCODE_WORKERS,
  chunkCompressionLevel: ZSTD_LEVEL,
  chunkEncoding: CHUNK_ENCODING,
  chunkTargetBytes: CHUNK_KIB * 1024,
});

const labels = Array.from({ length: params.streams }, (_, i) => ({ app: `app-${i % 10}`, instance: `i-${i}`, env: i % 4 === 0 ? 'dev' : 'prod' }));
const reader = new CorpusReader(path, BigInt(Date.now()) * 1_000_000n - 3_600_000_000_000n);

let appended = 0;
let readMs = 0;
let peakRss = 0;
let exhausted = false;

async function appender(): Promise<void> {
  for (;;) {
    const t0 = performance.now();
    const batch = exhausted ? undefined : reader.next();
    readMs += performance.now() - t0;
    if (!batch) {
      exhausted = true;
      return;
    }
    let n = 0;
    const push = batch.map((b) => {
      n += b.entries.length;
      return { labels: labels[b.streamIdx], entries: b.entries };
    });
    const res = await store.append('bench', push);
    if (res.rejected.length > 0) throw new Error(`unexpected rejection: ${res.rejected[0].message}`);
    appended += n;
  }
}

const sampleRss = () => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
};
const cpu0 = process.cpuUsage();
const elu0 = performance.eventLoopUtilization();
const t0 = performance.now();
const progress = setInterval(() => {
  sampleRss();
  process.stderr.write(`\r${fmt(appended)} / ${fmt(params.entries)}`);
}, 250);
await Promise.all(Array.from({ length: APPENDERS }, appender));
const ingestMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const elu = performance.eventLoopUtilization(elu0);
clearInterval(progress);
sampleRss();
reader.close();
process.stderr.write('\n');
const memAfterIngest = process.memoryUsage();
const rssAfterIngest = memAfterIngest.rss;
const t1 = performance.now();
await store.flush();
const flushMs = performance.now() - t1;
const cpuAll = process.cpuUsage(cpu0);

const m = store.metrics();
const decodedBefore = m.chunksDecoded;
const t2 = performance.now();
let found = 0;
for (const e of store.entries('bench', { from: 0n, to: 1n << 62n, matchers: [{ name: 'env', op: '=~', value: 'dev|prod' }], direction: 'forward', lineContains: [NEEDLE] })) {
  if (e.line.includes(NEEDLE)) found++;
}
const needleMs = performance.now() - t2;
const decoded = store.metrics().chunksDecoded - decodedBefore;

const storeMs = ingestMs - readMs;
const total = appended;
console.log(`entries:            ${fmt(total)} in ${params.streams} streams, batches of ${params.batch}, ${APPENDERS} concurrent appenders, fsync, ${ENCODE_WORKERS} encode worker(s), zstd ${ZSTD_LEVEL}, ${CHUNK_ENCODING ?? 'default-encoding'} chunks cut at ${CHUNK_KIB} KiB`);
console.log(`ingest wall clock:  ${fmt(ingestMs / 1000, 2)} s → ${fmt(total / (ingestMs / 1000))} entries/s, ${fmt(rawBytes / 1048576 / (ingestMs / 1000), 1)} MB/s (includes reading batches into entry objects)`);
console.log(`ingest store only:  ${fmt(total / (storeMs / 1000))} entries/s, ${fmt(rawBytes / 1048576 / (storeMs / 1000), 1)} MB/s (wall clock minus ${fmt(readMs / 1000, 2)} s of reading batches)`);
const cpuSec = (cpu.user + cpu.system) / 1e6;
const cpuAllSec = (cpuAll.user + cpuAll.system) / 1e6;
console.log(`ingest CPU:         ${fmt(cpuSec, 2)} s all threads, main thread busy ${fmt(elu.utilization * 100)}% of wall clock`);
console.log(`CPU per entry:      ${fmt((cpuAllSec * 1e6) / total, 2)} µs over ingest + final flush (${fmt(cpuAllSec, 2)} s) → ${fmt(total / cpuAllSec)} entries per CPU-second`);
console.log(`ingest + flush:     ${fmt(total / ((ingestMs + flushMs) / 1000))} entries/s (until every chunk is in LMDB)`);
console.log(`final flush:        ${fmt(flushMs / 1000, 2)} s`);
console.log(`raw line bytes:     ${fmt(rawBytes / 1048576, 1)} MiB`);
console.log(`chunks:             ${fmt(m.chunks)}, stored ${fmt(m.chunkStoredBytes / 1048576, 1)} MiB → compression ${fmt(rawBytes / m.chunkStoredBytes, 1)}:1 (chunk data incl. metadata/headers)`);
const lmdbBytes = m.diskBytes - m.walBytes;
console.log(`LMDB file:          ${fmt(lmdbBytes / 1048576, 1)} MiB → ${fmt(rawBytes / lmdbBytes, 1)}:1 (chunks + filters + index + free pages); WAL ${fmt(m.walBytes / 1048576, 1)} MiB awaiting segment rotation`);
console.log(`needle query:       ${fmt(decoded)} of ${fmt(m.chunks)} chunks decoded (${fmt((100 * decoded) / m.chunks, 2)}%), ${found} lines found, ${fmt(needleMs, 0)} ms`);
console.log(`RSS:                ${fmt(rssAfterIngest / 1048576)} MiB after ingest, peak ${fmt(peakRss / 1048576)} MiB during ingest (sampled every 250 ms); after ingest: JS heap ${fmt(memAfterIngest.heapUsed / 1048576)} MiB, array buffers ${fmt(memAfterIngest.arrayBuffers / 1048576)} MiB`);

await store.close();
if (!flags.keep && !flags.dir) rmSync(dir, { recursive: true, force: true });
