import type { Entry, Labels, StreamPush } from '@lode/store';
import { DecodeError, type DecodedPush } from '../core/decoded.js';
import type { IngestRejection } from '../core/ingester.js';
import { formatLabels } from '../core/labels.js';
import { invalidLabelName } from '../core/label-names.js';
import { PushRequestType, type PbPushRequest, type PbTimestamp } from './schema.js';
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
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw new DecodeError(`invalid JSON push body: ${(e as Error).message}`);
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

function jsonEntry(value: unknown, s: number, v: number): Entry {
  const where = `streams[${s}].values[${v}]`;
  if (!Array.isArray(value) || value.length < 2 || value.length > 3) {
    throw new DecodeError(`${where}: expected ["<unix epoch in nanoseconds>", "<log line>", {optional structured metadata}]`);
  }
  const [ts, line, metadata] = value as unknown[];
  let nanos: bigint;
  if (typeof ts === 'string' && DIGITS.test(ts)) nanos = BigInt(ts);
  else if (typeof ts === 'number' && Number.isSafeInteger(ts)) nanos = BigInt(ts);
  else throw new DecodeError(`${where}[0]: timestamp must be a string of unix epoch nanoseconds, got ${JSON.stringify(ts)}`);
  if (typeof line !== 'string') throw new DecodeError(`${where}[1]: log line must be a string`);
  const entry: Entry = { ts: nanos, line };
  if (metadata !== undefined && metadata !== null) {
    const m = stringMap(metadata, `${where}[2]`);
    if (Object.keys(m).length > 0) entry.metadata = m;
  }
  return entry;
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

/** Decodes an uncompressed `logproto.PushRequest`. */
export function decodeLokiProto(body: Buffer): DecodedPush {
  let msg: PbPushRequest;
  try {
    msg = PushRequestType.decode(body) as unknown as PbPushRequest;
  } catch (e) {
    throw new DecodeError(`invalid protobuf push body: ${(e as Error).message}`);
  }
  const streams: StreamPush[] = [];
  const rejected: IngestRejection[] = [];
  for (const s of msg.streams ?? []) {
    const pbEntries = s.entries ?? [];
    const selector = s.labels ?? '';
    const parsed = parseLabelSelector(selector);
    if (!parsed.ok) {
      rejected.push(invalidLabels(selector, parsed.error, pbEntries.length));
      continue;
    }
    const entries: Entry[] = new Array(pbEntries.length);
    for (let i = 0; i < pbEntries.length; i++) {
      const e = pbEntries[i]!;
      const entry: Entry = { ts: timestampNanos(e.timestamp), line: e.line ?? '' };
      const sm = e.structuredMetadata;
      if (sm && sm.length > 0) {
        const m: Record<string, string> = {};
        for (const p of sm) m[p.name ?? ''] = p.value ?? '';
        entry.metadata = m;
      }
      entries[i] = entry;
    }
    if (checkLabels(parsed.labels, entries.length, rejected)) streams.push({ labels: parsed.labels, entries });
  }
  return { streams, rejected };
}

function timestampNanos(t: PbTimestamp | undefined): bigint {
  if (!t) return 0n;
  const seconds = t.seconds === undefined ? 0n : BigInt(typeof t.seconds === 'number' ? t.seconds : t.seconds.toString());
  return seconds * NS_PER_SECOND + BigInt(t.nanos ?? 0);
}
