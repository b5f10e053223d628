/**
 * Chunk encoder (format versions 2 and 3, see format.ts for the frame). The columns are stored apart,
 * which compresses better than entry-by-entry records and lets the decoder find every line
 * without touching the line bytes. The index (before compression):
 *
 *   zigzag varint   first timestamp (signed 64-bit ns)
 *   varint          e: every delta below is a multiple of 10^e ns (sources often stamp in ms or µs)
 *   varint × (n-1)  timestamp deltas / 10^e (entries are sorted, so deltas are >= 0)
 *   varint × n      line byte lengths
 *
 * The body (before compression):
 *
 *   varint          metadata dictionary size D (distinct names and values of the chunk)
 *   D × (varint length, UTF-8 bytes)   the dictionary strings, in first-use order
 *   if D > 0, per entry: varint pair count P, then P × (varint name index, varint value index)
 *   the lines' UTF-8 bytes back to back
 *
 * Version 3 (the 'columnar' encoding) writes the template section (template-format.ts) in place
 * of the lines. Version 1 had the index and the body back to back in one compressed body.
 */
import { Compressor } from 'zstd-napi';
import binding from 'zstd-napi/binding.js';
import type { Labels } from '../model.js';
import { ByteWriter } from './bytes.js';
import { buildFilter } from './filter.js';
import {
  chunkChecksum,
  CODEC_STORED,
  CODEC_ZSTD,
  FLAG_HAS_METADATA,
  FORMAT_V3,
  FORMAT_VERSION,
  HEADER_SIZE,
  MAGIC_0,
  MAGIC_1,
  MAX_RAW_BODY,
  V2_PREFIX_SIZE,
} from './format.js';
import { encodeTemplates } from './template-encode.js';
import type { ChunkColumns, ChunkEncoding, EncodeOptions, EncodedChunk, RawEntry } from './types.js';

const MIN_INT64 = -(1n << 63n);
const MAX_INT64 = (1n << 63n) - 1n;
/**
 * zstd level 1. Measured on 234 chunks of ~256 KiB from the store benchmark's mixed logs (line
 * bytes / stored bytes, encode = body + zstd + filter, one thread): level 1 5.82:1 at 83 MB/s,
 * level 3 5.76:1 at 78 MB/s, level 6 6.58:1 at 41 MB/s. Level 1 is both smaller and faster
 * here; level 6 buys ~13% at half the speed (the store's `chunkCompressionLevel` chooses).
 */
export const DEFAULT_LEVEL = 1;
/**
 * The encoding new chunks get unless told otherwise. On the store benchmark's mixed logs
 * (bench/src/chunk-codec.ts, zstd 1, one thread) 'columnar' stores 11.7:1 against 6.0:1 but
 * costs ~1.5× the encode and ~2× the decode CPU per line.
 */
export const DEFAULT_ENCODING: ChunkEncoding = 'columnar';

export function checkEncoding(encoding: string): void {
  if (encoding !== 'columnar' && encoding !== 'lines') throw new RangeError(`encodeChunk: encoding "${encoding}" is not 'columnar' or 'lines'`);
}

/**
 * A columnar chunk with more than one template per MANY_TEMPLATES lines is also compressed as
 * plain lines, and the smaller body is kept. Free text (every line its own template) is ~18%
 * larger columnar; varied real logs (the conformance dataset: up to 0.9 templates per line) are
 * still 5–40% smaller. Below the threshold columnar always won in what was measured.
 */
const MANY_TEMPLATES = 4;

interface StoredBody {
  version: number;
  /** Length once decompressed. */
  length: number;
  codec: number;
  bytes: Buffer;
}

/** The metadata section and `section` back to back, in the body scratch (valid until the next call). */
function bodyOf(metadata: Uint8Array, section: Uint8Array, indexLength: number): Buffer {
  const length = metadata.length + section.length;
  if (indexLength + length > MAX_RAW_BODY) throw new RangeError('encodeChunk: entries exceed the largest chunk body');
  if (bodyScratch.length < length) bodyScratch = Buffer.allocUnsafeSlow(Math.max(length, bodyScratch.length * 2));
  const body = bodyScratch.subarray(0, length);
  body.set(metadata, 0);
  body.set(section, metadata.length);
  return body;
}

