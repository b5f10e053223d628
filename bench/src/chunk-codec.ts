/**
 * Chunk codec benchmark (not a test): the store benchmark's seeded corpus (mixed logfmt / JSON /
 * plain lines, see corpus.ts) cut per stream into chunks the way the store's head cuts them, then
 * encoded and decoded in each encoding and zstd level, on one thread. Prints the compression
 * ratio (raw line bytes / chunk bytes, timestamps and headers included; content filters not),
 * encode speed (what the encode worker does per chunk: body, zstd, content filter) and decode
 * speed (`decodeChunk` plus the lines block, what a scanning query asks for), in MB/s of line
 * bytes and ns per line. Times are CPU time of this thread, which other load on the machine
 * disturbs less than the wall clock; the median of `--runs` runs.
 *
 *   node bench/dist/chunk-codec.js [--entries 1000000] [--streams 100] [--seed 42]
 *                                  [--chunk-kib 256] [--levels 1,3,6] [--encodings lines,columnar]
 *                                  [--runs 5]
 */
import { parseArgs } from 'node:util';
import { decodeChunk, encodeColumns, toColumns, type ChunkEncoding, type RawEntry } from '@lode/store';
import { CorpusReader, corpusPath, ensureCorpus } from './corpus.js';

const { values: flags } = parseArgs({
  options: {
    entries: { type: 'string', default: '1000000' },
    streams: { type: 'string', default: '100' },
    seed: { type: 'string', default: '42' },
    'chunk-kib': { type: 'string', default: '256' },
    levels: { type: 'string', default: '1,3,6' },
    encodings: { type: 'string', default: 'lines,columnar' },
    runs: { type: 'string', default: '5' },
  },
});
const params = { entries: Number(flags.entries), streams: Number(flags.streams), batch: 1000, seed: Number(flags.seed) };
const CHUNK_BYTES = Number(flags['chunk-kib']) * 1024;
const RUNS = Number(flags.runs);
const LEVELS = flags.levels.split(',').map(Number);
const ENCODINGS = flags.encodings.split(',') as ChunkEncoding[];
for (const [name, v] of Object.entries({ ...params, 'chunk-kib': CHUNK_BYTES, runs: RUNS })) {
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} must be a positive integer, got ${v}`);
}
if (params.streams > 65535) throw new Error('--streams must be in 1..65535');
for (const level of LEVELS) if (!Number.isInteger(level) || level < 1 || level > 19) throw new Error(`--levels: ${level} is not a zstd level 1..19`);
for (const e of ENCODINGS) if (e !== 'lines' && e !== 'columnar') throw new Error(`--encodings: ${e} is not lines or columnar`);

const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const path = corpusPath(params);
ensureCorpus(params, path);

/** Per stream, entries until their lines reach the chunk size: the store's head blocks. */
function cutChunks(): RawEntry[][] {
  const reader = new CorpusReader(path, 1_700_000_000_000_000_000n);
  const heads = new Map<number, { entries: RawEntry[]; bytes: number }>();
  const chunks: RawEntry[][] = [];
  for (let batch = reader.next(); batch; batch = reader.next()) {
    for (const { streamIdx, entries } of batch) {
      let head = heads.get(streamIdx);
      if (!head) heads.set(streamIdx, (head = { entries: [], bytes: 0 }));
      for (const e of entries) {
        head.entries.push(e);
        head.bytes += Buffer.byteLength(e.line);
        if (head.bytes >= CHUNK_BYTES) {
          chunks.push(head.entries);
          head.entries = [];
          head.bytes = 0;
        }
      }
    }
  }
  reader.close();
  for (const head of heads.values()) if (head.entries.length > 0) chunks.push(head.entries);
  return chunks;
}

/** CPU time of this thread for fn, in ms. */
function cpuMs(fn: () => void): number {
  const start = process.cpuUsage();
  fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

const chunks = cutChunks();
const lines = chunks.reduce((n, c) => n + c.length, 0);
const rawBytes = chunks.reduce((n, c) => n + c.reduce((m, e) => m + Buffer.byteLength(e.line), 0), 0);
console.log(`corpus:  ${fmt(params.entries)} entries in ${params.streams} streams → ${fmt(chunks.length)} chunks of ~${flags['chunk-kib']} KiB, ${fmt(lines)} lines, ${fmt(rawBytes / 1048576, 1)} MiB of lines`);
console.log(`method:  one thread, CPU time, median of ${RUNS} runs; ratio = line bytes / chunk bytes (timestamps, headers included; filters not)\n`);
console.log(`${'encoding'.padEnd(10)}${'zstd'.padStart(5)}${'ratio'.padStart(9)}${'encode MB/s'.padStart(13)}${'ns/line'.padStart(9)}${'decode MB/s'.padStart(13)}${'ns/line'.padStart(9)}`);

for (const encoding of ENCODINGS) {
  for (const level of LEVELS) {
    const encodeTimes: number[] = [];
    let data: Buffer[] = [];
    for (let run = 0; run < RUNS; run++) {
      // Columns are transferred to the worker in the store, so each run encodes fresh ones.
      const columns = chunks.map(toColumns);
      encodeTimes.push(cpuMs(() => (data = columns.map((c) => encodeColumns(c, { level, encoding }).data))));
    }
    for (let k = 0; k < chunks.length; k++) {
      const chunk = decodeChunk(data[k]!);
      for (let i = 0; i < chunk.length; i++) {
        if (chunk.line(i) !== chunks[k]![i]!.line) throw new Error(`${encoding} level ${level}: chunk ${k} line ${i} does not read back`);
      }
    }
    const decodeTimes: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      decodeTimes.push(cpuMs(() => {
        for (const d of data) decodeChunk(d).linesBlock();
      }));
    }
    const stored = data.reduce((n, d) => n + d.length, 0);
    const enc = median(encodeTimes);
    const dec = median(decodeTimes);
    const mbs = (ms: number) => fmt(rawBytes / 1048576 / (ms / 1000));
    const ns = (ms: number) => fmt((ms * 1e6) / lines);
    console.log(
      `${encoding.padEnd(10)}${String(level).padStart(5)}${`${fmt(rawBytes / stored, 2)}:1`.padStart(9)}${mbs(enc).padStart(13)}${ns(enc).padStart(9)}${mbs(dec).padStart(13)}${ns(dec).padStart(9)}`,
    );
  }
}
