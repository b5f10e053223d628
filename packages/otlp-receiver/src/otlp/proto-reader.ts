import { PbReader, WIRE_FIXED32, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT } from '../core/pb-reader.js';
import type { AnyValue, ExportRequest, KeyValue, LogRecord, ResourceLogs, ScopeLogs } from './schema.js';

/** Deeper AnyValue nesting than this is refused (a crafted body must not exhaust the stack). */
const MAX_DEPTH = 64;

const tagOf = (field: number, wireType: number): number => (field << 3) | wireType;

function skipField(r: PbReader, tag: number): void {
  if (tag >>> 3 === 0) r.fail('invalid field number 0');
  r.skip(tag & 7);
}

/**
 * Reads `ExportLogsServiceRequest` from the wire into the plain `ExportRequest` shape the mapper
 * takes, with 64-bit integers as BigInt (no Long objects) and ids as views into the body. Only
 * the fields logs use are kept; unknown fields are skipped. Throws `DecodeError` on bad input.
 */
export function readExportRequest(body: Buffer): ExportRequest {
  const r = new PbReader(body);
  const resourceLogs: ResourceLogs[] = [];
  while (r.more()) {
    const tag = r.uint32();
    if (tag === tagOf(1, WIRE_LEN)) resourceLogs.push(within(r, readResourceLogs));
    else skipField(r, tag);
  }
  return { resourceLogs };
}

/** Runs `read` over the length-delimited sub-message at `r.pos`, then moves past it. */
function within<T>(r: PbReader, read: (r: PbReader, depth: number) => T, depth = 0): T {
  const outer = r.end;
  const end = r.delimited();
  r.end = end;
  const value = read(r, depth);
  r.end = outer;
  r.pos = end;
  return value;
}

function readResourceLogs(r: PbReader): ResourceLogs {
  const attributes: KeyValue[] = [];
  const scopeLogs: ScopeLogs[] = [];
  while (r.more()) {
    const tag = r.uint32();
    if (tag === tagOf(1, WIRE_LEN)) for (const kv of within(r, readResource)) attributes.push(kv);
    else if (tag === tagOf(2, WIRE_LEN)) scopeLogs.push(within(r, readScopeLogs));
    else skipField(r, tag);
  }
  return { resource: { attributes }, scopeLogs };
}

function readResource(r: PbReader): KeyValue[] {
  const attributes: KeyValue[] = [];
  while (r.more()) {
    const tag = r.uint32();
    if (tag === tagOf(1, WIRE_LEN)) attributes.push(within(r, readKeyValue));
    else skipField(r, tag);
  }
  return attributes;
}

function readScopeLogs(r: PbReader): ScopeLogs {
  const logRecords: LogRecord[] = [];
  let scope: ScopeLogs['scope'];
  while (r.more()) {
    const tag = r.uint32();
    if (tag === tagOf(1, WIRE_LEN)) scope = within(r, readScope);
    else if (tag === tagOf(2, WIRE_LEN)) logRecords.push(within(r, readLogRecord));
    else skipField(r, tag);
  }
  return scope ? { scope, logRecords } : { logRecords };
}

function readScope(r: PbReader): NonNullable<ScopeLogs['scope']> {
  let name = '';
  let version = '';
  const attributes: KeyValue[] = [];
  while (r.more()) {
    const tag = r.uint32();
    if (tag === tagOf(1, WIRE_LEN)) name = r.string();
    else if (tag === tagOf(2, WIRE_LEN)) version = r.string();
    else if (tag === tagOf(3, WIRE_LEN)) attributes.push(within(r, readKeyValue));
    else skipField(r, tag);
  }
  return { name, version, attributes };
}