/** A version 2 body: the metadata section and the lines as they are. */
function plainBody(metadata: Uint8Array, lines: Uint8Array, indexLength: number, level: number): StoredBody {
  const raw = bodyOf(metadata, lines, indexLength);
  const stored = compressOrStore(raw, level);
  return { version: FORMAT_VERSION, length: raw.length, codec: stored === raw ? CODEC_STORED : CODEC_ZSTD, bytes: stored };
}

/** 10^e for every e whose multiples can be deltas of int64 timestamps. */
const POW10 = Array.from({ length: 19 }, (_, e) => 10n ** BigInt(e));

/**
 * The uncompressed body is assembled in one buffer reused for every chunk (it only lives until
 * it is compressed or copied into the chunk), sparing a ~256 KiB allocation per chunk.
 */
let bodyScratch = Buffer.allocUnsafeSlow(1 << 16);

/** One compressor reused for every chunk; its context is the costly part to create. */
const compressor = new Compressor();
let compressorLevel = -1;

/** The zstd frame of `raw`, or `raw` itself when compressing does not make it smaller. */
function compressOrStore(raw: Buffer, level: number): Buffer {
  if (level !== compressorLevel) {
    compressor.setParameters({ compressionLevel: level, checksumFlag: false });
    compressorLevel = level;
  }
  const compressed = compressor.compress(raw);
  return compressed.length < raw.length ? compressed : raw;
}

/** A second context for block-wise compression (streaming API), reused. */
const blockContext = new binding.CCtx();
let blockContextLevel = -1;
let blockScratch = Buffer.allocUnsafeSlow(1 << 16);
/** Parts shorter than this share a block with the next: a block's header and tables cost bytes. */
const MIN_BLOCK = 64;

/**
 * One zstd frame of `raw` that ends a block at each of `ends` (ascending offsets), so each part
 * gets literal and sequence statistics of its own (zstd keeps one Huffman table per block): the
 * template section's columns differ widely (random hex bytes, small ids, low and high bytes of
 * numbers), and one table for all of them costs ~12% on the benchmark's logs. Still one frame,
 * decompressed in one call. Returns `raw` itself when compressing does not make it smaller.
 */
function compressBlocks(raw: Buffer, ends: ArrayLike<number>, level: number): Buffer {
  if (level !== blockContextLevel) {
    blockContext.reset(binding.ResetDirective.parameters);
    blockContext.setParameter(binding.CParameter.compressionLevel, level);
    blockContext.setParameter(binding.CParameter.checksumFlag, 0);
    blockContextLevel = level;
  }
  const bound = binding.compressBound(raw.length);
  if (blockScratch.length < bound) blockScratch = Buffer.allocUnsafeSlow(Math.max(bound, blockScratch.length * 2));
  blockContext.setPledgedSrcSize(raw.length);
  let produced = 0;
  let start = 0;
  for (let k = 0; k < ends.length; k++) {
    const end = ends[k]!;
    const last = k === ends.length - 1;
    if (!last && end - start < MIN_BLOCK) continue;
    let src = raw.subarray(start, end);
    const op = last ? binding.EndDirective.end : binding.EndDirective.flush;
    for (;;) {
      const [remaining, out, consumed] = blockContext.compressStream2(blockScratch.subarray(produced), src, op);
      produced += out;
      src = src.subarray(consumed);
      if (remaining === 0 && src.length === 0) break;
    }
    start = end;
  }
  return produced < raw.length ? Buffer.from(blockScratch.subarray(0, produced)) : raw;
}

