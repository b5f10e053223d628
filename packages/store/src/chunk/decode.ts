/**
 * Chunk decoder. Everything is checked before it is used: the header and checksum before
 * decompressing, then every length and index of the body while building the offset tables, so
 * the accessors of the result can run without checks and never meet a bad byte. Line strings and
 * metadata objects are only materialised when asked for. Reads format versions 1, 2 and 3; from a
 * version 2 or 3 chunk, `decodeChunkIndex` reads timestamps and line lengths without the lines.
 */
import binding from 'zstd-napi/binding.js';
import type { Labels } from '../model.js';
import { ByteReader } from './bytes.js';
import { ChunkCorruptError } from './errors.js';
import {
  chunkChecksum,
  CODEC_STORED,
  CODEC_ZSTD,
  FLAG_HAS_METADATA,
  FORMAT_V1,
  FORMAT_V3,
  FORMAT_VERSION,
  HEADER_SIZE,
  MAGIC_0,
  MAGIC_1,
  MAX_RAW_BODY,
  V2_PREFIX_SIZE,
} from './format.js';
import { decodeTemplates } from './template-decode.js';
import type { DecodedChunk, DecodedChunkIndex } from './types.js';

const MAX_INT64 = (1n << 63n) - 1n;
const POW10 = Array.from({ length: 19 }, (_, e) => 10n ** BigInt(e));
const EMPTY_METADATA: Labels = Object.freeze({});

const decompressor = new binding.DCtx();

function corrupt(message: string): never {
  throw new ChunkCorruptError(message);
}

/** A stored (possibly compressed) section of a chunk: a view into the chunk's bytes. */
interface Section {
  codec: number;
  rawLength: number;
  stored: Buffer;
}

/** A chunk whose header, checksum and section bounds are checked; nothing decompressed yet. */
type Frame =
  | { version: 1; count: number; body: Section }
  /** `index` holds the timestamps and line lengths; version 3 has a template section for lines. */
  | { version: 2 | 3; count: number; body: Section; index: Section; hasMetadata: boolean };

function checkSection(codec: number, rawLength: number, what: string): void {
  if (codec !== CODEC_ZSTD && codec !== CODEC_STORED) corrupt(`chunk ${what} uses unknown codec ${codec}`);
  if (rawLength > MAX_RAW_BODY) corrupt(`chunk ${what} of ${rawLength} bytes exceeds the ${MAX_RAW_BODY}-byte limit`);
}

/** Checks the header, the checksum and (versions 2 and 3) the index header. */
function openFrame(data: Buffer): Frame {
  if (!(data instanceof Uint8Array)) corrupt('chunk is not a byte buffer');
  if (data.length < HEADER_SIZE) corrupt(`chunk is ${data.length} bytes, shorter than its ${HEADER_SIZE}-byte header`);
  if (data[0] !== MAGIC_0 || data[1] !== MAGIC_1) corrupt('chunk does not start with the chunk magic "LC"');
  const version = data[2]!;
  if (version !== FORMAT_V1 && version !== FORMAT_VERSION && version !== FORMAT_V3) {
    corrupt(`chunk has format version ${version}, this build reads ${FORMAT_V1} to ${FORMAT_V3}`);
  }
  const codec = data[3]!;
  const count = data.readUInt32LE(4);
  const rawLength = data.readUInt32LE(8);
  if (data.readUInt32LE(12) !== chunkChecksum(data)) corrupt('chunk checksum mismatch: the bytes are damaged or truncated');
  if (count === 0) corrupt('chunk header says it holds no entries');
  checkSection(codec, rawLength, 'body');
  if (version === FORMAT_V1) {
    // Each entry takes at least two body bytes (timestamp and length), which bounds the tables.
    if (count * 2 > rawLength) corrupt(`chunk header says ${count} entries but its body has only ${rawLength} bytes`);
    return { version: 1, count, body: { codec, rawLength, stored: data.subarray(HEADER_SIZE) } };
  }
  if (data.length < V2_PREFIX_SIZE) corrupt(`chunk is ${data.length} bytes, shorter than its ${V2_PREFIX_SIZE}-byte header`);
  const indexCodec = data[HEADER_SIZE]!;
  const flags = data[HEADER_SIZE + 1]!;
  const indexRaw = data.readUInt32LE(HEADER_SIZE + 2);
  const indexStored = data.readUInt32LE(HEADER_SIZE + 6);
  checkSection(indexCodec, indexRaw, 'index');
  if ((flags & ~FLAG_HAS_METADATA) !== 0) corrupt(`chunk has unknown flags 0x${flags.toString(16)}`);
  if (indexStored > data.length - V2_PREFIX_SIZE) corrupt(`chunk index of ${indexStored} bytes runs past the chunk`);
  if (count * 2 > indexRaw) corrupt(`chunk header says ${count} entries but its index has only ${indexRaw} bytes`);
  // The body holds at least the metadata dictionary size.
  if (rawLength === 0) corrupt('chunk body is empty');
  const indexEnd = V2_PREFIX_SIZE + indexStored;
  return {
    version: version as 2 | 3,
    count,
    body: { codec, rawLength, stored: data.subarray(indexEnd) },
    index: { codec: indexCodec, rawLength: indexRaw, stored: data.subarray(V2_PREFIX_SIZE, indexEnd) },
    hasMetadata: (flags & FLAG_HAS_METADATA) !== 0,
  };
}

