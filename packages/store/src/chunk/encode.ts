/**
 * Chunk encoder. The body (before compression) is columnar, which compresses better than
 * entry-by-entry records and lets the decoder find every line without touching the line bytes:
 *
 *   zigzag varint   first timestamp (signed 64-bit ns)
 *   varint          e: every delta below is a multiple of 10^e ns (sources often stamp in ms or µs)
 *   varint × (n-1)  timestamp deltas / 10^e (entries are sorted, so deltas are >= 0)
 *   varint × n      line byte lengths
 *   varint          metadata dictionary size D (distinct names and values of the chunk)
 *   D × (varint length, UTF-8 bytes)   the dictionary strings, in first-use order
 *   if D > 0, per entry: varint pair count P, then P × (varint name index, varint value index)
 *   the lines' UTF-8 bytes back to back
 */
import { Compressor } from 'zstd-napi';
import type { Labels } from '../model.js';
import { ByteWriter } from './bytes.js';
import { buildFilter } from './filter.js';
import {
  chunkChecksum,
  CODEC_STORED,
  CODEC_ZSTD,
  FORMAT_VERSION,
  HEADER_SIZE,
  MAGIC_0,
  MAGIC_1,
  MAX_RAW_BODY,
} from './format.js';
import type { EncodedChunk, RawEntry } from './types.js';

const MIN_INT64 = -(1n << 63n);
const MAX_INT64 = (1n << 63n) - 1n;
/**
 * zstd level 3: on ~256 KiB chunks of generated mixed logs it compresses ~3% better than levels
 * 1–2 while encoding stays dominated by the content filter, and decoding speed is the same.
 */
const DEFAULT_LEVEL = 3;
/** 10^e for every e whose multiples can be deltas of int64 timestamps. */
const POW10 = Array.from({ length: 19 }, (_, e) => 10n ** BigInt(e));

/** One compressor reused for every chunk; its context is the costly part to create. */
const compressor = new Compressor();
let compressorLevel = -1;

function compressBody(body: Buffer, level: number): Buffer {
  if (level !== compressorLevel) {
    compressor.setParameters({ compressionLevel: level, checksumFlag: false });
    compressorLevel = level;
  }
  return compressor.compress(body);
}

function checkEntry(entry: RawEntry, i: number, prevTs: bigint | undefined): void {
  if (typeof entry.ts !== 'bigint' || entry.ts < MIN_INT64 || entry.ts > MAX_INT64) {
    throw new RangeError(`encodeChunk: entry ${i} has a timestamp that is not a signed 64-bit bigint of nanoseconds`);
  }
  if (prevTs !== undefined && entry.ts < prevTs) {
    throw new RangeError(`encodeChunk: entry ${i} is older than entry ${i - 1}; sort entries by ts before encoding`);
  }
  if (typeof entry.line !== 'string') throw new TypeError(`encodeChunk: entry ${i} has a line that is not a string`);
}

/** Largest e such that every delta between neighbouring timestamps is a multiple of 10^e. */
function timestampScale(entries: readonly RawEntry[]): number {
  let e = POW10.length - 1;
  for (let i = 1; i < entries.length && e > 0; i++) {
    const delta = entries[i]!.ts - entries[i - 1]!.ts;
    while (e > 0 && delta % POW10[e]! !== 0n) e--;
  }
  return e;
}

function writeTimestamps(entries: readonly RawEntry[], out: ByteWriter): void {
  const first = entries[0]!.ts;
  out.bigUint(first >= 0n ? first << 1n : (-first << 1n) - 1n);
  const e = timestampScale(entries);
  out.uint(e);
  const scale = POW10[e]!;
  for (let i = 1; i < entries.length; i++) out.bigUint((entries[i]!.ts - entries[i - 1]!.ts) / scale);
}

