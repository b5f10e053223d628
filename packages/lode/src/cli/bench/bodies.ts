/**
 * Request bodies of `lode bench ingest` for each protocol, built from one generated batch so
 * every protocol carries the same lines: Loki push as JSON or as protobuf + snappy, OTLP/HTTP
 * protobuf, and RFC 5424 syslog frames (octet counting) for TCP. Bodies are written as bytes,
 * copying each line's prepared UTF-8 or JSON form from the pool: the generator shares the
 * machine with the server it measures, so it must stay far cheaper than the server's decoding.
 */
import snappy from 'snappy';
import type { Labels } from '../loki-types.js';
import type { LinePool } from './generator.js';
import { fieldSize, ProtoWriter, varintSize } from './wire.js';

export const PROTOCOLS = ['loki-json', 'loki-proto', 'otlp-proto', 'syslog-tcp'] as const;
export type BenchProtocol = (typeof PROTOCOLS)[number];

/** One stream's part of a batch: pool lines with strictly increasing timestamps. */
export interface BatchStream {
  labels: Labels;
  /** Pool indexes of the lines, in push order. */
  lines: number[];
  /** Each line's timestamp: whole unix seconds, and nanoseconds within that second. */
  seconds: number[];
  nanos: number[];
}

export interface Batch {
  pool: LinePool;
  streams: BatchStream[];
}

export interface HttpBody {
  path: string;
  headers: Record<string, string>;
  body: Buffer | string;
}

/** Longest decimal form of a timestamp written here: 10 digits of seconds before 2286, 9 of nanoseconds. */
const MAX_TS_DIGITS = 20;

/** Decimal digits of the last whole seconds written (lines of a batch share them). */
let secondsText = { seconds: -1, digits: Buffer.alloc(0) };

/** `seconds`·10^9 + `nanos` in decimal, as Loki's JSON push wants its timestamps; returns the new offset. */
function writeNanos(buf: Buffer, at: number, seconds: number, nanos: number): number {
  if (seconds === 0) return at + buf.write(String(nanos), at, 'latin1');
  if (secondsText.seconds !== seconds) secondsText = { seconds, digits: Buffer.from(String(seconds), 'latin1') };
  buf.set(secondsText.digits, at);
  at += secondsText.digits.length;
  // Nine digits, zero-padded; nanos < 10^9 fits int32, so `| 0` divides as integers.
  for (let i = at + 8; i >= at; i--) {
    const tenth = (nanos / 10) | 0;
    buf[i] = 0x30 + nanos - tenth * 10;
    nanos = tenth;
  }
  return at + 9;
}

export function lokiJson(batch: Batch): HttpBody {
  const { streams } = batch;
  const jsonOf = batch.pool.json;
  const heads = streams.map((s) => Buffer.from(`{"stream":${JSON.stringify(s.labels)},"values":[`));
  let size = 16;
  for (let k = 0; k < streams.length; k++) {
    const lines = streams[k]!.lines;
    size += heads[k]!.length + 3;
    for (const i of lines) size += jsonOf[i]!.length + MAX_TS_DIGITS + 6;
  }
  const buf = Buffer.allocUnsafe(size);
  let at = buf.write('{"streams":[', 0, 'latin1');
  for (let k = 0; k < streams.length; k++) {
    const s = streams[k]!;
    if (k > 0) buf[at++] = 0x2c;
    at += heads[k]!.copy(buf, at);
    for (let j = 0; j < s.lines.length; j++) {
      const i = s.lines[j]!;
      if (j > 0) buf[at++] = 0x2c;
      buf[at++] = 0x5b;
      buf[at++] = 0x22;
      at = writeNanos(buf, at, s.seconds[j]!, s.nanos[j]!);
      buf[at++] = 0x22;
      buf[at++] = 0x2c;
      const json = jsonOf[i]!;
      buf.set(json, at);
      at += json.length;
      buf[at++] = 0x5d;
    }
    buf[at++] = 0x5d;
    buf[at++] = 0x7d;
  }
  at += buf.write(']}', at, 'latin1');
  return { path: '/loki/api/v1/push', headers: { 'Content-Type': 'application/json' }, body: buf.subarray(0, at) };
}

/**
 * `logproto.PushRequest` (see API.md) compressed as a snappy block. An entry is written as its
 * header, its timestamp and the line's field bytes prepared in the pool.
 */
export function lokiProto(batch: Batch): HttpBody {
  const { streams } = batch;
  const lineOf = batch.pool.lokiLine;
  const selectors = streams.map((s) => Buffer.from(`{${Object.entries(s.labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}}`));
  const sizes = streams.map((s, k) => {
    let size = fieldSize(selectors[k]!.length);
    for (let j = 0; j < s.lines.length; j++) size += fieldSize(lokiEntrySize(s.seconds[j]!, s.nanos[j]!, lineOf[s.lines[j]!]!.length));
    return size;
  });
  const w = new ProtoWriter(sizes.reduce((n, size) => n + fieldSize(size), 0));
  for (let k = 0; k < streams.length; k++) {
    const s = streams[k]!;
    w.open(1, sizes[k]!).bytes(1, selectors[k]!);
    const buf = w.buf;
    let at = w.pos;
    for (let j = 0; j < s.lines.length; j++) {
      const seconds = s.seconds[j]!;
      const nanos = s.nanos[j]!;
      const line = lineOf[s.lines[j]!]!;
      const tsSize = 2 + varintSize(seconds) + varintSize(nanos);
      buf[at++] = 0x12; // EntryAdapter entries = 2
      at = writeVarint(buf, at, 1 + varintSize(tsSize) + tsSize + line.length);
      buf[at++] = 0x0a; // Timestamp timestamp = 1
      at = writeVarint(buf, at, tsSize);
      buf[at++] = 0x08; // seconds = 1
      at = writeVarint(buf, at, seconds);
      buf[at++] = 0x10; // nanos = 2
      at = writeVarint(buf, at, nanos);
      buf.set(line, at);
      at += line.length;
    }
    w.pos = at;
  }
  return { path: '/loki/api/v1/push', headers: { 'Content-Type': 'application/x-protobuf' }, body: snappyBlock(w.finish()) };
}