/**
 * The section's raw bytes. A stored section is copied only when `copy` is set: `data` may be a
 * buffer the caller reuses (lmdb's getBinaryFast), and lines are views into the body. A zstd
 * section is decompressed into a buffer of the length the (checked) header gives, never of the
 * length the zstd frame claims, so a damaged frame cannot ask for a huge allocation.
 */
function inflate(section: Section, what: string, copy: boolean): Buffer {
  if (section.codec === CODEC_ZSTD) {
    const raw = Buffer.allocUnsafe(section.rawLength);
    const length = decompressor.decompress(raw, section.stored);
    if (length !== section.rawLength) corrupt(`chunk ${what} is ${length} bytes, the header says ${section.rawLength}`);
    return raw;
  }
  if (section.stored.length !== section.rawLength) corrupt(`chunk ${what} is ${section.stored.length} bytes, the header says ${section.rawLength}`);
  return copy ? Buffer.from(section.stored) : section.stored;
}

/** Timestamps and line offsets of a chunk: what every decoded form shares (also TransferredChunk). */
export class ChunkIndex implements DecodedChunkIndex {
  constructor(
    readonly length: number,
    readonly timestamps: BigInt64Array,
    /** Line i's bytes are [lineOffsets[i], lineOffsets[i+1]) of the lines. */
    readonly lineOffsets: Uint32Array,
    readonly hasMetadata: boolean,
  ) {}

  protected check(i: number): void {
    if (!(i >= 0 && i < this.length && Number.isInteger(i))) {
      throw new RangeError(`entry index ${i} is outside the chunk's 0..${this.length - 1}`);
    }
  }

  ts(i: number): bigint {
    this.check(i);
    return this.timestamps[i]!;
  }

  lineLength(i: number): number {
    this.check(i);
    return this.lineOffsets[i + 1]! - this.lineOffsets[i]!;
  }

  linesBytes(lo: number, hi: number): number {
    if (!(lo >= 0 && lo <= hi && hi <= this.length)) throw new RangeError(`entry range ${lo}..${hi} is outside the chunk's 0..${this.length}`);
    return this.lineOffsets[hi]! - this.lineOffsets[lo]!;
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
}

class Chunk extends ChunkIndex implements DecodedChunk {
  /** Decoded dictionary strings, filled on first use. */
  private readonly strings: (string | undefined)[];

