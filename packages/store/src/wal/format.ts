// On-disk record format of the write-ahead log.
//
//   offset 0  u32 magic         MAGIC, lets replay find the next record after damage (resync)
//          4  u32 length        payload bytes
//          8  u64 lsn           log sequence number, strictly increasing through the log
//         16  u32 payloadCrc    crc32c(payload)
//         20  u32 headerCrc     crc32c(bytes 0..20)
//         24  payload
//
// All integers are little-endian. The header has its own CRC so a damaged payload still leaves
// a trustworthy length (the scanner skips exactly that record), and a damaged header is detected
// without trusting its length (the scanner then searches for the next intact header).
import { crc32c } from '@node-rs/crc32';

export const HEADER_BYTES = 24;
/** Format version 1 of a lode WAL record; bytes chosen to be rare in text logs. */
export const MAGIC = 0x01a1f74c;
const MAGIC_BYTES = Buffer.from([0x4c, 0xf7, 0xa1, 0x01]);
/** Larger payloads are refused by append and treated as damage by replay. */
export const MAX_PAYLOAD_BYTES = 256 * 1024 * 1024;

/** Builds the 24-byte header of a record. One small pooled allocation per record. */
export function encodeHeader(lsn: bigint, payload: Uint8Array): Buffer {
  const h = Buffer.allocUnsafe(HEADER_BYTES);
  h.writeUInt32LE(MAGIC, 0);
  h.writeUInt32LE(payload.length, 4);
  h.writeBigUInt64LE(lsn, 8);
  h.writeUInt32LE(crc32c(payload), 16);
  h.writeUInt32LE(crc32c(h.subarray(0, 20)), 20);
  return h;
}

export type RecordCheck =
  /** An intact record [offset, end). */
  | { kind: 'ok'; lsn: bigint; end: number }
  /** The header is intact (so `end` and `lsn` are trustworthy) but the record is not usable. */
  | { kind: 'bad-body'; lsn: bigint; end: number; reason: string }
  /** The header is intact but the record runs past the end of the data. */
  | { kind: 'truncated'; reason: string }
  /** The header itself is damaged or incomplete: nothing in it can be trusted. */
  | { kind: 'bad-header'; reason: string };

/** Checks the record starting at `pos` of `buf`. */
export function checkRecord(buf: Buffer, pos: number): RecordCheck {
  const avail = buf.length - pos;
  if (avail < HEADER_BYTES) return { kind: 'bad-header', reason: `partial header (${avail} of ${HEADER_BYTES} bytes)` };
  if (buf.readUInt32LE(pos) !== MAGIC) {
    return { kind: 'bad-header', reason: isZero(buf, pos, pos + HEADER_BYTES) ? 'zero-filled bytes' : 'bad record magic' };
  }
  if (crc32c(buf.subarray(pos, pos + 20)) !== buf.readUInt32LE(pos + 20)) {
    return { kind: 'bad-header', reason: 'header checksum mismatch' };
  }
  const length = buf.readUInt32LE(pos + 4);
  const lsn = buf.readBigUInt64LE(pos + 8);
  if (length > MAX_PAYLOAD_BYTES) {
    return { kind: 'bad-header', reason: `absurd record length ${length} (limit ${MAX_PAYLOAD_BYTES})` };
  }
  const end = pos + HEADER_BYTES + length;
  if (end > buf.length) {
    return { kind: 'truncated', reason: `record lsn ${lsn} needs ${length} payload bytes, ${avail - HEADER_BYTES} present` };
  }
  if (crc32c(buf.subarray(pos + HEADER_BYTES, end)) !== buf.readUInt32LE(pos + 16)) {
    return { kind: 'bad-body', lsn, end, reason: `payload checksum mismatch in record lsn ${lsn}` };
  }
  return { kind: 'ok', lsn, end };
}

/** Offset of the next possible record start at or after `from`, or -1. */
export function nextMagic(buf: Buffer, from: number): number {
  return buf.indexOf(MAGIC_BYTES, from);
}

function isZero(buf: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (buf[i] !== 0) return false;
  return true;
}