function checkEntry(entry: RawEntry, i: number): void {
  if (typeof entry.ts !== 'bigint' || entry.ts < MIN_INT64 || entry.ts > MAX_INT64) {
    throw new RangeError(`encodeChunk: entry ${i} has a timestamp that is not a signed 64-bit bigint of nanoseconds`);
  }
  if (typeof entry.line !== 'string') throw new TypeError(`encodeChunk: entry ${i} has a line that is not a string`);
}

export function checkLevel(level: number): void {
  if (!Number.isInteger(level) || level < 1 || level > 19) throw new RangeError(`encodeChunk: zstd level ${level} is not an integer in 1..19`);
}

/** Largest e such that every delta between neighbouring timestamps is a multiple of 10^e. */
function timestampScale(ts: BigInt64Array): number {
  let e = POW10.length - 1;
  for (let i = 1; i < ts.length && e > 0; i++) {
    const delta = ts[i]! - ts[i - 1]!;
    while (e > 0 && delta % POW10[e]! !== 0n) e--;
  }
  return e;
}

/** 10^e as doubles: exact for e <= 22, so remainders and exact quotients of safe integers are exact. */
const POW10_NUMBER = POW10.map(Number);
const TWO_POW_32 = 0x1_0000_0000;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/** Scratch for numberDeltas; grows with the largest chunk. */
let deltaScratch = new Float64Array(4096);

/**
 * The deltas between neighbouring timestamps as doubles, computed from the 32-bit halves of the
 * int64s: one BigInt per entry (several, with the scale and the varint) made the garbage
 * collector a tenth of encoding. Undefined when a delta is negative or not a safe integer (or on
 * a big-endian machine); the BigInt path then handles (or rejects) the chunk.
 */
function numberDeltas(ts: BigInt64Array): Float64Array | undefined {
  if (!LITTLE_ENDIAN) return undefined;
  const count = ts.length;
  if (deltaScratch.length < count) deltaScratch = new Float64Array(count);
  const deltas = deltaScratch;
  const low = new Uint32Array(ts.buffer, ts.byteOffset, count * 2);
  const high = new Int32Array(ts.buffer, ts.byteOffset, count * 2);
  for (let i = 1; i < count; i++) {
    const highDelta = high[2 * i + 1]! - high[2 * i - 1]!;
    // Up to 2^21 - 1 in the high word keeps the delta below 2^53.
    if (highDelta < 0 || highDelta > 0x1f_ffff) return undefined;
    const delta = highDelta * TWO_POW_32 + (low[2 * i]! - low[2 * i - 2]!);
    if (delta < 0) return undefined;
    deltas[i] = delta;
  }
  return deltas;
}

function writeTimestamps(ts: BigInt64Array, out: ByteWriter): void {
  const first = ts[0]!;
  out.bigUint(first >= 0n ? first << 1n : (-first << 1n) - 1n);
  const deltas = numberDeltas(ts);
  if (deltas !== undefined) {
    let e = POW10_NUMBER.length - 1;
    for (let i = 1; i < ts.length && e > 0; i++) {
      while (e > 0 && deltas[i]! % POW10_NUMBER[e]! !== 0) e--;
    }
    out.uint(e);
    const scale = POW10_NUMBER[e]!;
    for (let i = 1; i < ts.length; i++) out.uint(deltas[i]! / scale);
    return;
  }
  for (let i = 1; i < ts.length; i++) {
    if (ts[i]! < ts[i - 1]!) throw new RangeError(`encodeChunk: entry ${i} is older than entry ${i - 1}; sort entries by ts before encoding`);
  }
  const e = timestampScale(ts);
  out.uint(e);
  const scale = POW10[e]!;
  for (let i = 1; i < ts.length; i++) out.bigUint((ts[i]! - ts[i - 1]!) / scale);
}

/**
 * The metadata section of a chunk body (dictionary size, dictionary, per-entry pairs) for
 * `count` entries, entry i having `metadataOf(i)`. A copy with its own ArrayBuffer, so it can be
 * transferred to a worker thread.
 *
 * Entries often share one frozen metadata object (the ingest paths freeze the objects they
 * share), so each frozen object is encoded once and its pair bytes are copied for every further
 * entry holding it: no key listing or dictionary lookups per entry. Unfrozen objects are
 * usually one per entry, where remembering them would only cost.
 */
