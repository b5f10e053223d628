import type { Entry, Labels, Limits, StreamPush } from '@lode/store';
import { SERVICE_NAME, UNKNOWN_SERVICE } from '../core/discovery.js';
import { sanitizeLabelName } from '../core/labels.js';
import type { AnyValue, ExportRequest, Int64, KeyValue, LogRecord } from './schema.js';

/** The mapping of one OTLP request to streams, and how many records it held. */
export interface MappedLogs {
  streams: StreamPush[];
  records: number;
}

function int64ToBigInt(v: Int64 | undefined): bigint {
  if (v === undefined) return 0n;
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(Math.trunc(v));
  const unsigned = (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0);
  return !v.unsigned && v.high < 0 ? unsigned - (1n << 64n) : unsigned;
}

/** Go `strconv.FormatFloat(v, 'f', -1, 64)` for the usual cases (what pcommon's AsString does). */
function formatDouble(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (Number.isInteger(v) && Math.abs(v) < 1e21) return v.toFixed(0);
  const s = String(v);
  return s.includes('e') ? v.toFixed(20).replace(/0+$/, '') : s;
}

/** A value as a plain JS value, for JSON rendering of maps and arrays. */
function toPlain(v: AnyValue | undefined): unknown {
  switch (v?.value) {
    case 'stringValue':
      return v.stringValue;
    case 'boolValue':
      return v.boolValue;
    case 'intValue':
      return Number(int64ToBigInt(v.intValue));
    case 'doubleValue':
      return v.doubleValue;
    case 'bytesValue':
      return Buffer.from(v.bytesValue!).toString('base64');
    case 'arrayValue':
      return (v.arrayValue?.values ?? []).map(toPlain);
    case 'kvlistValue': {
      const out: Record<string, unknown> = {};
      for (const kv of v.kvlistValue?.values ?? []) out[kv.key ?? ''] = toPlain(kv.value);
      return out;
    }
    default:
      return null;
  }
}

/** pcommon `Value.AsString`: scalars formatted, bytes base64, maps and arrays as JSON. */
export function valueAsString(v: AnyValue | undefined): string {
  switch (v?.value) {
    case 'stringValue':
      return v.stringValue ?? '';
    case 'boolValue':
      return v.boolValue ? 'true' : 'false';
    case 'intValue':
      return int64ToBigInt(v.intValue).toString();
    case 'doubleValue':
      return formatDouble(v.doubleValue ?? 0);
    case 'bytesValue':
      return Buffer.from(v.bytesValue!).toString('base64');
    case 'arrayValue':
    case 'kvlistValue':
      return JSON.stringify(toPlain(v));
    default:
      return '';
  }
}

/** Adds attributes as sanitised names; nested maps flatten as `parent_child` (Loki's behaviour). */
function addAttributes(out: Record<string, string>, attrs: KeyValue[] | undefined, drop: ReadonlySet<string>, prefix = ''): void {
  if (!attrs) return;
  for (const kv of attrs) {
    const key = kv.key ?? '';
    if (drop.has(key)) continue;
    const name = prefix === '' ? key : `${prefix}_${key}`;
    if (kv.value?.value === 'kvlistValue') addAttributes(out, kv.value.kvlistValue?.values, drop, name);
    else out[sanitizeLabelName(name)] = valueAsString(kv.value);
  }
}

