/**
 * Parsing of the time arguments client commands take: Go-style durations (`5m`, `1h30m`, as Loki
 * and logcli accept them) and timestamps (RFC 3339, unix seconds with fraction, or unix
 * nanoseconds), all turned into bigint nanoseconds since the epoch.
 */
import { UsageError } from './errors.js';

const UNIT_NS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
  d: 86_400_000_000_000n,
  w: 604_800_000_000_000n,
};

/** `1h30m` → nanoseconds. Fractions are allowed per part (`1.5h`). */
export function parseDuration(text: string, what: string): bigint {
  const part = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d|w)/gy;
  let total = 0n;
  let matched = 0;
  for (let m = part.exec(text); m !== null; m = part.exec(text)) {
    const [whole = '0', frac = ''] = m[1]!.split('.');
    const unit = UNIT_NS[m[2]!]!;
    total += BigInt(whole) * unit + (frac ? (BigInt(frac) * unit) / 10n ** BigInt(frac.length) : 0n);
    matched = part.lastIndex;
  }
  if (text === '' || matched !== text.length) {
    throw new UsageError(`${what}: "${text}" is not a duration; use e.g. 30s, 5m, 1h30m, 2d`);
  }
  return total;
}

export function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

/** RFC 3339, unix seconds (`1700000000.5`), unix nanoseconds (19 digits), or `now`. */
export function parseTimestamp(text: string, what: string): bigint {
  if (text === 'now') return nowNs();
  if (/^\d{16,}$/.test(text)) return BigInt(text);
  if (/^\d+(\.\d+)?$/.test(text)) {
    const [whole = '0', frac = ''] = text.split('.');
    return BigInt(whole) * 1_000_000_000n + BigInt((frac + '000000000').slice(0, 9));
  }
  const ms = Date.parse(text);
  if (Number.isNaN(ms) || !/^\d{4}-\d{2}-\d{2}/.test(text)) {
    throw new UsageError(`${what}: "${text}" is not a time; use RFC 3339 (2024-05-01T10:00:00Z), unix seconds or "now"`);
  }
  // Keep sub-millisecond digits that Date.parse drops.
  const frac = /\.(\d+)/.exec(text)?.[1] ?? '';
  const subMs = frac.length > 3 ? BigInt((frac + '000000000').slice(3, 9)) : 0n;
  return BigInt(ms) * 1_000_000n + subMs;
}

/** Nanoseconds → RFC 3339 in UTC with nanosecond precision when it has any. */
export function formatNs(ns: bigint): string {
  const ms = ns / 1_000_000n;
  const iso = new Date(Number(ms)).toISOString();
  const fracNs = ns % 1_000_000_000n;
  if (fracNs === 0n) return iso.replace('.000Z', 'Z');
  const digits = fracNs.toString().padStart(9, '0').replace(/0+$/, '');
  return `${iso.slice(0, 19)}.${digits}Z`;
}
