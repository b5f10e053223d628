/**
 * Request parameters of Loki's HTTP API, read from the query string or a form body alike, with
 * Loki's formats and defaults: timestamps as unix seconds (≤ 10 digits), unix nanoseconds,
 * float seconds or RFC 3339; durations as Go durations or float seconds.
 */
export class BadRequest extends Error {
  readonly status = 400;
}

const NS_PER_SECOND = 1_000_000_000n;

/** All values of each parameter (query string first, then form body). */
export type Params = ReadonlyMap<string, readonly string[]>;

export function mergeParams(...sources: URLSearchParams[]): Params {
  const out = new Map<string, string[]>();
  for (const source of sources) {
    for (const [k, v] of source) {
      const list = out.get(k);
      if (list) list.push(v);
      else out.set(k, [v]);
    }
  }
  return out;
}

export function param(params: Params, name: string): string | undefined {
  const v = params.get(name)?.[0];
  return v === undefined || v === '' ? undefined : v;
}

export function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

/** Parses an RFC 3339 timestamp keeping all nine fractional digits. */
function parseRfc3339(text: string): bigint | undefined {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/i.exec(text);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}${m[3]!.toUpperCase()}`);
  if (Number.isNaN(ms)) return undefined;
  const frac = BigInt((m[2] ?? '').padEnd(9, '0'));
  return BigInt(ms) * 1_000_000n + frac;
}

/** A timestamp in any form Loki accepts, in unix nanoseconds. */
export function parseTimestamp(text: string, name: string): bigint {
  if (/^-?\d+$/.test(text)) {
    const n = BigInt(text);
    return text.replace('-', '').length <= 10 ? n * NS_PER_SECOND : n;
  }
  if (/^-?\d+\.\d*$/.test(text)) {
    const [whole, frac = ''] = text.split('.');
    const sign = whole!.startsWith('-') ? -1n : 1n;
    return BigInt(whole!) * NS_PER_SECOND + sign * BigInt(frac.slice(0, 9).padEnd(9, '0'));
  }
  const t = parseRfc3339(text);
  if (t === undefined) throw new BadRequest(`invalid parameter "${name}": cannot parse "${text}" to a valid timestamp`);
  return t;
}

const GO_DURATION_PART = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d|w|y)/y;
const UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9, d: 86400e9, w: 604800e9, y: 31536000e9 };

/** A Go/Prometheus duration (`5m`, `1h30m`) or float seconds, in nanoseconds. */
export function parseDurationNs(text: string, name: string): bigint {
  if (/^\d+(\.\d+)?$/.test(text)) return BigInt(Math.round(Number(text) * 1e9));
  let total = 0;
  let consumed = 0;
  GO_DURATION_PART.lastIndex = 0;
  for (let m = GO_DURATION_PART.exec(text); m; m = GO_DURATION_PART.exec(text)) {
    total += Number(m[1]) * UNIT_NS[m[2]!]!;
    consumed = GO_DURATION_PART.lastIndex;
  }
  if (consumed === 0 || consumed !== text.length) {
    throw new BadRequest(`invalid parameter "${name}": cannot parse "${text}" to a valid duration`);
  }
  return BigInt(Math.round(total));
}

export function timeParam(params: Params, name: string, fallback: bigint): bigint {
  const v = param(params, name);
  return v === undefined ? fallback : parseTimestamp(v, name);
}

export interface TimeBounds {
  start: bigint;
  end: bigint;
}

/** `start`/`end`/`since` with Loki's defaults (end = now, start = end − since, since defaulting to `defaultSince`). */
export function boundsParams(params: Params, defaultSinceNs: bigint): TimeBounds {
  const end = timeParam(params, 'end', nowNs());
  const sinceText = param(params, 'since');
  const since = sinceText === undefined ? defaultSinceNs : parseDurationNs(sinceText, 'since');
  const start = timeParam(params, 'start', end - since);
  if (end < start) throw new BadRequest('end timestamp must not be before or equal to start time');
  return { start, end };
}

export function limitParam(params: Params, fallback: number): number {
  const v = param(params, 'limit');
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new BadRequest(`invalid parameter "limit": cannot parse "${v}" as an integer`);
  if (n <= 0) throw new BadRequest('limit must be a positive value');
  return n;
}

export function directionParam(params: Params): 'forward' | 'backward' {
  const v = param(params, 'direction');
  if (v === undefined) return 'backward';
  const d = v.toLowerCase();
  if (d !== 'forward' && d !== 'backward') throw new BadRequest(`invalid direction "${v}": use forward or backward`);
  return d;
}

export function durationParam(params: Params, name: string): bigint | undefined {
  const v = param(params, name);
  return v === undefined ? undefined : parseDurationNs(v, name);
}
