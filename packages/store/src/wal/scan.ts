// Replay scanner: walks the records of one segment held in memory, tells intact records from
// damage, and says where the intact data ends (so a torn tail can be cut off).
import { checkRecord, HEADER_BYTES, nextMagic } from './format.js';

export interface Damage {
  offset: number;
  reason: string;
}

export interface SegmentScan {
  /** End of the last intact record: everything after it is the tail. */
  validEnd: number;
  records: number;
  /** Highest intact LSN, or the floor passed in when there was none. */
  lastLsn: bigint;
  /** Damaged stretches followed by intact records (corruption in the middle). */
  corruptions: Damage[];
  /** Unusable bytes after the last intact record: a torn write, or damage at the end. */
  tail?: Damage & { bytes: number };
}

/**
 * Scans `buf` (a whole segment). Only records with an LSN above `floorLsn` and above every
 * earlier record count as intact. Payloads handed to `visit` are views into `buf`.
 */
export function scanSegment(
  buf: Buffer,
  floorLsn: bigint,
  visit?: (lsn: bigint, payload: Buffer) => void,
): SegmentScan {
  let pos = 0;
  let prev = floorLsn; // highest LSN read from a trustworthy header
  let prevEnd = 0; // end of the record that carried `prev`, for the resync LSN window
  let validEnd = 0;
  let records = 0;
  let lastLsn = floorLsn;
  let tailReason = '';
  const corruptions: Damage[] = [];
  // Damage seen since the last intact record: corruption if an intact record follows, else tail.
  let pending: Damage[] = [];

  while (pos < buf.length) {
    const c = checkRecord(buf, pos);
    if (c.kind === 'ok' && c.lsn > prev) {
      if (pending.length > 0) {
        corruptions.push(...pending);
        pending = [];
      }
      visit?.(c.lsn, buf.subarray(pos + HEADER_BYTES, c.end));
      records++;
      prev = lastLsn = c.lsn;
      pos = prevEnd = validEnd = c.end;
      continue;
    }
    if (c.kind === 'ok' || c.kind === 'bad-body') {
      // The header is intact, so its length is trustworthy: skip exactly this record.
      const reason = c.kind === 'ok' ? `record lsn ${c.lsn} does not follow lsn ${prev} (duplicate or out of order)` : c.reason;
      pending.push({ offset: pos, reason });
      if (c.lsn > prev) prev = c.lsn;
      pos = prevEnd = c.end;
      continue;
    }
    if (c.kind === 'truncated') {
      tailReason = c.reason;
      break;
    }
    const next = resync(buf, pos + 1, prev, prevEnd);
    if (next < 0) {
      tailReason = c.reason;
      break;
    }
    pending.push({ offset: pos, reason: `${c.reason}; skipped ${next - pos} bytes to the next intact record` });
    pos = next;
  }

  const result: SegmentScan = { validEnd, records, lastLsn, corruptions };
  if (validEnd < buf.length) {
    result.tail = { offset: validEnd, bytes: buf.length - validEnd, reason: pending[0]?.reason ?? tailReason };
  }
  return result;
}

/**
 * Finds the next intact record after damage. Besides both checksums, its LSN must fit in the
 * window the skipped bytes allow (LSNs are consecutive within a segment and every record takes
 * at least HEADER_BYTES), so a record-shaped byte sequence inside some payload is not taken for
 * a real record.
 */
function resync(buf: Buffer, from: number, prev: bigint, prevEnd: number): number {
  for (let at = nextMagic(buf, from); at >= 0; at = nextMagic(buf, at + 1)) {
    const c = checkRecord(buf, at);
    if (c.kind !== 'ok') continue;
    const maxSkipped = BigInt(Math.floor((at - prevEnd) / HEADER_BYTES));
    if (c.lsn > prev && c.lsn <= prev + maxSkipped + 1n) return at;
  }
  return -1;
}
