/**
 * The WAL record of one append call: tenant, then per stream its id, labels and accepted
 * entries. A compact binary layout (no JSON, no per-entry closures); integrity (CRC, torn tails)
 * is the WAL's job. All integers little-endian.
 *
 * Version 2 keeps each stream's entries as columns, so the head takes a stream's line bytes and
 * timestamps with one copy each instead of encoding every line a second time:
 *
 *   u8 version (2) | u16 tenantLen | tenant | u32 streams
 *   per stream, starting at a multiple of 8:
 *     u64 id | u32 count | u16 labelCount | u8 hasMetadata | (u16 nameLen name u32 valueLen value)*
 *     zero padding to a multiple of 8
 *     i64 ts × count | u32 lineLen × count | (if hasMetadata) u32 metadataRef × count
 *     u32 lineBytes | the lines' UTF-8 bytes back to back
 *     (if hasMetadata) u32 objects | per object: u16 pairCount (u16 nameLen name u32 valueLen value)*
 *   metadataRef 0 is "no metadata", k is object k-1 of the stream's list.
 *
 * Version 1 (still read, for WALs written before):
 *
 *   u8 version | u16 tenantLen | tenant | u32 streams
 *   per stream: u64 id | u16 labelCount | (u16 nameLen name u32 valueLen value)* | u32 entries
 *   per entry:  i64 ts | u32 lineLen | line | u16 metaCount | (u16 nameLen name u32 valueLen value)*
 *
 * Offsets are relative to the payload start, so alignment holds in a record buffer this module
 * allocates (ArrayBuffer offset 0): the columns can then be typed-array views.
 */
import type { Entry, Labels } from './model.js';

const VERSION_1 = 1;
const VERSION = 2;

export interface RecordStream {
  id: bigint;
  labels: Labels;
  entries: Entry[];
}

export interface DecodedRecord {
  tenant: string;
  streams: RecordStream[];
}

/**
 * One stream's entries as the record holds them: views into the payload (or copies on big-endian
 * hosts), so the appended entry objects need not live until the record is durable.
 */
export interface RecordColumns {
  ts: BigInt64Array;
  /** UTF-8 bytes of each line. */
  lengths: Uint32Array;
  /** The lines back to back. */
  lines: Uint8Array;
  /** Per entry 0 (no metadata) or k: the entry's metadata is `metadata[k - 1]`; undefined when no entry has metadata. */
  refs: Uint32Array | undefined;
  /** The stream's distinct metadata objects (the appended objects themselves). */
  metadata: readonly Labels[];
}

/** A record ready for the WAL, with the columns of each stream (in the order given to `encodeRecord`). */
export class EncodedRecord {
  constructor(
    readonly payload: Buffer,
    readonly columns: RecordColumns[],
    private readonly buffer: Buffer,
  ) {}

  /**
   * Gives the record's buffer back for reuse. Call once, after the WAL write is durable and
   * nothing reads the payload or the columns any more.
   */
  release(): void {
    recycle(this.buffer);
  }
}

const EMPTY: Labels = Object.freeze({});
const MIN_TS = -(1n << 63n);
const MAX_TS = (1n << 63n) - 1n;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Buffer's own UTF-8 writer without `write()`'s argument juggling (the same native call;
 * undocumented but long-standing, used by msgpackr and lmdb-js). Append's hot path calls it per line.
 */
const utf8Write = (Buffer.prototype as unknown as { utf8Write(this: Buffer, s: string, offset: number): number }).utf8Write;

/**
 * Record buffers are reused: a payload must stay untouched until its WAL write is durable, then
 * the store hands it back (`EncodedRecord.release`). Fresh 100+ KiB buffers cost page faults and GC
 * pressure per append; a few pooled ones cost neither.
 */
const POOL: Buffer[] = [];
const POOL_MAX = 16;
/** Larger payloads (rare, huge pushes) are not kept for reuse. */
const POOLED_MAX_BYTES = 8 * 1024 * 1024;
const MIN_RECORD_BYTES = 256 * 1024;

function recycle(buf: Buffer): void {
  if (buf.length <= POOLED_MAX_BYTES && POOL.length < POOL_MAX) POOL.push(buf);
}

function acquire(size: number): Buffer {
  for (let i = POOL.length - 1; i >= 0; i--) {
    if (POOL[i]!.length >= size) {
      const buf = POOL[i]!;
      POOL[i] = POOL[POOL.length - 1]!;
      POOL.pop();
      return buf;
    }
  }
  let bytes = MIN_RECORD_BYTES;
  while (bytes < size) bytes *= 2;
  return Buffer.allocUnsafeSlow(bytes);
}

