/**
 * Chunk decoder. Everything is checked before it is used: the header and checksum before
 * decompressing, then every length and index of the body while building the offset tables, so
 * the accessors of the result can run without checks and never meet a bad byte. Line strings and
 * metadata objects are only materialised when asked for.
 */
import { Decompressor } from 'zstd-napi';
import type { Labels } from '../model.js';
import { ByteReader } from './bytes.js';
import { ChunkCorruptError } from './errors.js';
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
import type { DecodedChunk } from './types.js';

const MAX_INT64 = (1n << 63n) - 1n;
const POW10 = Array.from({ length: 19 }, (_, e) => 10n ** BigInt(e));
const EMPTY_METADATA: Labels = Object.freeze({});

const decompressor = new Decompressor();

function corrupt(message: string): never {
  throw new ChunkCorruptError(message);
}

/** Checks the header and checksum, and returns the decompressed body (never a view of `data`). */
function openBody(data: Buffer): { body: Buffer; count: number } {
  if (!(data instanceof Uint8Array)) corrupt('chunk is not a byte buffer');
  if (data.length < HEADER_SIZE) corrupt(`chunk is ${data.length} bytes, shorter than its ${HEADER_SIZE}-byte header`);
  if (data[0] !== MAGIC_0 || data[1] !== MAGIC_1) corrupt('chunk does not start with the chunk magic "LC"');
  if (data[2] !== FORMAT_VERSION) corrupt(`chunk has format version ${data[2]}, this build reads ${FORMAT_VERSION}`);
  const codec = data[3];
  const count = data.readUInt32LE(4);
  const rawLength = data.readUInt32LE(8);
  if (data.readUInt32LE(12) !== chunkChecksum(data)) corrupt('chunk checksum mismatch: the bytes are damaged or truncated');
  if (count === 0) corrupt('chunk header says it holds no entries');
  if (rawLength > MAX_RAW_BODY) corrupt(`chunk body of ${rawLength} bytes exceeds the ${MAX_RAW_BODY}-byte limit`);
  // Each entry takes at least two body bytes (timestamp and length), which bounds the tables below.
  if (count * 2 > rawLength) corrupt(`chunk header says ${count} entries but its body has only ${rawLength} bytes`);
  const stored = data.subarray(HEADER_SIZE);
  let body: Buffer;
  if (codec === CODEC_ZSTD) body = decompressor.decompress(stored);
  // Copied: `data` may be a buffer the caller reuses (lmdb's getBinaryFast), and lines are views.
  else if (codec === CODEC_STORED) body = Buffer.from(stored);
  else corrupt(`chunk uses unknown codec ${codec}`);
  if (body.length !== rawLength) corrupt(`chunk body is ${body.length} bytes, the header says ${rawLength}`);
  return { body, count };
}

class Chunk implements DecodedChunk {
  /** Decoded dictionary strings, filled on first use. */
  private readonly strings: (string | undefined)[];

  constructor(
    readonly length: number,
    private readonly body: Buffer,
    readonly timestamps: BigInt64Array,
    /** Line i is body[linesStart + lineOffsets[i] .. linesStart + lineOffsets[i+1]). */
    private readonly lineOffsets: Uint32Array,
    private readonly linesStart: number,
    /** Dictionary string d is body[dictSpans[2d] .. dictSpans[2d+1]). */
    private readonly dictSpans: Uint32Array,
    /** Where entry i's metadata pairs start in body; undefined when no entry has metadata. */
    private readonly metadataStarts: Uint32Array | undefined,
  ) {
    this.strings = new Array<string | undefined>(dictSpans.length / 2);
  }

  private check(i: number): void {
    if (!(i >= 0 && i < this.length && Number.isInteger(i))) {
      throw new RangeError(`entry index ${i} is outside the chunk's 0..${this.length - 1}`);
    }
  }

  ts(i: number): bigint {
    this.check(i);
    return this.timestamps[i]!;
  }

  lineBytes(i: number): Buffer {
    this.check(i);
    return this.body.subarray(this.linesStart + this.lineOffsets[i]!, this.linesStart + this.lineOffsets[i + 1]!);
  }

  get hasMetadata(): boolean {
    return this.metadataStarts !== undefined;
  }

  lineLength(i: number): number {
    this.check(i);
    return this.lineOffsets[i + 1]! - this.lineOffsets[i]!;
  }

  linesBytes(lo: number, hi: number): number {
    if (!(lo >= 0 && lo <= hi && hi <= this.length)) throw new RangeError(`entry range ${lo}..${hi} is outside the chunk's 0..${this.length}`);
    return this.lineOffsets[hi]! - this.lineOffsets[lo]!;
  }