const hex = (b: Uint8Array | undefined): string => (b && b.length > 0 ? Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex') : '');

function recordMetadata(base: Record<string, string>, rec: LogRecord, drop: ReadonlySet<string>): Record<string, string> {
  const m: Record<string, string> = { ...base };
  addAttributes(m, rec.attributes, drop);
  if (rec.severityText) m['severity_text'] = rec.severityText;
  if (rec.severityNumber) m['severity_number'] = String(rec.severityNumber);
  const traceId = hex(rec.traceId);
  if (traceId) m['trace_id'] = traceId;
  const spanId = hex(rec.spanId);
  if (spanId) m['span_id'] = spanId;
  if (rec.flags) m['flags'] = String(rec.flags);
  const observed = int64ToBigInt(rec.observedTimeUnixNano);
  if (observed !== 0n) m['observed_timestamp'] = observed.toString();
  if (rec.eventName) m['event_name'] = rec.eventName;
  return m;
}

/**
 * True when a record's metadata depends only on its scope and severity (no attributes, ids,
 * flags, observed time or event name), so equal records can share one metadata object.
 */
function severityOnly(rec: LogRecord): boolean {
  return (
    (rec.attributes === undefined || rec.attributes.length === 0) &&
    (rec.traceId === undefined || rec.traceId.length === 0) &&
    (rec.spanId === undefined || rec.spanId.length === 0) &&
    !rec.flags &&
    !rec.eventName &&
    int64ToBigInt(rec.observedTimeUnixNano) === 0n
  );
}

/**
 * Metadata of a record, shared (frozen) between the records of a scope that differ only in time
 * and body: the store then validates and encodes it once per push instead of once per record.
 */
class ScopeMetadata {
  private readonly bySeverity = new Map<string, Labels | undefined>();

  constructor(
    private readonly scopeMeta: Record<string, string>,
    private readonly drop: ReadonlySet<string>,
  ) {}

  of(rec: LogRecord): Labels | undefined {
    if (!severityOnly(rec)) return nonEmpty(recordMetadata(this.scopeMeta, rec, this.drop));
    const key = `${rec.severityText ?? ''}\u0000${rec.severityNumber ?? 0}`;
    if (this.bySeverity.has(key)) return this.bySeverity.get(key);
    const m = nonEmpty(recordMetadata(this.scopeMeta, rec, this.drop));
    const shared = m && Object.freeze(m);
    this.bySeverity.set(key, shared);
    return shared;
  }
}

function nonEmpty(m: Record<string, string>): Record<string, string> | undefined {
  for (const _ in m) return m;
  return undefined;
}

/** The line of a record: a string body as is, a map/array as JSON, other scalars formatted. */
function bodyLine(body: AnyValue | undefined): string {
  return body?.value === 'stringValue' ? (body.stringValue ?? '') : valueAsString(body);
}

/**
 * Maps OTLP logs to streams as Loki does by default: the configured resource attributes are index
 * labels (names sanitised, `service.name` → `service_name`), everything else is structured metadata.
 */
export function mapOtlpLogs(req: ExportRequest, limits: Readonly<Limits>, nowNanos: bigint): MappedLogs {
  const cfg = limits.otlp_config;
  const indexed = new Set(cfg.index_label_resource_attributes);
  const drop = new Set(cfg.drop_attributes);
  const streams: StreamPush[] = [];
  let records = 0;
  for (const rl of req.resourceLogs ?? []) {
    const labels: Record<string, string> = {};
    const resourceMeta: Record<string, string> = {};
    for (const kv of rl.resource?.attributes ?? []) {
      const key = kv.key ?? '';
      if (drop.has(key)) continue;
      if (indexed.has(key)) labels[sanitizeLabelName(key)] = valueAsString(kv.value);
      else addAttributes(resourceMeta, [kv], drop);
    }
    if (labels[SERVICE_NAME] === undefined && limits.discover_service_name.length > 0) labels[SERVICE_NAME] = UNKNOWN_SERVICE;

    const entries: Entry[] = [];
    for (const sl of rl.scopeLogs ?? []) {
      const scopeMeta: Record<string, string> = { ...resourceMeta };
      const scope = sl.scope;
      if (scope) {
        addAttributes(scopeMeta, scope.attributes, drop);
        if (scope.name) scopeMeta['scope_name'] = scope.name;
        if (scope.version) scopeMeta['scope_version'] = scope.version;
      }
      const metadataOf = new ScopeMetadata(scopeMeta, drop);
      for (const rec of sl.logRecords ?? []) {
        records++;
        let ts = int64ToBigInt(rec.timeUnixNano);
        if (ts === 0n) ts = int64ToBigInt(rec.observedTimeUnixNano);
        if (ts === 0n) ts = nowNanos;
        const metadata = metadataOf.of(rec);
        entries.push(metadata ? { ts, line: bodyLine(rec.body), metadata } : { ts, line: bodyLine(rec.body) });
      }
    }
    if (entries.length > 0) streams.push({ labels, entries });
  }
  return { streams, records };
}
