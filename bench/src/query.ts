/**
 * Query benchmark (not a test): the store benchmark's seeded corpus (mixed logfmt / JSON / plain
 * lines in 100 streams, see corpus.ts) spread evenly over one hour and loaded straight into a
 * `Store`, then each LogQL query of issue 4's list is run several times in-process through
 * `evaluateRange` (the engine behind `/loki/api/v1/query_range`, without HTTP and JSON encoding)
 * over the whole hour, and its median latency printed.
 *
 * The loaded data dir is cached in the temp dir (keyed by the corpus parameters and the span), so
 * reruns skip the load; `--fresh` rebuilds it.
 *
 *   node bench/dist/query.js [--entries 5000000] [--streams 100] [--seed 42] [--span-min 60]
 *                            [--chunk-encoding columnar|lines] [--decode-workers 1] [--runs 5] [--only <name substring>] [--fresh]
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { evaluateRange, type QueryResult } from '@lode/query';
import { DEFAULT_LIMITS, Store, type ChunkEncoding, type Limits } from '@lode/store';
import { CorpusReader, corpusPath, ensureCorpus, NEEDLE } from './corpus.js';

const { values: flags } = parseArgs({
  options: {
    entries: { type: 'string', default: '5000000' },
    streams: { type: 'string', default: '100' },
    seed: { type: 'string', default: '42' },
    'span-min': { type: 'string', default: '60' },
    runs: { type: 'string', default: '5' },
    only: { type: 'string' },
    /** How the loaded store writes its chunks (the store's default: columnar). */
    'chunk-encoding': { type: 'string', default: 'columnar' },
    /** Worker threads decoding chunks ahead of the scan (the store's default: 1; 0 decodes on the main thread). */
    'decode-workers': { type: 'string', default: '1' },
    fresh: { type: 'boolean', default: false },
  },
});
const params = { entries: Number(flags.entries), streams: Number(flags.streams), batch: 1000, seed: Number(flags.seed) };
const SPAN_MIN = Number(flags['span-min']);
const RUNS = Number(flags.runs);
for (const [name, v] of Object.entries({ ...params, 'span-min': SPAN_MIN, runs: RUNS })) {
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} must be a positive integer, got ${v}`);
}
const DECODE_WORKERS = Number(flags['decode-workers']);
if (!Number.isInteger(DECODE_WORKERS) || DECODE_WORKERS < 0) throw new Error(`--decode-workers must be a non-negative integer, got ${flags['decode-workers']}`);
if (params.streams > 65535) throw new Error('--streams must be in 1..65535');
const ENCODINGS: readonly ChunkEncoding[] = ['columnar', 'lines'];
const encoding = flags['chunk-encoding'] as ChunkEncoding;
if (!ENCODINGS.includes(encoding)) throw new Error(`--chunk-encoding must be columnar or lines, got ${flags['chunk-encoding']}`);

const TENANT = 'bench';
/** A fixed start, so a cached data dir answers the same queries on every run. */
const FROM = BigInt(Date.UTC(2025, 0, 1)) * 1_000_000n;
const SPAN = BigInt(SPAN_MIN) * 60_000_000_000n;
/** The corpus numbers its entries; entry i lands at FROM + i × spacing. */
const SPACING = SPAN / BigInt(params.entries);
const TO = FROM + SPAN;
/** The corpus reader places entry i at base + i × 500 ns; rescaled to SPACING below. */
const CORPUS_STEP = 500n;

const limits: Limits = { ...DEFAULT_LIMITS, reject_old_samples: false, max_global_streams_per_user: 0, query_timeout: 600_000 };
const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

// The name follows the chunk format: a cached store of other chunks would measure them.
const dir = join(tmpdir(), `lode-bench-query-${encoding}-${params.seed}-${params.entries}-${params.streams}-${SPAN_MIN}m`);
const ready = join(dir, 'LOADED');
if (flags.fresh) rmSync(dir, { recursive: true, force: true });
if (!existsSync(ready)) await load();
else console.log(`data:    ${dir} (cached)`);

const store = await Store.open({ dir, durability: 'none', limits: () => limits, maintenanceIntervalMs: 0, chunkEncoding: encoding, decodeWorkers: DECODE_WORKERS });
const { chunks } = store.metrics();

interface BenchQuery {
  name: string;
  query: string;
  limit: number;
  target: string;
}
const ALL = '{app=~"app-.*"}';
const QUERIES: BenchQuery[] = [
  { name: 'needle |= across all streams, limit 100', query: `${ALL} |= "${NEEDLE}"`, limit: 100, target: '≤ 60 ms' },
  { name: 'label selection, limit 1000', query: '{app="app-3", env="prod"}', limit: 1000, target: '≤ 100 ms' },
  { name: 'sum by (app) (count_over_time [1m])', query: `sum by (app) (count_over_time(${ALL}[1m]))`, limit: 100, target: '≤ 500 ms' },
  { name: '| json | level="error", limit 1000', query: `${ALL} | json | level="error"`, limit: 1000, target: '≤ 90 ms' },
  {
    name: 'topk(3, sum by (instance) (rate |~ [5m]))',
    query: `topk(3, sum by (instance) (rate(${ALL} |~ "status=5\\\\d\\\\d" [5m])))`,
    limit: 100,
    target: '≤ 485 ms',
  },
  {
    name: 'quantile_over_time(0.99, unwrap) by (app)',
    query: `quantile_over_time(0.99, ${ALL} | logfmt | __error__="" | unwrap duration_ms [5m]) by (app)`,
    limit: 100,
    target: '(Loki not measured)',
  },
  {
    name: 'sum by (level) (count | logfmt | status >= 500)',
    query: `sum by (level) (count_over_time(${ALL} | logfmt | status >= 500 [1m]))`,
    limit: 100,
    target: '≤ 1,175 ms',
  },
];

console.log(`store:   ${fmt(params.entries)} entries in ${params.streams} streams over ${SPAN_MIN} min, ${fmt(chunks)} ${encoding} chunks, ${DECODE_WORKERS} decode worker(s)`);
console.log(`method:  evaluateRange (query_range semantics, in-process, no HTTP) over [from, to), default step, direction backward; median of ${RUNS} runs\n`);
console.log(`${'query'.padEnd(50)} ${'median'.padStart(9)} ${'min'.padStart(9)}  ${'result'.padEnd(28)} ${'decoded'.padStart(13)}  target`);
for (const q of QUERIES) {
  if (flags.only && !q.name.includes(flags.only)) continue;
  const times: number[] = [];
  let last: QueryResult | undefined;
  let decoded = 0;
  for (let r = 0; r < RUNS; r++) {
    const before = store.metrics().chunksDecoded;
    const t0 = performance.now();
    last = await evaluateRange(store, { tenant: TENANT, query: q.query, start: FROM, end: TO, limit: q.limit, direction: 'backward', limits });
    times.push(performance.now() - t0);
    decoded = store.metrics().chunksDecoded - before;
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)] as number;
  console.log(
    `${q.name.padEnd(50)} ${`${fmt(median)} ms`.padStart(9)} ${`${fmt(times[0] as number)} ms`.padStart(9)}  ${describe(last as QueryResult).padEnd(28)} ${`${fmt(decoded)}/${fmt(chunks)}`.padStart(13)}  ${q.target}`,
  );
}
await store.close();

function describe(r: QueryResult): string {
  if (r.resultType === 'streams') return `${r.result.reduce((n, s) => n + s.values.length, 0)} entries, ${r.result.length} streams`;
  if (r.resultType === 'matrix') return `${r.result.length} series × ${r.result[0]?.values.length ?? 0} steps`;
  if (r.resultType === 'vector') return `${r.result.length} samples`;
  return 'scalar';
}

async function load(): Promise<void> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const path = corpusPath(params);
  ensureCorpus(params, path);
  const t0 = performance.now();
  const s = await Store.open({ dir, durability: 'none', limits: () => limits, maintenanceIntervalMs: 0, chunkEncoding: encoding });
  const labels = Array.from({ length: params.streams }, (_, i) => ({ app: `app-${i % 10}`, instance: `i-${i}`, env: i % 4 === 0 ? 'dev' : 'prod' }));
  const reader = new CorpusReader(path, 0n);
  let n = 0;
  for (let batch = reader.next(); batch; batch = reader.next()) {
    const push = batch.map((b) => {
      for (const e of b.entries) e.ts = FROM + (e.ts / CORPUS_STEP) * SPACING;
      n += b.entries.length;
      return { labels: labels[b.streamIdx] as Record<string, string>, entries: b.entries };
    });
    const res = await s.append(TENANT, push);
    if (res.rejected.length > 0) throw new Error(`unexpected rejection: ${res.rejected[0]?.message}`);
    if (n % 500_000 < params.batch) process.stderr.write(`\rloading ${fmt(n)} / ${fmt(params.entries)}`);
  }
  reader.close();
  await s.close();
  writeFileSync(ready, JSON.stringify({ from: FROM.toString(), to: TO.toString() }));
  process.stderr.write('\n');
  console.log(`data:    ${dir} (loaded in ${fmt((performance.now() - t0) / 1000, 1)} s)`);
}
