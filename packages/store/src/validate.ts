/**
 * Per-entry admission checks of `append` (line size, sample age, out-of-order window, structured
 * metadata), with Loki's reasons and texts. Pure functions over a stream's state and limits.
 */
import type { Entry, Labels, RejectReason } from './model.js';
import type { Limits } from './limits.js';
import { metadataError } from './labels.js';

const NS_PER_MS = 1_000_000n;

export function formatTs(ts: bigint): string {
  const ms = ts / NS_PER_MS;
  const iso = new Date(Number(ms)).toISOString();
  const frac = (((ts % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n).toString().padStart(9, '0');
  return iso.slice(0, 19) + '.' + frac + 'Z';
}

/** Bounds derived once per append call. */
export interface AdmissionBounds {
  /** Entries older than this are refused (reject_old_samples); undefined = no bound. */
  oldest: bigint | undefined;
  /** Entries newer than this are refused (creation_grace_period). */
  newest: bigint;
  /** out_of_order_time_window in ns. */
  window: bigint;
  maxLineBytes: number;
  truncate: boolean;
  /**
   * Frozen metadata objects this append call already found valid. Ingest shares one frozen
   * metadata object between equal entries of a push, so each is checked once, not per entry;
   * other objects are checked each time (remembering one-off objects would cost more than it saves).
   */
  validMetadata: Set<Labels>;
}

export function admissionBounds(limits: Readonly<Limits>, nowMs: number): AdmissionBounds {
  const now = BigInt(Math.floor(nowMs)) * NS_PER_MS;
  return {
    oldest: limits.reject_old_samples ? now - BigInt(limits.reject_old_samples_max_age) * NS_PER_MS : undefined,
    newest: now + BigInt(limits.creation_grace_period) * NS_PER_MS,
    window: BigInt(Math.max(0, limits.out_of_order_time_window)) * NS_PER_MS,
    maxLineBytes: limits.max_line_size,
    truncate: limits.max_line_size_truncate,
    validMetadata: new Set(),
  };
}

export interface Refusal {
  line?: never;
  reason: RejectReason;
  message: string;
}

/** Cuts a line to at most `max` UTF-8 bytes without splitting a character. */
export function truncateUtf8(line: string, max: number): string {
  const buf = Buffer.from(line, 'utf8');
  let end = max;
  while (end > 0 && (buf[end] & 0xc0) === 0x80) end--;
  return buf.toString('utf8', 0, end);
}

/**
 * Checks one entry; returns a refusal, or the entry to store (the same object, or a copy with
 * the line cut when `max_line_size_truncate` is on). `newestAccepted` is the stream's newest
 * accepted timestamp (for the out-of-order window).
 */
export function refuseEntry(
  e: Entry,
  selector: string,
  newestAccepted: bigint | undefined,
  b: AdmissionBounds,
  limits: Readonly<Limits>,
): Refusal | Entry {
  const ts = e.ts;
  if (typeof ts !== 'bigint') throw new TypeError(`entry timestamp must be a bigint (unix ns), got ${typeof ts}`);
  if (typeof e.line !== 'string') throw new TypeError(`entry line must be a string, got ${typeof e.line}`);
  if (b.maxLineBytes > 0 && e.line.length * 3 > b.maxLineBytes) {
    const size = e.line.length > b.maxLineBytes ? e.line.length : Buffer.byteLength(e.line);
    if (size > b.maxLineBytes) {
      if (!b.truncate) {
        return {
          reason: 'line_too_long',
          message: `max entry size '${b.maxLineBytes}' bytes exceeded for stream '${selector}' while adding an entry with length '${Buffer.byteLength(e.line)}' bytes`,
        };
      }
      e = { ...e, line: truncateUtf8(e.line, b.maxLineBytes) };
    }
  }
  if (b.oldest !== undefined && ts < b.oldest) {
    return {
      reason: 'greater_than_max_sample_age',
      message: `entry for stream '${selector}' has timestamp too old: ${formatTs(ts)}, oldest acceptable timestamp is: ${formatTs(b.oldest)}`,
    };
  }
  if (ts > b.newest) {
    return { reason: 'too_far_in_future', message: `entry for stream '${selector}' has timestamp too new: ${formatTs(ts)}` };
  }
  if (newestAccepted !== undefined && ts < newestAccepted - b.window) {
    const oldestOk = newestAccepted - b.window;
    return {
      reason: 'too_far_behind',
      message: `entry with timestamp ${formatTs(ts)} ignored, reason: 'entry too far behind, entry timestamp is: ${formatTs(ts)}, oldest acceptable timestamp is: ${formatTs(oldestOk)}' for stream '${selector}'`,
    };
  }
  const metadata = e.metadata;
  if (metadata !== undefined && !b.validMetadata.has(metadata)) {
    const err = metadataError(metadata, selector, limits);
    if (err) return { reason: 'invalid_metadata', message: err };
    if (Object.isFrozen(metadata)) b.validMetadata.add(metadata);
  }
  return e;
}
