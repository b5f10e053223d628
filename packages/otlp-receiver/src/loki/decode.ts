import type { Entry, Labels, StreamPush } from '@lode/store';
import { DecodeError, type DecodedPush } from '../core/decoded.js';
import type { IngestRejection } from '../core/ingester.js';
import { formatLabels } from '../core/labels.js';
import { invalidLabelName } from '../core/label-names.js';
import { PbReader, WIRE_LEN, WIRE_VARINT } from '../core/pb-reader.js';
import { parseLabelSelector } from './selector.js';

const NS_PER_SECOND = 1_000_000_000n;
const DIGITS = /^-?\d+$/;

function invalidLabels(selector: string, error: string, count: number): IngestRejection {
  return { stream: selector, reason: 'invalid_labels', count, message: `Error parsing labels '${selector}' with error: ${error}` };
}

/** Checks names of a decoded label set; a bad one refuses the stream as Loki does. */
function checkLabels(labels: Labels, count: number, rejected: IngestRejection[]): boolean {
  const bad = invalidLabelName(labels);
  if (bad === undefined) return true;
  const selector = formatLabels(labels);
  rejected.push(invalidLabels(selector, `invalid label name "${bad}": names match [a-zA-Z_][a-zA-Z0-9_]*`, count));
  return false;
}

/** Decodes Loki's JSON push body: `{"streams":[{"stream":{…},"values":[["<ns>","<line>",{…}?]]}]}`. */
export function decodeLokiJson(body: Buffer): DecodedPush {
  let doc: unknown;
  const pieces = parseStreamsPiecewise(body);
  if (pieces !== undefined) doc = { streams: pieces };
  else {
    try {
      doc = JSON.parse(body.toString('utf8'));
    } catch (e) {
      throw new DecodeError(`invalid JSON push body: ${(e as Error).message}`);
    }
  }
  if (!isObject(doc) || !Array.isArray(doc['streams'])) throw new DecodeError('invalid push body: expected {"streams":[…]}');
  const streams: StreamPush[] = [];
  const rejected: IngestRejection[] = [];
  const raw = doc['streams'] as unknown[];
  for (let s = 0; s < raw.length; s++) {
    const stream = raw[s];
    if (!isObject(stream)) throw new DecodeError(`streams[${s}]: expected an object`);
    const labels = stringMap(stream['stream'] ?? stream['labels'] ?? {}, `streams[${s}].stream`);
    const values = stream['values'] ?? [];
    if (!Array.isArray(values)) throw new DecodeError(`streams[${s}].values: expected an array`);
    const entries: Entry[] = new Array(values.length);
    for (let v = 0; v < values.length; v++) entries[v] = jsonEntry(values[v], s, v);
    if (checkLabels(labels, entries.length, rejected)) streams.push({ labels, entries });
  }
  return { streams, rejected };
}

const PIECEWISE_PREFIX = Buffer.from('{"streams":[');
const PIECEWISE_SEPARATOR = Buffer.from('},{"');
/** Smaller bodies become one string below V8's large-object size anyway. */
const PIECEWISE_MIN_BYTES = 64 * 1024;

/**
 * The `streams` array of a body in the compact shape clients send (`{"streams":[{…},{…}]}`, no
 * whitespace around the outer parts), parsed one element at a time: a push body is often larger
 * than V8's largest regular heap object (128 KiB), and as one string it would go to a fresh
 * large-object page, whose page faults cost more system time than the parse. The body is split
 * after each `}` of a `},{"` (native search): if every piece parses, the whole body is exactly
 * `{"streams":[piece,piece,…]}`, so the result is what JSON.parse of the body gives, wherever the
 * cuts fell. Undefined when a piece does not parse or the shape differs: the caller parses whole
 * (and words any error).
 */
