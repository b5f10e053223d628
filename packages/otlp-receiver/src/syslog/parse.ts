/** One syslog message as parsed; absent fields were missing, nil (`-`) or unparsable. */
export interface SyslogMessage {
  /** False when the text had no `<PRI>` at all: it is kept whole as `msg`. */
  syslog: boolean;
  format: 'rfc5424' | 'rfc3164' | 'none';
  facility?: number;
  severity?: number;
  /** Unix nanoseconds from the message; undefined → use the receive time. */
  timestamp?: bigint;
  hostname?: string;
  appName?: string;
  procId?: string;
  msgId?: string;
  /** Structured data as `sdId` → params, in order. */
  structuredData: readonly { id: string; params: [string, string][] }[];
  msg: string;
}

const MONTHS: Record<string, number> = { Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11 };
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/i;
const BSD_TS = /^(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) /;
const TAG = /^([^\s:[\]]{1,64})(?:\[([^\]\s]{1,32})\])?:(?: |$)/;

/** Shared by every message without structured data (never mutated). */
const NO_STRUCTURED_DATA: SyslogMessage['structuredData'] = Object.freeze([]);

/** The last whole-second part (`2024-01-02T03:04:05`) seen and its epoch time in UTC: a stream of messages repeats it. */
let lastSecond = '';
let lastSecondNanos = 0n;

/**
 * Nanoseconds of `(.f{1,9})?Z` (either case of Z) from index 19 to the end of `text`, read in
 * place; -1 when the rest is anything else (a zone offset, too many digits).
 */
function fractionZNanos(text: string): number {
  let i = 19;
  let nanos = 0;
  if (text.charCodeAt(i) === 0x2e) {
    i++;
    let digits = 0;
    for (let c = text.charCodeAt(i); c >= 0x30 && c <= 0x39; c = text.charCodeAt(++i)) {
      if (++digits > 9) return -1;
      nanos = nanos * 10 + (c - 0x30);
    }
    if (digits === 0) return -1;
    for (; digits < 9; digits++) nanos *= 10;
  }
  return i === text.length - 1 && (text.charCodeAt(i) | 0x20) === 0x7a ? nanos : -1;
}

/** RFC 3339 (RFC 5424 TIMESTAMP) to unix nanoseconds, keeping every fractional digit. */
export function parseRfc3339Nanos(text: string): bigint | undefined {
  if (lastSecond !== '' && text.startsWith(lastSecond)) {
    const f = fractionZNanos(text);
    if (f >= 0) return lastSecondNanos + BigInt(f);
  }
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  let ms = Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, +s!);
  if (Number.isNaN(ms)) return undefined;
  // Only a Gregorian-valid second is cached (Date.UTC rolls 2024-02-30 over; keep the slow path for those).
  if (new Date(ms).toISOString().startsWith(text.slice(0, 19))) {
    lastSecond = text.slice(0, 19);
    lastSecondNanos = BigInt(ms) * 1_000_000n;
  }
  if (zone!.toUpperCase() !== 'Z') {
    const sign = zone![0] === '-' ? -1 : 1;
    ms -= sign * (+zone!.slice(1, 3) * 60 + +zone!.slice(4, 6)) * 60_000;
  }
  const fracNanos = frac ? BigInt(frac.padEnd(9, '0')) : 0n;
  return BigInt(ms) * 1_000_000n + fracNanos;
}

/**
 * RFC 3164 timestamps have no year or zone: the listener's local time zone and the current year,
 * or last year when that would put the message more than a day in the future (December logs read
 * in January).
 */
function parseBsdTimestamp(m: RegExpExecArray, nowMs: number): bigint {
  const month = MONTHS[m[1]!]!;
  const args = [month, +m[2]!.trim(), +m[3]!, +m[4]!, +m[5]!] as const;
  const year = new Date(nowMs).getFullYear();
  let date = new Date(year, ...args);
  if (date.getTime() - nowMs > 86_400_000) date = new Date(year - 1, ...args);
  return BigInt(date.getTime()) * 1_000_000n;
}

const nil = (v: string | undefined): string | undefined => (v === undefined || v === '-' || v === '' ? undefined : v);

/** Splits off the next space-delimited token. */
function token(s: string, from: number): [string, number] | undefined {
  if (from >= s.length) return undefined;
  const sp = s.indexOf(' ', from);
  return sp < 0 ? [s.slice(from), s.length] : [s.slice(from, sp), sp + 1];
}

