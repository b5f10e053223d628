/**
 * The WAL record of one append call: tenant, then per stream its id, labels and accepted
 * entries. A compact length-prefixed binary layout written into one reusable scratch buffer
 * (no JSON, no per-entry closures); integrity (CRC, torn tails) is the WAL's job.
 *
 *   u8 version | u16 tenantLen | tenant | u32 streams
 *   per stream: u64 id | u16 labelCount | (u16 nameLen name u32 valueLen value)* | u32 entries
 *   per entry:  i64 ts | u32 lineLen | line | u16 metaCount | (u16 nameLen name u32 valueLen value)*
 */
import type { Entry, Labels } from './model.js';

const VERSION = 1;

export interface RecordStream {
  id: bigint;
  labels: Labels;
  entries: Entry[];
}

export interface DecodedRecord {
  tenant: string;
  streams: RecordStream[];
}

const EMPTY: Labels = Object.freeze({});

/** Grows on demand and is reused across calls; the returned payload is a copy. */
let scratch = Buffer.allocUnsafe(1 << 20);

function ensure(at: number, more: number): void {
  if (at + more <= scratch.length) return;
  let size = scratch.length * 2;
  while (size < at + more) size *= 2;
  const next = Buffer.allocUnsafe(size);
  scratch.copy(next, 0, 0, at);
  scratch = next;
}

/**
 * Buffer's own UTF-8 writer without `write()`'s argument juggling (the same native call;
 * undocumented but long-standing, used by msgpackr and lmdb-js). Append's hot path calls it per line.
 */
const utf8Write = (Buffer.prototype as unknown as { utf8Write(this: Buffer, s: string, offset: number): number }).utf8Write;

/** Writes a UTF-8 string with a length prefix of `prefixBytes` (2 or 4); returns the new offset. */
function writeStr(at: number, s: string, prefixBytes: 2 | 4): number {
  // A UTF-16 code unit never needs more than 3 UTF-8 bytes, so this bound is always enough.
  ensure(at, prefixBytes + s.length * 3);
  const buf = scratch;
  const n = utf8Write.call(buf, s, at + prefixBytes);
  buf[at] = n;
  buf[at + 1] = n >>> 8;
  if (prefixBytes === 4) {
    buf[at + 2] = n >>> 16;
    buf[at + 3] = n >>> 24;
  }
  return at + prefixBytes + n;
}

/**
 * Timestamps go through an aligned 8-byte view: Buffer.writeBigInt64LE costs several BigInt
 * operations per call. The view has the platform's byte order, so big-endian hosts keep the
 * Buffer method.
 */
const tsSlot = new BigInt64Array(1);
const tsBytes = new Uint8Array(tsSlot.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function writeTs(at: number, ts: bigint): void {
  if (!LITTLE_ENDIAN) {
    scratch.writeBigInt64LE(ts, at);
    return;
  }
  tsSlot[0] = ts;
  if (tsSlot[0] !== ts) throw new RangeError(`entry timestamp ${ts} is outside the signed 64-bit range of unix nanoseconds`);
  const buf = scratch;
  for (let i = 0; i < 8; i++) buf[at + i] = tsBytes[i]!;
}

function writeLabels(at: number, labels: Labels): number {
  const names = Object.keys(labels);
  ensure(at, 2);
  scratch.writeUInt16LE(names.length, at);
  at += 2;
  for (let i = 0; i < names.length; i++) {
    at = writeStr(at, names[i], 2);
    at = writeStr(at, labels[names[i]], 4);
  }
  return at;
}

/**
 * Writes entry metadata. A frozen object (ingest shares one between equal entries of a push) is
 * encoded once per record and copied after that; other objects are written each time.
 */
function writeMetadata(at: number, metadata: Labels, written: Map<Labels, { start: number; end: number }>): number {
  if (!Object.isFrozen(metadata)) return writeLabels(at, metadata);
  const prev = written.get(metadata);
  if (prev === undefined) {
    const end = writeLabels(at, metadata);
    written.set(metadata, { start: at, end });
    return end;
  }
  const n = prev.end - prev.start;
  ensure(at, n);
  scratch.copyWithin(at, prev.start, prev.end);
  return at + n;
}

export function encodeRecord(tenant: string, streams: readonly RecordStream[]): Buffer {
  const written = new Map<Labels, { start: number; end: number }>();
  let at = 0;
  ensure(0, 7);
  scratch[at++] = VERSION;
  at = writeStr(at, tenant, 2);
  ensure(at, 4);
  scratch.writeUInt32LE(streams.length, at);
  at += 4;
  for (const s of streams) {
    ensure(at, 8);
    scratch.writeBigUInt64LE(s.id, at);
    at = writeLabels(at + 8, s.labels);
    ensure(at, 4);
    const entries = s.entries;
    scratch.writeUInt32LE(entries.length, at);
    at += 4;
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i];
      ensure(at, 8);
      writeTs(at, e.ts);
      at = writeStr(at + 8, e.line, 4);
      if (e.metadata === undefined) {
        ensure(at, 2);
        scratch.writeUInt16LE(0, at);
        at += 2;
      } else {
        at = writeMetadata(at, e.metadata, written);
      }
    }
  }
  return Buffer.from(scratch.subarray(0, at));
}

/** Thrown for a payload that is not a record this version wrote (the WAL's CRC passed, so a bug or a foreign file). */
export class RecordFormatError extends Error {
  override readonly name = 'RecordFormatError';
}

export function decodeRecord(buf: Buffer): DecodedRecord {
  let at = 0;
  const need = (n: number) => {
    if (at + n > buf.length) throw new RecordFormatError(`WAL record truncated at byte ${at} of ${buf.length}`);
  };
  const str = (prefixBytes: 2 | 4): string => {
    need(prefixBytes);
    const n = prefixBytes === 2 ? buf.readUInt16LE(at) : buf.readUInt32LE(at);
    at += prefixBytes;
    need(n);
    const s = buf.toString('utf8', at, at + n);
    at += n;
    return s;
  };
  const labels = (): Labels => {
    need(2);
    const count = buf.readUInt16LE(at);
    at += 2;
    if (count === 0) return EMPTY;
    const out: Record<string, string> = {};
    for (let i = 0; i < count; i++) {
      const name = str(2);
      out[name] = str(4);
    }
    return out;
  };
  need(1);
  if (buf[at++] !== VERSION) throw new RecordFormatError(`unknown WAL record version ${buf[0]}`);
  const tenant = str(2);
  need(4);
  const streamCount = buf.readUInt32LE(at);
  at += 4;
  const streams: RecordStream[] = [];
  for (let s = 0; s < streamCount; s++) {
    need(8);
    const id = buf.readBigUInt64LE(at);
    at += 8;
    const streamLabels = labels();
    need(4);
    const n = buf.readUInt32LE(at);
    at += 4;
    const entries: Entry[] = new Array(n);
    for (let i = 0; i < n; i++) {
      need(8);
      const ts = buf.readBigInt64LE(at);
      at += 8;
      const line = str(4);
      const metadata = labels();
      entries[i] = metadata === EMPTY ? { ts, line } : { ts, line, metadata };
    }
    streams.push({ id, labels: streamLabels, entries });
  }
  return { tenant, streams };
}