function parseStreamsPiecewise(body: Buffer): unknown[] | undefined {
  const n = body.length;
  if (n < PIECEWISE_MIN_BYTES || body[n - 2] !== 0x5d || body[n - 1] !== 0x7d) return undefined;
  if (body.compare(PIECEWISE_PREFIX, 0, PIECEWISE_PREFIX.length, 0, PIECEWISE_PREFIX.length) !== 0) return undefined;
  const end = n - 2;
  const out: unknown[] = [];
  for (let start = PIECEWISE_PREFIX.length; ; ) {
    const sep = body.indexOf(PIECEWISE_SEPARATOR, start);
    const pieceEnd = sep === -1 || sep + 1 >= end ? end : sep + 1;
    try {
      out.push(JSON.parse(body.toString('utf8', start, pieceEnd)));
    } catch {
      return undefined;
    }
    if (pieceEnd === end) return out;
    start = pieceEnd + 1;
  }
}

function jsonEntry(value: unknown, s: number, v: number): Entry {
  if (!Array.isArray(value) || value.length < 2 || value.length > 3) {
    throw new DecodeError(`${where(s, v)}: expected ["<unix epoch in nanoseconds>", "<log line>", {optional structured metadata}]`);
  }
  const ts: unknown = value[0];
  const line: unknown = value[1];
  const metadata: unknown = value[2];
  let nanos: bigint | undefined;
  if (typeof ts === 'string') nanos = decimalNanos(ts);
  else if (typeof ts === 'number' && Number.isSafeInteger(ts)) nanos = BigInt(ts);
  if (nanos === undefined) throw new DecodeError(`${where(s, v)}[0]: timestamp must be a string of unix epoch nanoseconds, got ${JSON.stringify(ts)}`);
  if (typeof line !== 'string') throw new DecodeError(`${where(s, v)}[1]: log line must be a string`);
  if (metadata === undefined || metadata === null) return { ts: nanos, line };
  const m = stringMap(metadata, `${where(s, v)}[2]`);
  return hasKeys(m) ? { ts: nanos, line, metadata: m } : { ts: nanos, line };
}

/**
 * A timestamp string of decimal digits (optionally negative) as nanoseconds; undefined otherwise.
 * Up to 24 digits are read as two exact doubles (at most 15 digits of seconds, 9 of nanoseconds),
 * cheaper than a regexp test plus `BigInt(string)` per entry; longer strings take that general path.
 */
function decimalNanos(text: string): bigint | undefined {
  const n = text.length;
  const sign = n > 0 && text.charCodeAt(0) === 0x2d ? 1 : 0;
  if (n - sign > 24 || n - sign === 0) return DIGITS.test(text) ? BigInt(text) : undefined;
  const split = Math.max(sign, n - 9);
  let high = 0;
  let low = 0;
  for (let i = sign; i < split; i++) {
    const d = text.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return undefined;
    high = high * 10 + d;
  }
  for (let i = split; i < n; i++) {
    const d = text.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return undefined;
    low = low * 10 + d;
  }
  const value = secondsInNs(high) + BigInt(low);
  return sign === 1 ? -value : value;
}

/** The whole seconds of the last timestamp read and them in ns: entries of a push mostly share them. */
let lastSeconds = -1;
let lastSecondsNs = 0n;

/** `seconds` (a non-negative safe integer) in nanoseconds, reusing the last result. */
function secondsInNs(seconds: number): bigint {
  if (seconds !== lastSeconds) {
    lastSeconds = seconds;
    lastSecondsNs = BigInt(seconds) * NS_PER_SECOND;
  }
  return lastSecondsNs;
}

/** An entry's position, rendered only for an error (not built per entry for nothing). */
function where(s: number, v: number): string {
  return `streams[${s}].values[${v}]`;
}

function hasKeys(m: Record<string, string>): boolean {
  for (const _ in m) return true;
  return false;
}