export function metadataSection(count: number, metadataOf: (i: number) => Labels | undefined): Uint8Array {
  const dictionary = new Map<string, number>();
  const pairs = new ByteWriter(count * 2);
  const idOf = (s: string): number => {
    let id = dictionary.get(s);
    if (id === undefined) {
      id = dictionary.size;
      dictionary.set(s, id);
    }
    return id;
  };
  /** Where each frozen metadata object's pairs were first written: [start, end) in `pairs`. */
  const encoded = new Map<Labels, { start: number; end: number }>();
  // Neighbouring entries usually hold the same object (one per pushed batch): checked first.
  let lastMetadata: Labels | undefined;
  let last: { start: number; end: number } | undefined;
  for (let i = 0; i < count; i++) {
    const metadata = metadataOf(i);
    if (metadata === undefined) {
      pairs.uint(0);
      continue;
    }
    const seen = metadata === lastMetadata ? last : Object.isFrozen(metadata) ? encoded.get(metadata) : undefined;
    if (seen !== undefined) {
      // A few bytes each time: a plain loop beats a native copy call.
      pairs.ensure(seen.end - seen.start);
      const buf = pairs.buf;
      let pos = pairs.pos;
      for (let k = seen.start; k < seen.end; k++) buf[pos++] = buf[k]!;
      pairs.pos = pos;
      lastMetadata = metadata;
      last = seen;
      continue;
    }
    const start = pairs.pos;
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
    if (Object.isFrozen(metadata)) {
      last = { start, end: pairs.pos };
      lastMetadata = metadata;
      encoded.set(metadata, last);
    }
  }
  if (dictionary.size === 0) return new Uint8Array(1);
  const out = new ByteWriter(pairs.pos + 64);
  out.uint(dictionary.size);
  for (const s of dictionary.keys()) {
    out.uint(Buffer.byteLength(s, 'utf8'));
    out.utf8(s);
  }
  out.bytes(pairs.view());
  return new Uint8Array(out.view());
}

/**
 * Entries (sorted by ts, stable) as the columns the encoder works on. Throws RangeError/TypeError
 * for a timestamp that is not a signed 64-bit bigint or a line that is not a string.
 */
export function toColumns(entries: readonly RawEntry[]): ChunkColumns {
  const count = entries.length;
  let chars = 0;
  let longest = 0;
  for (let i = 0; i < count; i++) {
    const entry = entries[i]!;
    checkEntry(entry, i);
    chars += entry.line.length;
    if (entry.line.length > longest) longest = entry.line.length;
  }
  const ts = new BigInt64Array(count);
  // ByteWriter.utf8 asks for 3 bytes per UTF-16 unit of the line it writes; with this much room
  // ASCII lines never make the buffer grow.
  const lines = new ByteWriter(chars + 2 * longest + 64);
  const offsets = new Uint32Array(count + 1);
  for (let i = 0; i < count; i++) {
    ts[i] = entries[i]!.ts;
    lines.utf8(entries[i]!.line);
    if (lines.pos > MAX_RAW_BODY) throw new RangeError('encodeChunk: lines exceed the largest chunk body');
    offsets[i + 1] = lines.pos;
  }
  return { ts, lines: lines.view(), offsets, metadata: metadataSection(count, (i) => entries[i]!.metadata) };
}

/**
 * Encodes entries already sorted by ts (stable: equal timestamps keep their order) into a chunk
 * and its content filter. Throws RangeError/TypeError when the entries break that contract.
 */
export function encodeChunk(entries: readonly RawEntry[], opts?: EncodeOptions): EncodedChunk {
  if (entries.length === 0) throw new RangeError('encodeChunk: a chunk needs at least one entry');
  checkLevel(opts?.level ?? DEFAULT_LEVEL);
  return encodeColumns(toColumns(entries), opts);
}