  line(i: number): string {
    this.check(i);
    return this.body.toString('utf8', this.linesStart + this.lineOffsets[i]!, this.linesStart + this.lineOffsets[i + 1]!);
  }

  metadata(i: number): Labels {
    this.check(i);
    if (this.metadataStarts === undefined) return EMPTY_METADATA;
    const reader = new ByteReader(this.body, this.metadataStarts[i]!, this.body.length);
    const pairs = reader.uint();
    if (pairs === 0) return EMPTY_METADATA;
    const result: Record<string, string> = {};
    for (let p = 0; p < pairs; p++) {
      const name = this.string(reader.uint());
      const value = this.string(reader.uint());
      // A plain assignment to "__proto__" would set the prototype instead of adding a key.
      if (name === '__proto__') Object.defineProperty(result, name, { value, enumerable: true, writable: true, configurable: true });
      else result[name] = value;
    }
    return Object.freeze(result);
  }

  lowerBound(t: bigint): number {
    const ts = this.timestamps;
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ts[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private string(d: number): string {
    let s = this.strings[d];
    if (s === undefined) {
      s = this.body.toString('utf8', this.dictSpans[2 * d]!, this.dictSpans[2 * d + 1]!);
      this.strings[d] = s;
    }
    return s;
  }
}

function readTimestamps(reader: ByteReader, count: number): BigInt64Array {
  const timestamps = new BigInt64Array(count);
  const zigzag = reader.bigUint();
  let ts = zigzag & 1n ? -(zigzag >> 1n) - 1n : zigzag >> 1n;
  timestamps[0] = ts;
  const e = reader.uint();
  if (e >= POW10.length) corrupt(`chunk timestamp scale 10^${e} is out of range`);
  const scale = POW10[e]!;
  for (let i = 1; i < count; i++) {
    ts += e === 0 ? reader.bigUint() : reader.bigUint() * scale;
    if (ts > MAX_INT64) corrupt('chunk timestamps run past the largest 64-bit value');
    timestamps[i] = ts;
  }
  return timestamps;
}

function readLineOffsets(reader: ByteReader, count: number, bodyLength: number): Uint32Array {
  const offsets = new Uint32Array(count + 1);
  let total = 0;
  for (let i = 0; i < count; i++) {
    total += reader.uint();
    if (total > bodyLength) corrupt('chunk line lengths add up to more than the body');
    offsets[i + 1] = total;
  }
  return offsets;
}

function readDictionary(reader: ByteReader): Uint32Array {
  const size = reader.uint();
  // Every dictionary string takes at least its length byte.
  if (size > reader.end - reader.pos) corrupt('chunk metadata dictionary is larger than the body');
  const spans = new Uint32Array(size * 2);
  for (let d = 0; d < size; d++) {
    const length = reader.uint();
    const start = reader.skip(length);
    spans[2 * d] = start;
    spans[2 * d + 1] = start + length;
  }
  return spans;
}

function readMetadataStarts(reader: ByteReader, count: number, dictionarySize: number): Uint32Array {
  const starts = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    starts[i] = reader.pos;
    const pairs = reader.uint();
    if (pairs * 2 > reader.end - reader.pos) corrupt('chunk metadata pairs run past the body');
    for (let p = 0; p < pairs * 2; p++) {
      if (reader.uint() >= dictionarySize) corrupt('chunk metadata refers to a dictionary entry that does not exist');
    }
  }
  return starts;
}

function parseBody(body: Buffer, count: number): Chunk {
  const reader = new ByteReader(body, 0, body.length);
  const timestamps = readTimestamps(reader, count);
  const lineOffsets = readLineOffsets(reader, count, body.length);
  const dictSpans = readDictionary(reader);
  const metadataStarts = dictSpans.length > 0 ? readMetadataStarts(reader, count, dictSpans.length / 2) : undefined;
  const linesLength = lineOffsets[count]!;
  if (body.length - reader.pos !== linesLength) {
    corrupt(`chunk has ${body.length - reader.pos} bytes of lines where its lengths say ${linesLength}`);
  }
  return new Chunk(count, body, timestamps, lineOffsets, reader.pos, dictSpans, metadataStarts);
}

/** Decodes a chunk. Throws ChunkCorruptError, and nothing else, when the bytes are not a valid chunk. */
export function decodeChunk(data: Buffer): DecodedChunk {
  try {
    const { body, count } = openBody(data);
    return parseBody(body, count);
  } catch (err) {
    if (err instanceof ChunkCorruptError) throw err;
    throw new ChunkCorruptError(`chunk cannot be decoded: ${err instanceof Error ? err.message : String(err)}`);
  }
}