/** A record being written: the buffer grows (copying what is written) when a bound was too low. */
class Writer {
  buf: Buffer;
  at = 0;

  constructor(size: number) {
    this.buf = acquire(size);
  }

  ensure(more: number): void {
    if (this.at + more <= this.buf.length) return;
    const next = acquire(this.at + more);
    this.buf.copy(next, 0, 0, this.at);
    recycle(this.buf);
    this.buf = next;
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.at++] = v;
  }

  u16(v: number): void {
    this.ensure(2);
    this.buf.writeUInt16LE(v, this.at);
    this.at += 2;
  }

  u32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32LE(v, this.at);
    this.at += 4;
  }

  /** A UTF-8 string with a length prefix of `prefixBytes` (2 or 4). */
  str(s: string, prefixBytes: 2 | 4): void {
    // A UTF-16 code unit never needs more than 3 UTF-8 bytes, so this bound is always enough.
    this.ensure(prefixBytes + s.length * 3);
    const buf = this.buf;
    const at = this.at;
    const n = utf8Write.call(buf, s, at + prefixBytes);
    buf[at] = n;
    buf[at + 1] = n >>> 8;
    if (prefixBytes === 4) {
      buf[at + 2] = n >>> 16;
      buf[at + 3] = n >>> 24;
    }
    this.at = at + prefixBytes + n;
  }

  labels(labels: Labels): void {
    const names = Object.keys(labels);
    this.u16(names.length);
    for (let i = 0; i < names.length; i++) {
      this.str(names[i]!, 2);
      this.str(labels[names[i]!]!, 4);
    }
  }

  align8(): void {
    const pad = (8 - (this.at & 7)) & 7;
    this.ensure(pad);
    this.buf.fill(0, this.at, this.at + pad);
    this.at += pad;
  }
}

export function encodeRecord(tenant: string, streams: readonly RecordStream[]): EncodedRecord {
  let bound = 16 + tenant.length * 3;
  for (const s of streams) {
    bound += 64 + s.entries.length * 20;
    for (const e of s.entries) bound += e.line.length * 3;
  }
  const w = new Writer(bound);
  w.u8(VERSION);
  w.str(tenant, 2);
  w.u32(streams.length);
  const spans: StreamSpan[] = [];
  for (const s of streams) spans.push(writeStream(w, s));
  const payload = w.buf.subarray(0, w.at);
  const columns = spans.map((sp) => columnsAt(payload, sp));
  return new EncodedRecord(payload, columns, w.buf);
}

/** Where a stream's columns sit in the payload. */
interface StreamSpan {
  count: number;
  tsAt: number;
  lengthsAt: number;
  /** -1 when no entry has metadata. */
  refsAt: number;
  linesAt: number;
  lineBytes: number;
  metadata: Labels[];
}