/** Bytes of an EntryAdapter holding a timestamp and a line field of `lineField` bytes. */
function lokiEntrySize(seconds: number, nanos: number, lineField: number): number {
  const tsSize = 2 + varintSize(seconds) + varintSize(nanos);
  return 1 + varintSize(tsSize) + tsSize + lineField;
}

/** A varint of a non-negative integer below 2^31 (sizes, seconds, nanoseconds); returns the new offset. */
function writeVarint(buf: Buffer, at: number, n: number): number {
  while (n >= 0x80) {
    buf[at++] = (n & 0x7f) | 0x80;
    n >>>= 7;
  }
  buf[at++] = n;
  return at;
}

/**
 * A snappy block of `raw`, copied out of the binding's buffer: its default hands over the
 * binding's own allocation as an external buffer, which cost ~0.4 ms of page faults and GC per
 * 100+ KiB body (measured 6x the compression itself).
 */
export function snappyBlock(raw: Buffer): Buffer {
  return snappy.compressSync(raw, { copyOutputData: true });
}

/** Stream labels as OTLP resource attributes that lode indexes by default (API.md's mapping). */
function resourceOf(labels: Labels): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  if (labels['app'] !== undefined) out.push(['service.name', labels['app']]);
  if (labels['env'] !== undefined) out.push(['deployment.environment', labels['env']]);
  if (labels['instance'] !== undefined) out.push(['service.instance.id', labels['instance']]);
  return out;
}

/** A `KeyValue{key, AnyValue{string_value}}` size. */
function keyValueSize(k: number, v: number): number {
  return fieldSize(k) + fieldSize(fieldSize(v));
}

/** `ExportLogsServiceRequest`: one ResourceLogs per stream, one scope, records with time, severity INFO and a string body. */
export function otlpProto(batch: Batch): HttpBody {
  const { streams } = batch;
  const bodyOf = batch.pool.otlpBody;
  const SCOPE = 'lode-bench';
  const scopeSize = fieldSize(SCOPE.length);
  // time (tag + 8) + severity_number 9 (2 bytes) + body AnyValue{string} (prepared in the pool)
  const recordSize = (i: number) => 9 + 2 + bodyOf[i]!.length;
  const plan = streams.map((s) => {
    const attrs = resourceOf(s.labels).map(([k, v]) => ({ k, v, kb: Buffer.byteLength(k), vb: Buffer.byteLength(v) }));
    const resourceSize = attrs.reduce((n, a) => n + fieldSize(keyValueSize(a.kb, a.vb)), 0);
    let scopeLogsSize = fieldSize(scopeSize);
    for (const i of s.lines) scopeLogsSize += fieldSize(recordSize(i));
    const size = fieldSize(resourceSize) + fieldSize(scopeLogsSize);
    return { attrs, resourceSize, scopeLogsSize, size };
  });
  const w = new ProtoWriter(plan.reduce((n, p) => n + fieldSize(p.size), 0));
  streams.forEach((s, k) => {
    const p = plan[k]!;
    w.open(1, p.size).open(1, p.resourceSize);
    for (const a of p.attrs) w.open(1, keyValueSize(a.kb, a.vb)).string(1, a.k, a.kb).open(2, fieldSize(a.vb)).string(1, a.v, a.vb);
    w.open(2, p.scopeLogsSize).open(1, scopeSize).string(1, SCOPE, SCOPE.length);
    for (let j = 0; j < s.lines.length; j++) {
      const i = s.lines[j]!;
      w.open(2, recordSize(i)).fixed64Nanos(1, s.seconds[j]!, s.nanos[j]!).tag(2, 0).varint(9).raw(bodyOf[i]!);
    }
  });
  return { path: '/otlp/v1/logs', headers: { 'Content-Type': 'application/x-protobuf' }, body: w.finish() };
}

/**
 * RFC 5424 messages, octet-counted (RFC 6587): `<134>1 TS HOST APP - - - LINE` — facility local0,
 * severity info, APP-NAME the stream's `app` (→ `service_name`), HOSTNAME its `instance`.
 */
export function syslogFrames(batch: Batch): Buffer {
  const { pool, streams } = batch;
  const parts: string[] = [];
  for (const s of streams) {
    const head = ` ${s.labels['instance'] ?? '-'} ${s.labels['app'] ?? '-'} - - - `;
    for (let j = 0; j < s.lines.length; j++) {
      const time = new Date(s.seconds[j]! * 1000 + Math.floor(s.nanos[j]! / 1e6)).toISOString();
      const msg = `<134>1 ${time}${head}${pool.lines[s.lines[j]!]!}`;
      parts.push(`${Buffer.byteLength(msg)} ${msg}`);
    }
  }
  return Buffer.from(parts.join(''));
}