/**
 * Encodes columns (see ChunkColumns) into a chunk and its content filter: the part of encoding
 * that is pure CPU over bytes, so it can run in a worker thread. `data` and `filter` have their
 * own ArrayBuffers (transferable).
 */
export function encodeColumns(columns: ChunkColumns, opts?: EncodeOptions): EncodedChunk {
  const { ts, offsets, metadata } = columns;
  const count = ts.length;
  if (count === 0) throw new RangeError('encodeChunk: a chunk needs at least one entry');
  if (offsets.length !== count + 1 || offsets[count]! > columns.lines.length) {
    throw new RangeError(`encodeChunk: ${offsets.length} line offsets for ${count} entries and ${columns.lines.length} line bytes`);
  }
  if (metadata.length === 0) throw new RangeError('encodeChunk: the metadata section is empty; build it with metadataSection');
  const level = opts?.level ?? DEFAULT_LEVEL;
  checkLevel(level);
  const encoding = opts?.encoding ?? DEFAULT_ENCODING;
  checkEncoding(encoding);
  const linesLength = offsets[count]!;
  const lines = columns.lines.subarray(0, linesLength);

  const index = new ByteWriter(count * 6 + 64);
  writeTimestamps(ts, index);
  for (let i = 0; i < count; i++) index.uint(offsets[i + 1]! - offsets[i]!);
  const indexRaw = index.view();
  const indexStored = compressOrStore(indexRaw, level);

  let body: StoredBody | undefined;
  const section = encoding === 'columnar' ? encodeTemplates(Buffer.from(lines.buffer, lines.byteOffset, linesLength), offsets, count) : undefined;
  // A section a little larger than the lines (lines without structure) may not fit a body that the lines fit.
  if (section && index.pos + metadata.length + section.bytes.length <= MAX_RAW_BODY) {
    const raw = bodyOf(metadata, section.bytes, index.pos);
    const ends = Array.from(section.partEnds, (end) => metadata.length + end);
    ends.unshift(metadata.length);
    const stored = compressBlocks(raw, ends, level);
    // A stored body is a view of the scratch, which the plain body below may take over.
    body = { version: FORMAT_V3, length: raw.length, codec: stored === raw ? CODEC_STORED : CODEC_ZSTD, bytes: stored === raw ? Buffer.from(raw) : stored };
    if (section.templates * MANY_TEMPLATES > count) {
      // Lines that share little structure: keep the columnar body only when it is the smaller.
      const plain = plainBody(metadata, lines, index.pos, level);
      if (plain.bytes.length < body.bytes.length) body = plain;
    }
  }
  body ??= plainBody(metadata, lines, index.pos, level);
  const bodyStored = body.bytes;
  const data = Buffer.allocUnsafeSlow(V2_PREFIX_SIZE + indexStored.length + bodyStored.length);
  data[0] = MAGIC_0;
  data[1] = MAGIC_1;
  data[2] = body.version;
  data[3] = body.codec;
  data.writeUInt32LE(count, 4);
  data.writeUInt32LE(body.length, 8);
  data[HEADER_SIZE] = indexStored === indexRaw ? CODEC_STORED : CODEC_ZSTD;
  // The metadata section starts with its dictionary size, which is 0 when no entry has any.
  data[HEADER_SIZE + 1] = metadata[0] !== 0 ? FLAG_HAS_METADATA : 0;
  data.writeUInt32LE(indexRaw.length, HEADER_SIZE + 2);
  data.writeUInt32LE(indexStored.length, HEADER_SIZE + 6);
  indexStored.copy(data, V2_PREFIX_SIZE);
  bodyStored.copy(data, V2_PREFIX_SIZE + indexStored.length);
  data.writeUInt32LE(chunkChecksum(data), 12);

  return {
    data,
    filter: buildFilter(lines, offsets, count),
    stats: { minTs: ts[0]!, maxTs: ts[count - 1]!, entries: count, bytes: linesLength },
  };
}