function writeStream(w: Writer, s: RecordStream): StreamSpan {
  const entries = s.entries;
  const count = entries.length;
  let hasMetadata = false;
  const lines: string[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const e = entries[i]!;
    if (e.metadata !== undefined) hasMetadata = true;
    lines[i] = e.line;
  }
  const joined = lines.join('');
  w.align8();
  w.ensure(8);
  w.buf.writeBigUInt64LE(s.id, w.at);
  w.at += 8;
  w.u32(count);
  const names = Object.keys(s.labels);
  w.u16(names.length);
  w.u8(hasMetadata ? 1 : 0);
  for (const name of names) {
    w.str(name, 2);
    w.str(s.labels[name]!, 4);
  }
  w.align8();
  const tsAt = w.at;
  const lengthsAt = tsAt + 8 * count;
  const refsAt = lengthsAt + 4 * count;
  const lineBytesAt = refsAt + (hasMetadata ? 4 * count : 0);
  const linesAt = lineBytesAt + 4;
  w.at = linesAt;
  w.ensure(joined.length * 3);
  const buf = w.buf;
  // One write for all lines (a native call per line costs twice as much). When every byte is one
  // character (all ASCII) the lengths are the string lengths; otherwise the lines are written one
  // by one (their UTF-8 can differ from the joined string's: a surrogate pair split over two lines).
  const ascii = utf8Write.call(buf, joined, linesAt) === joined.length;
  let at = linesAt;
  const objects: Labels[] = [];
  const refOf = new Map<Labels, number>();
  let lastMetadata: Labels | undefined;
  let lastRef = 0;
  if (LITTLE_ENDIAN) {
    const ts = new BigInt64Array(buf.buffer, buf.byteOffset + tsAt, count);
    const lengths = new Uint32Array(buf.buffer, buf.byteOffset + lengthsAt, count);
    const refs = hasMetadata ? new Uint32Array(buf.buffer, buf.byteOffset + refsAt, count) : undefined;
    for (let i = 0; i < count; i++) {
      const e = entries[i]!;
      if (e.ts < MIN_TS || e.ts > MAX_TS) throw tsRangeError(e.ts);
      ts[i] = e.ts;
      const n = ascii ? e.line.length : utf8Write.call(buf, e.line, at);
      lengths[i] = n;
      at += n;
      if (refs !== undefined) {
        const md = e.metadata;
        if (md !== lastMetadata) {
          lastMetadata = md;
          lastRef = metadataRef(md, objects, refOf);
        }
        refs[i] = lastRef;
      }
    }
  } else {
    for (let i = 0; i < count; i++) {
      const e = entries[i]!;
      if (e.ts < MIN_TS || e.ts > MAX_TS) throw tsRangeError(e.ts);
      buf.writeBigInt64LE(e.ts, tsAt + 8 * i);
      const n = ascii ? e.line.length : utf8Write.call(buf, e.line, at);
      buf.writeUInt32LE(n, lengthsAt + 4 * i);
      at += n;
      if (hasMetadata) {
        const md = e.metadata;
        if (md !== lastMetadata) {
          lastMetadata = md;
          lastRef = metadataRef(md, objects, refOf);
        }
        buf.writeUInt32LE(lastRef, refsAt + 4 * i);
      }
    }
  }
  const lineBytes = at - linesAt;
  buf.writeUInt32LE(lineBytes, lineBytesAt);
  w.at = at;
  if (hasMetadata) {
    w.u32(objects.length);
    for (const md of objects) w.labels(md);
  }
  return { count, tsAt, lengthsAt, refsAt: hasMetadata ? refsAt : -1, linesAt, lineBytes, metadata: objects };
}

/**
 * The reference of an entry's metadata: 0 for none, else its 1-based place in the stream's list.
 * A frozen object (ingest shares one between equal entries) is listed once; others each time.
 */
function metadataRef(md: Labels | undefined, objects: Labels[], refOf: Map<Labels, number>): number {
  if (md === undefined) return 0;
  const frozen = Object.isFrozen(md);
  if (frozen) {
    const known = refOf.get(md);
    if (known !== undefined) return known;
  }
  objects.push(md);
  if (frozen) refOf.set(md, objects.length);
  return objects.length;
}

function tsRangeError(ts: bigint): RangeError {
  return new RangeError(`entry timestamp ${ts} is outside the signed 64-bit range of unix nanoseconds`);
}

/** Views of one stream's columns; copies where the host's byte order or the alignment forbids views. */
function columnsAt(payload: Buffer, sp: StreamSpan): RecordColumns {
  const { count, tsAt, lengthsAt, refsAt, metadata } = sp;
  const lines = payload.subarray(sp.linesAt, sp.linesAt + sp.lineBytes);
  const base = payload.byteOffset;
  if (LITTLE_ENDIAN && (base + tsAt) % 8 === 0) {
    return {
      ts: new BigInt64Array(payload.buffer, base + tsAt, count),
      lengths: new Uint32Array(payload.buffer, base + lengthsAt, count),
      lines,
      refs: refsAt < 0 ? undefined : new Uint32Array(payload.buffer, base + refsAt, count),
      metadata,
    };
  }
  const ts = new BigInt64Array(count);
  const lengths = new Uint32Array(count);
  const refs = refsAt < 0 ? undefined : new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    ts[i] = payload.readBigInt64LE(tsAt + 8 * i);
    lengths[i] = payload.readUInt32LE(lengthsAt + 4 * i);
    if (refs) refs[i] = payload.readUInt32LE(refsAt + 4 * i);
  }
  return { ts, lengths, lines, refs, metadata };
}

/** The entries a stream's columns hold, as objects (for live tail, which hands entries out). */
export function columnEntries(c: RecordColumns): Entry[] {
  const out: Entry[] = new Array(c.ts.length);
  const lines = Buffer.from(c.lines.buffer, c.lines.byteOffset, c.lines.byteLength);
  let at = 0;
  for (let i = 0; i < out.length; i++) {
    const n = c.lengths[i]!;
    const line = lines.toString('utf8', at, at + n);
    at += n;
    const ref = c.refs ? c.refs[i]! : 0;
    out[i] = ref === 0 ? { ts: c.ts[i]!, line } : { ts: c.ts[i]!, line, metadata: c.metadata[ref - 1]! };
  }
  return out;
}