/** Writes the per-entry metadata section and its dictionary into `out`. */
function writeMetadata(entries: readonly RawEntry[], out: ByteWriter): void {
  const dictionary = new Map<string, number>();
  const pairs = new ByteWriter(entries.length * 2);
  const idOf = (s: string): number => {
    let id = dictionary.get(s);
    if (id === undefined) {
      id = dictionary.size;
      dictionary.set(s, id);
    }
    return id;
  };
  for (let i = 0; i < entries.length; i++) {
    const metadata: Labels | undefined = entries[i]!.metadata;
    if (metadata === undefined) {
      pairs.uint(0);
      continue;
    }
    const names = Object.keys(metadata);
    pairs.uint(names.length);
    for (const name of names) {
      const value = metadata[name];
      if (typeof value !== 'string') {
        throw new TypeError(`encodeChunk: entry ${i} has metadata "${name}" whose value is not a string`);
      }
      pairs.uint(idOf(name));
      pairs.uint(idOf(value));
    }
  }
  out.uint(dictionary.size);
  if (dictionary.size === 0) return;
  for (const s of dictionary.keys()) {
    out.uint(Buffer.byteLength(s, 'utf8'));
    out.utf8(s);
  }
  out.bytes(pairs.view());
}

/**
 * Encodes entries already sorted by ts (stable: equal timestamps keep their order) into a chunk
 * and its content filter. Throws RangeError/TypeError when the entries break that contract.
 */
export function encodeChunk(entries: readonly RawEntry[], opts?: { level?: number }): EncodedChunk {
  const count = entries.length;
  if (count === 0) throw new RangeError('encodeChunk: a chunk needs at least one entry');
  const level = opts?.level ?? DEFAULT_LEVEL;
  if (!Number.isInteger(level) || level < 1 || level > 19) throw new RangeError(`encodeChunk: zstd level ${level} is not an integer in 1..19`);

  let prevTs: bigint | undefined;
  let chars = 0;
  let longest = 0;
  for (let i = 0; i < count; i++) {
    const entry = entries[i]!;
    checkEntry(entry, i, prevTs);
    prevTs = entry.ts;
    chars += entry.line.length;
    if (entry.line.length > longest) longest = entry.line.length;
  }
  const head = new ByteWriter(count * 6 + 64);
  // ByteWriter.utf8 asks for 3 bytes per UTF-16 unit of the line it writes; with this much room
  // ASCII lines never make the buffer grow.
  const lines = new ByteWriter(chars + 2 * longest + 64);
  const offsets = new Uint32Array(count + 1);
  writeTimestamps(entries, head);
  for (let i = 0; i < count; i++) {
    lines.utf8(entries[i]!.line);
    if (lines.pos > MAX_RAW_BODY) throw new RangeError('encodeChunk: lines exceed the largest chunk body');
    offsets[i + 1] = lines.pos;
  }
  for (let i = 0; i < count; i++) head.uint(offsets[i + 1]! - offsets[i]!);
  writeMetadata(entries, head);

  const rawLength = head.pos + lines.pos;
  if (rawLength > MAX_RAW_BODY) throw new RangeError('encodeChunk: entries exceed the largest chunk body');
  const body = Buffer.allocUnsafe(rawLength);
  head.view().copy(body, 0);
  lines.view().copy(body, head.pos);

  const compressed = compressBody(body, level);
  const stored = compressed.length < body.length ? compressed : body;
  const data = Buffer.allocUnsafe(HEADER_SIZE + stored.length);
  data[0] = MAGIC_0;
  data[1] = MAGIC_1;
  data[2] = FORMAT_VERSION;
  data[3] = stored === compressed ? CODEC_ZSTD : CODEC_STORED;
  data.writeUInt32LE(count, 4);
  data.writeUInt32LE(rawLength, 8);
  stored.copy(data, HEADER_SIZE);
  data.writeUInt32LE(chunkChecksum(data), 12);

  return {
    data,
    filter: buildFilter(lines.buf, offsets, count),
    stats: { minTs: entries[0]!.ts, maxTs: entries[count - 1]!.ts, entries: count, bytes: lines.pos },
  };
}