/** Parses `[id k="v" …]…`; returns the elements and where MSG starts, or undefined if malformed. */
function parseStructuredData(s: string, from: number): { sd: SyslogMessage['structuredData']; end: number } | undefined {
  if (s[from] === '-') return { sd: NO_STRUCTURED_DATA, end: from + 1 };
  const sd: { id: string; params: [string, string][] }[] = [];
  let i = from;
  while (s[i] === '[') {
    i++;
    const idEnd = s.slice(i).search(/[ \]]/);
    if (idEnd <= 0) return undefined;
    const id = s.slice(i, i + idEnd);
    i += idEnd;
    const params: [string, string][] = [];
    while (s[i] === ' ') {
      i++;
      const eq = s.indexOf('=', i);
      if (eq < 0 || s[eq + 1] !== '"') return undefined;
      const name = s.slice(i, eq);
      i = eq + 2;
      let value = '';
      while (i < s.length && s[i] !== '"') {
        if (s[i] === '\\' && (s[i + 1] === '"' || s[i + 1] === '\\' || s[i + 1] === ']')) i++;
        value += s[i];
        i++;
      }
      if (s[i] !== '"') return undefined;
      i++;
      params.push([name, value]);
    }
    if (s[i] !== ']') return undefined;
    i++;
    sd.push({ id, params });
  }
  return sd.length > 0 ? { sd, end: i } : undefined;
}

function stripBom(msg: string): string {
  return msg.charCodeAt(0) === 0xfeff ? msg.slice(1) : msg;
}

/** RFC 5424 from `from` (after `<PRI>1 `); undefined when the header does not fit the grammar. */
function parse5424(text: string, from: number, pri: number): SyslogMessage | undefined {
  // Five space-delimited header fields, found in place (no token array per message).
  const e1 = text.indexOf(' ', from);
  const e2 = e1 < 0 ? -1 : text.indexOf(' ', e1 + 1);
  const e3 = e2 < 0 ? -1 : text.indexOf(' ', e2 + 1);
  const e4 = e3 < 0 ? -1 : text.indexOf(' ', e3 + 1);
  const e5 = e4 < 0 ? -1 : text.indexOf(' ', e4 + 1);
  if (e5 < 0 || e5 + 1 >= text.length) return undefined;
  const sd = parseStructuredData(text, e5 + 1);
  if (!sd) return undefined;
  const msgStart = text.charCodeAt(sd.end) === 0x20 ? sd.end + 1 : sd.end;
  const ts = text.slice(from, e1);
  return {
    syslog: true,
    format: 'rfc5424',
    facility: pri >> 3,
    severity: pri & 7,
    timestamp: ts === '-' ? undefined : parseRfc3339Nanos(ts),
    hostname: nil(text.slice(e1 + 1, e2)),
    appName: nil(text.slice(e2 + 1, e3)),
    procId: nil(text.slice(e3 + 1, e4)),
    msgId: nil(text.slice(e4 + 1, e5)),
    structuredData: sd.sd,
    msg: stripBom(text.slice(msgStart)),
  };
}

/** RFC 3164 after `<PRI>`: optional timestamp and hostname, then `TAG[pid]: MSG`; never fails. */
function parse3164(rest: string, base: SyslogMessage, nowMs: number): SyslogMessage {
  const out: SyslogMessage = { ...base, format: 'rfc3164' };
  let s = rest;
  const ts = BSD_TS.exec(s);
  if (ts) {
    out.timestamp = parseBsdTimestamp(ts, nowMs);
    s = s.slice(ts[0].length);
    const tag = TAG.exec(s);
    if (!tag) {
      const host = token(s, 0);
      if (host && host[1] < s.length) {
        out.hostname = host[0];
        s = s.slice(host[1]);
      }
    }
  }
  const tag = TAG.exec(s);
  if (tag) {
    out.appName = tag[1];
    if (tag[2]) out.procId = tag[2];
    s = s.slice(tag[0].length);
  }
  out.msg = stripBom(s);
  return out;
}

/**
 * Parses one syslog message of either RFC, detected per message (`<PRI>1 ` is RFC 5424). Text
 * without a valid `<PRI>` is not syslog and comes back whole with `syslog: false`.
 */
export function parseSyslog(text: string, nowMs: number): SyslogMessage {
  const after = priEnd(text);
  if (after < 0) return { syslog: false, format: 'none', structuredData: NO_STRUCTURED_DATA, msg: text };
  let pri = 0;
  for (let i = 1; i < after - 1; i++) pri = pri * 10 + (text.charCodeAt(i) - 0x30);
  if (text.charCodeAt(after) === 0x31 && text.charCodeAt(after + 1) === 0x20) {
    const parsed = parse5424(text, after + 2, pri);
    if (parsed) return parsed;
  }
  const withPri: SyslogMessage = { syslog: true, format: 'none', structuredData: NO_STRUCTURED_DATA, msg: text, facility: pri >> 3, severity: pri & 7 };
  return parse3164(text.slice(after), withPri, nowMs);
}

/** Index after a valid `<PRI>` (1–3 digits, at most 191) at the start of `text`, else -1. */
function priEnd(text: string): number {
  if (text.charCodeAt(0) !== 0x3c) return -1;
  let pri = 0;
  let i = 1;
  for (let c = text.charCodeAt(i); c >= 0x30 && c <= 0x39; c = text.charCodeAt(++i)) {
    if (i > 3) return -1;
    pri = pri * 10 + (c - 0x30);
  }
  return i > 1 && text.charCodeAt(i) === 0x3e && pri <= 191 ? i + 1 : -1;
}
