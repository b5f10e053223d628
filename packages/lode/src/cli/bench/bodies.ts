/**
 * Request bodies of `lode bench ingest` for each protocol, built from one generated batch so
 * every protocol carries the same lines: Loki push as JSON or as protobuf + snappy, OTLP/HTTP
 * protobuf, and RFC 5424 syslog frames (octet counting) for TCP.
 */
import snappy from 'snappy';
import type { Labels } from '../loki-types.js';
import { fieldSize, ProtoWriter, varintSize } from './wire.js';

export const PROTOCOLS = ['loki-json', 'loki-proto', 'otlp-proto', 'syslog-tcp'] as const;
export type BenchProtocol = (typeof PROTOCOLS)[number];

/** One stream's part of a batch: lines with strictly increasing nanosecond timestamps. */
export interface BatchStream {
  labels: Labels;
  ts: bigint[];
  lines: string[];
  /** The lines as JSON strings, when the source already has them. */
  json?: string[];
}

export interface HttpBody {
  path: string;
  headers: Record<string, string>;
  body: Buffer | string;
}

export function lokiJson(batch: BatchStream[]): HttpBody {
  const parts: string[] = [];
  for (const s of batch) {
    const json = s.json;
    const values = s.lines.map((line, i) => `["${s.ts[i]}",${json ? json[i] : JSON.stringify(line)}]`);
    parts.push(`{"stream":${JSON.stringify(s.labels)},"values":[${values.join(',')}]}`);
  }
  return { path: '/loki/api/v1/push', headers: { 'Content-Type': 'application/json' }, body: `{"streams":[${parts.join(',')}]}` };
}

const NS = 1_000_000_000n;

/** `logproto.PushRequest` (see API.md) compressed as a snappy block. */
export function lokiProto(batch: BatchStream[]): HttpBody {
  const selectors = batch.map((s) => `{${Object.entries(s.labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}}`);
  const plan = batch.map((s, i) => {
    const selectorBytes = Buffer.byteLength(selectors[i]!);
    const lineBytes = s.lines.map((l) => Buffer.byteLength(l));
    const tsSizes = s.ts.map((t) => 1 + varintSize(Number(t / NS)) + 1 + varintSize(Number(t % NS)));
    const entrySizes = lineBytes.map((b, j) => fieldSize(tsSizes[j]!) + fieldSize(b));
    const size = fieldSize(selectorBytes) + entrySizes.reduce((n, e) => n + fieldSize(e), 0);
    return { selectorBytes, lineBytes, tsSizes, entrySizes, size };
  });
  const w = new ProtoWriter(plan.reduce((n, p) => n + fieldSize(p.size), 0));
  batch.forEach((s, i) => {
    const p = plan[i]!;
    w.open(1, p.size).string(1, selectors[i]!, p.selectorBytes);
    for (let j = 0; j < s.lines.length; j++) {
      const t = s.ts[j]!;
      w.open(2, p.entrySizes[j]!).open(1, p.tsSizes[j]!);
      w.tag(1, 0).varint(Number(t / NS)).tag(2, 0).varint(Number(t % NS));
      w.string(2, s.lines[j]!, p.lineBytes[j]!);
    }
  });
  return { path: '/loki/api/v1/push', headers: { 'Content-Type': 'application/x-protobuf' }, body: snappy.compressSync(w.finish()) };
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
export function otlpProto(batch: BatchStream[]): HttpBody {
  const SCOPE = 'lode-bench';
  const scopeSize = fieldSize(SCOPE.length);
  const plan = batch.map((s) => {
    const attrs = resourceOf(s.labels).map(([k, v]) => ({ k, v, kb: Buffer.byteLength(k), vb: Buffer.byteLength(v) }));
    const resourceSize = attrs.reduce((n, a) => n + fieldSize(keyValueSize(a.kb, a.vb)), 0);
    const lineBytes = s.lines.map((l) => Buffer.byteLength(l));
    // time (tag + 8) + severity_number 9 (2 bytes) + body AnyValue{string}
    const recordSizes = lineBytes.map((b) => 9 + 2 + fieldSize(fieldSize(b)));
    const scopeLogsSize = fieldSize(scopeSize) + recordSizes.reduce((n, r) => n + fieldSize(r), 0);
    const size = fieldSize(resourceSize) + fieldSize(scopeLogsSize);
    return { attrs, resourceSize, lineBytes, recordSizes, scopeLogsSize, size };
  });
  const w = new ProtoWriter(plan.reduce((n, p) => n + fieldSize(p.size), 0));
  batch.forEach((s, i) => {
    const p = plan[i]!;
    w.open(1, p.size).open(1, p.resourceSize);
    for (const a of p.attrs) w.open(1, keyValueSize(a.kb, a.vb)).string(1, a.k, a.kb).open(2, fieldSize(a.vb)).string(1, a.v, a.vb);
    w.open(2, p.scopeLogsSize).open(1, scopeSize).string(1, SCOPE, SCOPE.length);
    for (let j = 0; j < s.lines.length; j++) {
      w.open(2, p.recordSizes[j]!).fixed64(1, s.ts[j]!).tag(2, 0).varint(9);
      w.open(5, fieldSize(p.lineBytes[j]!)).string(1, s.lines[j]!, p.lineBytes[j]!);
    }
  });
  return { path: '/otlp/v1/logs', headers: { 'Content-Type': 'application/x-protobuf' }, body: w.finish() };
}

/**
 * RFC 5424 messages, octet-counted (RFC 6587): `<134>1 TS HOST APP - - - LINE` — facility local0,
 * severity info, APP-NAME the stream's `app` (→ `service_name`), HOSTNAME its `instance`.
 */
export function syslogFrames(batch: BatchStream[]): Buffer {
  const parts: string[] = [];
  for (const s of batch) {
    const head = ` ${s.labels['instance'] ?? '-'} ${s.labels['app'] ?? '-'} - - - `;
    for (let j = 0; j < s.lines.length; j++) {
      const msg = `<134>1 ${new Date(Number(s.ts[j]! / 1_000_000n)).toISOString()}${head}${s.lines[j]!}`;
      parts.push(`${Buffer.byteLength(msg)} ${msg}`);
    }
  }
  return Buffer.from(parts.join(''));
}
