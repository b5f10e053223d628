import { DecodeError } from '../core/decoded.js';
import { readExportRequest } from './proto-reader.js';
import { ExportLogsServiceRequest, type ExportRequest } from './schema.js';

/** Decodes a binary `ExportLogsServiceRequest`. */
export function decodeOtlpProto(body: Uint8Array): ExportRequest {
  const buf = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  try {
    return readExportRequest(buf);
  } catch (e) {
    if (e instanceof DecodeError) throw new DecodeError(`invalid OTLP protobuf body: ${e.message}`);
    throw e;
  }
}

const HEX = /^[0-9a-fA-F]*$/;

/**
 * Decodes OTLP/JSON: lowerCamelCase names, int64 as strings or numbers, and trace/span ids as
 * hex (not base64, unlike protobuf's canonical JSON), so those are converted before `fromObject`.
 */
export function decodeOtlpJson(body: Buffer): ExportRequest {
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw new DecodeError(`invalid OTLP/JSON body: ${(e as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new DecodeError('invalid OTLP/JSON body: expected an object');
  try {
    normaliseJsonRecords(doc as Record<string, unknown>);
    return ExportLogsServiceRequest.fromObject(doc) as unknown as ExportRequest;
  } catch (e) {
    if (e instanceof DecodeError) throw e;
    throw new DecodeError(`invalid OTLP/JSON body: ${(e as Error).message}`);
  }
}

const SEVERITY_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];
const SEVERITY_NAME = /^SEVERITY_NUMBER_(?:UNSPECIFIED|([A-Z]+)([234])?)$/;

/**
 * `severityNumber` as OTLP/JSON allows it: a number, a numeric string, or the enum value's name
 * (`SEVERITY_NUMBER_INFO`, `SEVERITY_NUMBER_WARN3`), which protobufjs would turn into 0 for an
 * int32 field.
 */
function severityNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    if (/^\d+$/.test(v)) return Number(v);
    const m = SEVERITY_NAME.exec(v);
    if (m && m[1] === undefined) return 0;
    const level = m ? SEVERITY_LEVELS.indexOf(m[1]!) : -1;
    if (level >= 0) return level * 4 + Number(m![2] ?? 1);
  }
  throw new DecodeError(`invalid OTLP/JSON body: severityNumber ${JSON.stringify(v)} is neither a number nor a SeverityNumber name such as "SEVERITY_NUMBER_INFO"`);
}

/** Converts what OTLP/JSON writes differently from protobuf's canonical JSON (hex ids, enum names). */
function normaliseJsonRecords(doc: Record<string, unknown>): void {
  for (const rl of arrayOf(doc['resourceLogs'])) {
    for (const sl of arrayOf(rl['scopeLogs'])) {
      for (const rec of arrayOf(sl['logRecords'])) {
        if (rec['severityNumber'] !== undefined && rec['severityNumber'] !== null) rec['severityNumber'] = severityNumber(rec['severityNumber']);
        for (const field of ['traceId', 'spanId']) {
          const v = rec[field];
          if (typeof v !== 'string') continue;
          if (!HEX.test(v) || v.length % 2 !== 0) throw new DecodeError(`invalid OTLP/JSON body: ${field} "${v}" is not hex`);
          rec[field] = Buffer.from(v, 'hex');
        }
      }
    }
  }
}

function arrayOf(v: unknown): Record<string, unknown>[] {
  return Array.isArray(v) ? v.filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null) : [];
}