  constructor(
    index: { length: number; timestamps: BigInt64Array; lineOffsets: Uint32Array },
    /** The lines back to back: line i is lines[lineOffsets[i] .. lineOffsets[i+1]). */
    private readonly lines: Buffer,
    /** The body, holding the metadata section. */
    private readonly body: Buffer,
    /** Dictionary string d is body[dictSpans[2d] .. dictSpans[2d+1]). */
    private readonly dictSpans: Uint32Array,
    /** Where entry i's metadata pairs start in body; undefined when no entry has metadata. */
    private readonly metadataStarts: Uint32Array | undefined,
  ) {
    super(index.length, index.timestamps, index.lineOffsets, metadataStarts !== undefined);
    this.strings = new Array<string | undefined>(dictSpans.length / 2);
  }

  lineBytes(i: number): Buffer {
    this.check(i);
    return this.lines.subarray(this.lineOffsets[i]!, this.lineOffsets[i + 1]!);
  }

  linesBlock(): { bytes: Buffer; offsets: Uint32Array } {
    return { bytes: this.lines, offsets: this.lineOffsets };
  }

  line(i: number): string {
    this.check(i);
    return this.lines.toString('utf8', this.lineOffsets[i]!, this.lineOffsets[i + 1]!);
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
  timestamps[0] = zigzag & 1n ? -(zigzag >> 1n) - 1n : zigzag >> 1n;
  const e = reader.uint();
  if (e >= POW10.length) corrupt(`chunk timestamp scale 10^${e} is out of range`);
  const next = LITTLE_ENDIAN ? readNearTimestamps(reader, timestamps, e) : 1;
  let ts = timestamps[next - 1]!;
  const scale = POW10[e]!;
  for (let i = next; i < count; i++) {
    ts += e === 0 ? reader.bigUint() : reader.bigUint() * scale;
    if (ts > MAX_INT64) corrupt('chunk timestamps run past the largest 64-bit value');
    timestamps[i] = ts;
  }
  return timestamps;
}

const TWO_POW_32 = 0x1_0000_0000;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const POW10_NUMBER = POW10.map(Number);

/**
 * Fills timestamps from index 1 on while their distance from the first is a safe integer, adding
 * each delta to the 32-bit halves of the previous int64 as doubles: one BigInt per entry (several, with the
 * scale and the sum) made timestamps most of the cost of reading a chunk's index. Returns the
 * index it stopped at (the BigInt loop reads the rest, from the same reader position).
 */
function readNearTimestamps(reader: ByteReader, timestamps: BigInt64Array, e: number): number {
  const count = timestamps.length;
  const low = new Uint32Array(timestamps.buffer, timestamps.byteOffset, count * 2);
  const high = new Int32Array(timestamps.buffer, timestamps.byteOffset, count * 2);
  let lo = low[0]!;
  let hi = high[1]!;
  const scale = POW10_NUMBER[e]!;
  const { buf, end } = reader;
  let pos = reader.pos;
  let distance = 0;
  let i = 1;
  for (; i < count; i++) {
    const start = pos;
    // Varints of up to 4 bytes in integer arithmetic, up to 7 (49 bits, exact in a double) in
    // doubles, longer ones in the BigInt loop. Bytes are read before the bounds check: past the
    // end they are garbage or undefined (which reads as 0), and the check then rejects the chunk.
    let b = buf[pos++]!;
    let delta = b & 0x7f;
    if (b >= 0x80) {
      b = buf[pos++]!;
      delta |= (b & 0x7f) << 7;
      if (b >= 0x80) {
        b = buf[pos++]!;
        delta |= (b & 0x7f) << 14;
        if (b >= 0x80) {
          b = buf[pos++]!;
          delta |= (b & 0x7f) << 21;
          for (let mul = 0x1000_0000; mul < 2 ** 49 && b >= 0x80; mul *= 128) {
            b = buf[pos++]!;
            delta += (b & 0x7f) * mul;
          }
        }
      }
    }
    if (pos > end) corrupt('chunk body ends inside a number');
    // A product or sum past 2^53 rounds to at least 2^53, so this test is exact.
    const step = delta * scale;
    if (b >= 0x80 || distance + step > Number.MAX_SAFE_INTEGER) {
      pos = start;
      break;
    }
    distance += step;
    if (step < TWO_POW_32) lo += step;
    else {
      lo += step % TWO_POW_32;
      hi += Math.floor(step / TWO_POW_32);
    }
    if (lo >= TWO_POW_32) {
      lo -= TWO_POW_32;
      hi++;
    }
    if (hi > 0x7fff_ffff) corrupt('chunk timestamps run past the largest 64-bit value');
    low[2 * i] = lo;
    high[2 * i + 1] = hi;
  }
  reader.pos = pos;
  return i;
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

/** Timestamps and line offsets from `reader`; line lengths may add up to at most `linesLimit`. */
function readIndex(reader: ByteReader, count: number, linesLimit: number, hasMetadata: boolean): ChunkIndex {
  const timestamps = readTimestamps(reader, count);
  return new ChunkIndex(count, timestamps, readLineOffsets(reader, count, linesLimit), hasMetadata);
}

/**
 * The metadata section and the lines, from `reader` on to the end of `body`: the lines as they
 * are, or (`templated`) their template section.
 */
function readRest(reader: ByteReader, body: Buffer, index: ChunkIndex, templated: boolean): Chunk {
  const dictSpans = readDictionary(reader);
  const metadataStarts = dictSpans.length > 0 ? readMetadataStarts(reader, index.length, dictSpans.length / 2) : undefined;
  let lines: Buffer;
  if (templated) {
    lines = decodeTemplates(body, reader.pos, body.length, index.lineOffsets, index.length);
  } else {
    const linesLength = index.linesBytes(0, index.length);
    if (body.length - reader.pos !== linesLength) {
      corrupt(`chunk has ${body.length - reader.pos} bytes of lines where its lengths say ${linesLength}`);
    }
    lines = body.subarray(reader.pos);
  }
  return new Chunk(index, lines, body, dictSpans, metadataStarts);
}

function v2Index(frame: Extract<Frame, { version: 2 | 3 }>): ChunkIndex {
  // Parsed at once into typed arrays, so a stored index needs no copy.
  const raw = inflate(frame.index, 'index', false);
  const reader = new ByteReader(raw, 0, raw.length);
  // Version 3 lines are longer than the body that holds them.
  const linesLimit = frame.version === FORMAT_V3 ? MAX_RAW_BODY : frame.body.rawLength;
  const index = readIndex(reader, frame.count, linesLimit, frame.hasMetadata);
  if (reader.pos !== raw.length) corrupt(`chunk index has ${raw.length - reader.pos} bytes past its ${frame.count} entries`);
  return index;
}

function decodeFrame(frame: Frame): Chunk {
  if (frame.version === 1) {
    const body = inflate(frame.body, 'body', true);
    const reader = new ByteReader(body, 0, body.length);
    // hasMetadata is settled by the metadata section that follows.
    return readRest(reader, body, readIndex(reader, frame.count, body.length, false), false);
  }
  const index = v2Index(frame);
  const body = inflate(frame.body, 'body', true);
  const chunk = readRest(new ByteReader(body, 0, body.length), body, index, frame.version === FORMAT_V3);
  if (chunk.hasMetadata !== frame.hasMetadata) corrupt('chunk metadata flag disagrees with its metadata section');
  return chunk;
}

/** Runs `read`, turning every failure into a ChunkCorruptError. */
function guarded<T>(read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof ChunkCorruptError) throw err;
    throw new ChunkCorruptError(`chunk cannot be decoded: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Decodes a chunk. Throws ChunkCorruptError, and nothing else, when the bytes are not a valid chunk. */
export function decodeChunk(data: Buffer): DecodedChunk {
  return guarded(() => decodeFrame(openFrame(data)));
}

/**
 * Decodes a chunk's timestamps and line lengths only: for a version 2 chunk the lines and metadata
 * stay compressed (and unchecked beyond the checksum); a version 1 chunk is decoded whole. Throws
 * ChunkCorruptError, and nothing else, when the bytes are not a valid chunk.
 */
export function decodeChunkIndex(data: Buffer): DecodedChunkIndex {
  return guarded(() => {
    const frame = openFrame(data);
    return frame.version === 1 ? decodeFrame(frame) : v2Index(frame);
  });
}