function readLogRecord(r: PbReader): LogRecord {
  // Every field present in one order, so all records share one hidden class.
  const rec: Required<Omit<LogRecord, 'body' | 'traceId' | 'spanId'>> & Pick<LogRecord, 'body' | 'traceId' | 'spanId'> = {
    timeUnixNano: 0n,
    observedTimeUnixNano: 0n,
    severityNumber: 0,
    severityText: '',
    body: undefined,
    attributes: [],
    flags: 0,
    traceId: undefined,
    spanId: undefined,
    eventName: '',
  };
  while (r.more()) {
    const tag = r.uint32();
    switch (tag) {
      case tagOf(1, WIRE_FIXED64):
        rec.timeUnixNano = r.fixed64();
        break;
      case tagOf(11, WIRE_FIXED64):
        rec.observedTimeUnixNano = r.fixed64();
        break;
      case tagOf(2, WIRE_VARINT):
        rec.severityNumber = r.int32();
        break;
      case tagOf(3, WIRE_LEN):
        rec.severityText = r.string();
        break;
      case tagOf(5, WIRE_LEN):
        rec.body = within(r, readAnyValue);
        break;
      case tagOf(6, WIRE_LEN):
        rec.attributes.push(within(r, readKeyValue));
        break;
      case tagOf(8, WIRE_FIXED32):
        rec.flags = r.fixed32();
        break;
      case tagOf(9, WIRE_LEN):
        rec.traceId = r.bytes();
        break;
      case tagOf(10, WIRE_LEN):
        rec.spanId = r.bytes();
        break;
      case tagOf(12, WIRE_LEN):
        rec.eventName = r.string();
        break;
      default:
        skipField(r, tag);
    }
  }
  return rec;
}

function readKeyValue(r: PbReader, depth: number): KeyValue {
  let key = '';
  let value: AnyValue | undefined;
  while (r.more()) {
    const tag = r.uint32();
    if (tag === tagOf(1, WIRE_LEN)) key = r.string();
    else if (tag === tagOf(2, WIRE_LEN)) value = within(r, readAnyValue, depth + 1);
    else skipField(r, tag);
  }
  return value ? { key, value } : { key };
}

/** `AnyValue` oneof; when several members are present the last one wins, as protobuf says. */
function readAnyValue(r: PbReader, depth: number): AnyValue {
  if (depth > MAX_DEPTH) r.fail(`values nested deeper than ${MAX_DEPTH} levels`);
  let v: AnyValue = {};
  while (r.more()) {
    const tag = r.uint32();
    switch (tag) {
      case tagOf(1, WIRE_LEN):
        v = { value: 'stringValue', stringValue: r.string() };
        break;
      case tagOf(2, WIRE_VARINT):
        v = { value: 'boolValue', boolValue: r.bool() };
        break;
      case tagOf(3, WIRE_VARINT):
        v = { value: 'intValue', intValue: r.int64() };
        break;
      case tagOf(4, WIRE_FIXED64):
        v = { value: 'doubleValue', doubleValue: r.double() };
        break;
      case tagOf(5, WIRE_LEN):
        v = { value: 'arrayValue', arrayValue: { values: within(r, readValues, depth) } };
        break;
      case tagOf(6, WIRE_LEN):
        v = { value: 'kvlistValue', kvlistValue: { values: within(r, readKeyValues, depth) } };
        break;
      case tagOf(7, WIRE_LEN):
        v = { value: 'bytesValue', bytesValue: r.bytes() };
        break;
      default:
        skipField(r, tag);
    }
  }
  return v;
}

/** `ArrayValue{repeated AnyValue values = 1}`. */
function readValues(r: PbReader, depth: number): AnyValue[] {
  const out: AnyValue[] = [];
  while (r.more()) {
    const tag = r.uint32();
    if (tag === tagOf(1, WIRE_LEN)) out.push(within(r, readAnyValue, depth + 1));
    else skipField(r, tag);
  }
  return out;
}

/** `KeyValueList{repeated KeyValue values = 1}`. */
function readKeyValues(r: PbReader, depth: number): KeyValue[] {
  const out: KeyValue[] = [];
  while (r.more()) {
    const tag = r.uint32();
    if (tag === tagOf(1, WIRE_LEN)) out.push(within(r, readKeyValue, depth + 1));
    else skipField(r, tag);
  }
  return out;
}