function stringMap(value: unknown, where: string): Record<string, string> {
  if (!isObject(value)) throw new DecodeError(`${where}: expected an object of string values`);
  for (const k in value) {
    if (typeof value[k] !== 'string') throw new DecodeError(`${where}.${k}: expected a string value`);
  }
  return value as Record<string, string>;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Decodes an uncompressed `logproto.PushRequest` straight from the wire (see `PbReader`): one
 * `Entry` per line and nothing else per entry. Unknown fields are skipped as protobuf requires.
 */
export function decodeLokiProto(body: Buffer): DecodedPush {
  const r = new PbReader(body);
  const streams: StreamPush[] = [];
  const rejected: IngestRejection[] = [];
  try {
    while (r.more()) {
      const tag = r.uint32();
      if (tag === ((1 << 3) | WIRE_LEN)) {
        const end = r.delimited();
        readStream(r, end, streams, rejected);
        r.pos = end;
      } else skipField(r, tag);
    }
  } catch (e) {
    if (e instanceof DecodeError) throw new DecodeError(`invalid protobuf push body: ${e.message}`);
    throw e;
  }
  return { streams, rejected };
}

function skipField(r: PbReader, tag: number): void {
  if (tag >>> 3 === 0) r.fail('invalid field number 0');
  r.skip(tag & 7);
}

/** `StreamAdapter{string labels=1; repeated EntryAdapter entries=2; uint64 hash=3}`, fields in any order. */
function readStream(r: PbReader, end: number, streams: StreamPush[], rejected: IngestRejection[]): void {
  const outer = r.end;
  r.end = end;
  let selector = '';
  const entries: Entry[] = [];
  while (r.more()) {
    const tag = r.uint32();
    if (tag === ((1 << 3) | WIRE_LEN)) selector = r.string();
    else if (tag === ((2 << 3) | WIRE_LEN)) {
      const entryEnd = r.delimited();
      entries.push(readEntry(r, entryEnd));
      r.pos = entryEnd;
    } else skipField(r, tag);
  }
  r.end = outer;
  const parsed = parseLabelSelector(selector);
  if (!parsed.ok) rejected.push(invalidLabels(selector, parsed.error, entries.length));
  else if (checkLabels(parsed.labels, entries.length, rejected)) streams.push({ labels: parsed.labels, entries });
}

/** `EntryAdapter{Timestamp timestamp=1; string line=2; repeated LabelPairAdapter structuredMetadata=3}`. */
function readEntry(r: PbReader, end: number): Entry {
  const outer = r.end;
  r.end = end;
  // A repeated Timestamp field merges (later scalars win), which reading into one pair does.
  // Seconds are read as a number when they fit 7 varint bytes (every date from 1970 on).
  let seconds = 0;
  let bigSeconds: bigint | undefined;
  let nanos = 0;
  let line = '';
  let metadata: Record<string, string> | undefined;
  while (r.more()) {
    const tag = r.uint32();
    if (tag === ((2 << 3) | WIRE_LEN)) line = r.string();
    else if (tag === ((1 << 3) | WIRE_LEN)) {
      r.end = r.delimited();
      while (r.more()) {
        const t = r.uint32();
        if (t === ((1 << 3) | WIRE_VARINT)) {
          seconds = r.smallUint();
          bigSeconds = seconds < 0 ? r.int64() : undefined;
        } else if (t === ((2 << 3) | WIRE_VARINT)) nanos = r.int32();
        else skipField(r, t);
      }
      r.end = end;
    } else if (tag === ((3 << 3) | WIRE_LEN)) {
      r.end = r.delimited();
      let name = '';
      let value = '';
      while (r.more()) {
        const t = r.uint32();
        if (t === ((1 << 3) | WIRE_LEN)) name = r.string();
        else if (t === ((2 << 3) | WIRE_LEN)) value = r.string();
        else skipField(r, t);
      }
      r.end = end;
      (metadata ??= {})[name] = value;
    } else skipField(r, tag);
  }
  r.end = outer;
  const entry: Entry = { ts: (bigSeconds === undefined ? secondsInNs(seconds) : bigSeconds * NS_PER_SECOND) + BigInt(nanos), line };
  if (metadata) entry.metadata = metadata;
  return entry;
}
