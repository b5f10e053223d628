import assert from 'node:assert/strict';
import { test } from 'node:test';
import { met, percentOfTarget } from './figures.js';
import { parseIngest, parseMetadata, parseQuery, parseStore } from './parse.js';
import { parseSyslog } from './syslog.js';

// Printed summaries as the benchmarks wrote them in a real quick run (progress lines go to stderr).
const STORE = `corpus:             /tmp/lode-bench-corpus-v1-42-500000-100-1000.bin (cached, untimed)
entries:            500,000 in 100 streams, batches of 1000, 16 concurrent appenders, fsync, 1 encode worker(s), zstd 1, chunks cut at 256 KiB
ingest wall clock:  2.01 s → 249,225 entries/s, 29.7 MB/s (includes reading batches into entry objects)
ingest store only:  294,236 entries/s, 35.1 MB/s (wall clock minus 0.31 s of reading batches)
ingest CPU:         1.21 s all threads, main thread busy 87% of wall clock
ingest + flush:     185,990 entries/s (until every chunk is in LMDB)
chunks:             275, stored 10.3 MiB → compression 5.8:1 (chunk data incl. metadata/headers)
needle query:       2 of 275 chunks decoded (0.73%), 2 lines found, 82 ms
RSS:                265 MiB after ingest, peak 265 MiB during ingest (sampled every 250 ms); after ingest: JS heap 40 MiB, array buffers 9 MiB
`;

const INGEST = `lode serve, durability fsync, 4 clients × 1000-entry batches, 3s per protocol, 2 CPUs
protocol        entries/s  line MB/s  wire MB/s    entries  peak RSS MB
loki_json          78,824        9.9       12.1    240,000          234
loki_protobuf      36,571        4.6        1.4    110,000          273
otlp_protobuf     153,553        4.2        4.9    102,000          254
`;

const METADATA = `filled 10000 streams (30000 entries) in 1.2 s
100 sequential requests each (after 20 warm-up), ms:
endpoint                               p50     p99     max     bytes
labels                                3.35   44.47   44.47        59
label/pod/values (10k values)         5.72  101.69  101.69     53919
index/stats {env=~".+"} (all)         1.17   19.06   25.06        61
`;

const QUERY = `store:   500,000 entries in 100 streams over 60 min, 275 chunks

query                                                 median       min  result                             decoded  target
needle |= across all streams, limit 100                19 ms      9 ms  2 entries, 2 streams                 2/275  ≤ 60 ms
quantile_over_time(0.99, unwrap) by (app)          11,246 ms  6,334 ms  10 series × 257 steps              275/275  (Loki not measured)
sum by (level) (count | logfmt | status >= 500)     1,981 ms  1,922 ms  4 series × 258 steps               275/275  ≤ 1,175 ms
`;

test('store: rates, compression, needle share and RSS (MiB printed, MB compared)', () => {
  const f = parseStore(STORE);
  assert.deepEqual(f.map((x) => x.value), [249_225, 294_236, 185_990, 5.8, 0.73, 265 * 1.048576]);
  assert.deepEqual(f.map((x) => met(x)), [false, false, false, false, true, true]);
  assert.equal(percentOfTarget(f[4]!)!.toFixed(0), (500 / 0.73).toFixed(0));
});

test('ingest: one figure per protocol row plus the highest server RSS', () => {
  const f = parseIngest(INGEST);
  assert.deepEqual(f.map((x) => x.name), ['loki_json push', 'loki_protobuf push', 'otlp_protobuf push', 'server peak RSS while ingesting']);
  assert.deepEqual(f.map((x) => x.target?.value), [340_000, 340_000, 150_000, 500]);
  assert.deepEqual(f.map((x) => met(x)), [false, false, true, true]);
  assert.equal(f[3]!.value, 273 * 1.048576);
});

test('metadata: p99 per endpoint against 20 ms, names with digits and braces intact', () => {
  const f = parseMetadata(METADATA);
  assert.deepEqual(f.map((x) => x.name), ['labels p99', 'label/pod/values (10k values) p99', 'index/stats {env=~".+"} (all) p99']);
  assert.deepEqual(f.map((x) => x.value), [44.47, 101.69, 19.06]);
  assert.deepEqual(f.map((x) => met(x)), [false, false, true]);
});

test('query: median per query, target from its column, none for "(Loki not measured)"', () => {
  const f = parseQuery(QUERY);
  assert.deepEqual(f.map((x) => x.name), ['needle |= across all streams, limit 100', 'quantile_over_time(0.99, unwrap) by (app)', 'sum by (level) (count | logfmt | status >= 500)']);
  assert.deepEqual(f.map((x) => x.value), [19, 11_246, 1_981]);
  assert.deepEqual(f.map((x) => x.target?.value), [60, undefined, 1_175]);
  assert.deepEqual(f.map((x) => met(x)), [true, undefined, false]);
});

test('a changed output format fails with the missing line named, not with wrong numbers', () => {
  assert.throws(() => parseStore(STORE.replace('needle query:', 'needle:')), /store output has no "needle query" line/);
  assert.throws(() => parseIngest('protocol entries/s\n'), /no protocol rows/);
  assert.throws(() => parseMetadata('labels 1 2 3 4\n'), /no table header/);
  assert.throws(() => parseQuery(''), /no result rows/);
});

test('syslog: lines/s and server RSS from lode bench ingest --json; failed lines are an error', () => {
  const json = '{"protocol":"syslog-tcp","lines":100000,"bytes":12686869,"requests":100,"failedLines":0,"retries":0,"seconds":0.949,"linesPerSecond":105420,"mbPerSecond":13.37,"serverPeakRssBytes":213151744}';
  const f = parseSyslog(`${json}\n`);
  assert.deepEqual(f.map((x) => x.value), [105_420, 213.151744]);
  assert.deepEqual(f.map((x) => met(x)), [true, true]);
  assert.throws(() => parseSyslog(json.replace('"failedLines":0', '"failedLines":5')), /5 of 100000 syslog lines failed/);
  assert.throws(() => parseSyslog('not json'), /no JSON object/);
});