/** Thrown for a payload that is not a record this version wrote (the WAL's CRC passed, so a bug or a foreign file). */
export class RecordFormatError extends Error {
  override readonly name = 'RecordFormatError';
}

/** Reads a record of either version (replay; payloads are views into segment buffers, any alignment). */
export function decodeRecord(buf: Buffer): DecodedRecord {
  const r = new Reader(buf);
  const version = r.u8();
  if (version !== VERSION && version !== VERSION_1) throw new RecordFormatError(`unknown WAL record version ${version}`);
  const tenant = r.str(2);
  const streamCount = r.u32();
  const streams: RecordStream[] = [];
  for (let s = 0; s < streamCount; s++) streams.push(version === VERSION ? readStream(r) : readStreamV1(r));
  return { tenant, streams };
}

class Reader {
  at = 0;

  constructor(readonly buf: Buffer) {}

  need(n: number): void {
    if (this.at + n > this.buf.length) throw new RecordFormatError(`WAL record truncated at byte ${this.at} of ${this.buf.length}`);
  }

  u8(): number {
    this.need(1);
    return this.buf[this.at++]!;
  }

  u16(): number {
    this.need(2);
    const v = this.buf.readUInt16LE(this.at);
    this.at += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32LE(this.at);
    this.at += 4;
    return v;
  }

  str(prefixBytes: 2 | 4): string {
    const n = prefixBytes === 2 ? this.u16() : this.u32();
    this.need(n);
    const s = this.buf.toString('utf8', this.at, this.at + n);
    this.at += n;
    return s;
  }

  labels(): Labels {
    const count = this.u16();
    if (count === 0) return EMPTY;
    const out: Record<string, string> = {};
    for (let i = 0; i < count; i++) {
      const name = this.str(2);
      out[name] = this.str(4);
    }
    return out;
  }

  /** Skips the padding to the next multiple of 8 (of the payload offset). */
  align8(): void {
    this.at += (8 - (this.at & 7)) & 7;
  }
}

function readStream(r: Reader): RecordStream {
  r.align8();
  r.need(8);
  const id = r.buf.readBigUInt64LE(r.at);
  r.at += 8;
  const count = r.u32();
  const labelCount = r.u16();
  const hasMetadata = r.u8() === 1;
  const labels: Record<string, string> = {};
  for (let i = 0; i < labelCount; i++) {
    const name = r.str(2);
    labels[name] = r.str(4);
  }
  r.align8();
  const buf = r.buf;
  const tsAt = r.at;
  const lengthsAt = tsAt + 8 * count;
  const refsAt = lengthsAt + 4 * count;
  r.need((hasMetadata ? 16 : 12) * count);
  r.at = refsAt + (hasMetadata ? 4 * count : 0);
  const lineBytes = r.u32();
  const linesAt = r.at;
  r.need(lineBytes);
  r.at += lineBytes;
  const objects: Labels[] = [];
  if (hasMetadata) {
    const n = r.u32();
    for (let i = 0; i < n; i++) objects.push(r.labels());
  }
  const entries: Entry[] = new Array(count);
  let at = linesAt;
  for (let i = 0; i < count; i++) {
    const ts = buf.readBigInt64LE(tsAt + 8 * i);
    const n = buf.readUInt32LE(lengthsAt + 4 * i);
    if (at + n > linesAt + lineBytes) throw new RecordFormatError(`WAL record line ${i} runs past its stream's line bytes`);
    const line = buf.toString('utf8', at, at + n);
    at += n;
    const ref = hasMetadata ? buf.readUInt32LE(refsAt + 4 * i) : 0;
    if (ref > objects.length) throw new RecordFormatError(`WAL record entry ${i} refers to metadata ${ref} of ${objects.length}`);
    entries[i] = ref === 0 || objects[ref - 1] === EMPTY ? { ts, line } : { ts, line, metadata: objects[ref - 1]! };
  }
  return { id, labels: labelCount === 0 ? EMPTY : labels, entries };
}

function readStreamV1(r: Reader): RecordStream {
  r.need(8);
  const id = r.buf.readBigUInt64LE(r.at);
  r.at += 8;
  const labels = r.labels();
  const n = r.u32();
  const entries: Entry[] = new Array(n);
  for (let i = 0; i < n; i++) {
    r.need(8);
    const ts = r.buf.readBigInt64LE(r.at);
    r.at += 8;
    const line = r.str(4);
    const metadata = r.labels();
    entries[i] = metadata === EMPTY ? { ts, line } : { ts, line, metadata };
  }
  return { id, labels, entries };
}
