/**
 * Loki's "detected" endpoints, which Grafana's Logs Drilldown and the query builder use:
 * `detected_labels` (indexed labels worth grouping by, with cardinalities), `detected_fields`
 * (fields found in structured metadata and by parsing a sample of the matched lines as JSON or
 * logfmt, with a type and a cardinality) and `detected_field/<name>/values`.
 */
import type { Labels, LogStore } from '@lode/store';
import { parseExpr, type LogQueryExpr } from '../logql/index.js';
import { compilePipeline, parseGoDuration, parseHumanBytes, type Pipeline } from '../pipeline/index.js';
import { sampleLines } from './log-sample.js';
import { boundsParams, BadRequest, param, type Params } from './params.js';
import { parseLogQuery, selectorMatchers } from './selector.js';

const ONE_HOUR_NS = 3600n * 1_000_000_000n;
const DEFAULT_LINE_LIMIT = 1000;
const DEFAULT_FIELD_LIMIT = 1000;
/** Labels always worth showing, whatever their cardinality (Loki's static labels). */
const STATIC_LABELS = new Set(['cluster', 'namespace', 'instance', 'pod']);
const MAX_DETECTED_LABEL_CARDINALITY = 50;

function positiveInt(params: Params, name: string, fallback: number): number {
  const v = param(params, name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new BadRequest(`invalid parameter "${name}": "${v}" is not a positive integer`);
  return n;
}

export function detectedLabels(store: LogStore, tenants: string[], params: Params) {
  const { start, end } = boundsParams(params, ONE_HOUR_NS);
  const text = param(params, 'query');
  const matchers = text === undefined ? [] : selectorMatchers(text);
  const values = new Map<string, Set<string>>();
  for (const t of tenants) {
    for (const s of store.streams(t, { from: start, to: end, matchers })) {
      for (const [name, value] of Object.entries(s.labels)) {
        let set = values.get(name);
        if (!set) values.set(name, (set = new Set()));
        set.add(value);
      }
    }
  }
  const detected = [...values.entries()]
    .filter(([name, set]) => STATIC_LABELS.has(name) || (set.size > 1 && set.size <= MAX_DETECTED_LABEL_CARDINALITY))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([label, set]) => ({ label, cardinality: set.size }));
  return { detectedLabels: detected };
}

type FieldType = 'int' | 'float' | 'boolean' | 'duration' | 'bytes' | 'string';

function fieldType(value: string): FieldType {
  if (/^[+-]?\d+$/.test(value)) return 'int';
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(value)) return 'float';
  if (/^(true|false|TRUE|FALSE|True|False|t|f|T|F)$/.test(value)) return 'boolean';
  if (succeeds(() => parseGoDuration(value))) return 'duration';
  if (/[a-zA-Z]/.test(value) && succeeds(() => parseHumanBytes(value))) return 'bytes';
  return 'string';
}

function succeeds(fn: () => unknown): boolean {
  try {
    fn();
    return true;
  } catch {
    return false;
  }
}

interface FieldAcc {
  type: FieldType;
  values: Set<string>;
  parsers: Set<string>;
}

/** A parser stage on its own, so parsed fields can be told apart from stream labels and metadata. */
function parserPipeline(parser: 'json' | 'logfmt'): Pipeline {
  return compilePipeline((parseExpr(`{p="p"} | ${parser}`) as LogQueryExpr).pipeline);
}

/** Visits every detected field of the matched lines: structured metadata, then parsed fields. */
function collectFields(store: LogStore, tenants: string[], params: Params, visit: (name: string, value: string, parser: string | undefined) => void): number {
  const expr = parseLogQuery(param(params, 'query') ?? missingQuery());
  const { start, end } = boundsParams(params, ONE_HOUR_NS);
  const lineLimit = positiveInt(params, 'line_limit', DEFAULT_LINE_LIMIT);
  const parsers = { json: parserPipeline('json'), logfmt: parserPipeline('logfmt') };
  const empty: Labels = {};
  sampleLines(store, tenants, { expr, from: start, to: end, direction: 'backward', maxLines: lineLimit }, ({ entry, line }) => {
    for (const [name, value] of Object.entries(entry.metadata)) visit(name, value, undefined);
    const trimmed = line.trimStart();
    const parser = trimmed.startsWith('{') ? 'json' : 'logfmt';
    const r = parsers[parser].process(entry.ts, line, undefined, empty, empty);
    if (!r || r.labels.__error__ !== undefined) return;
    for (const [name, value] of Object.entries(r.labels)) {
      if (name in entry.stream.labels || name in entry.metadata) continue;
      visit(name, value, parser);
    }
  });
  return lineLimit;
}

function missingQuery(): never {
  throw new BadRequest('query parameter is required: a LogQL log query such as {app="api"}');
}

export function detectedFields(store: LogStore, tenants: string[], params: Params) {
  const fieldLimit = positiveInt(params, 'field_limit', positiveInt(params, 'limit', DEFAULT_FIELD_LIMIT));
  const fields = new Map<string, FieldAcc>();
  collectFields(store, tenants, params, (name, value, parser) => {
    let f = fields.get(name);
    if (!f) fields.set(name, (f = { type: fieldType(value), values: new Set(), parsers: new Set() }));
    f.values.add(value);
    if (parser) f.parsers.add(parser);
  });
  const out = [...fields.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, fieldLimit)
    .map(([label, f]) => ({
      label,
      type: f.type,
      cardinality: f.values.size,
      parsers: f.parsers.size ? [...f.parsers].sort() : null,
    }));
  return { fields: out, limit: fieldLimit };
}

export function detectedFieldValues(store: LogStore, tenants: string[], field: string, params: Params) {
  const limit = positiveInt(params, 'limit', DEFAULT_FIELD_LIMIT);
  const values = new Set<string>();
  collectFields(store, tenants, params, (name, value) => {
    if (name === field) values.add(value);
  });
  return { values: [...values].sort().slice(0, limit), limit };
}
