/**
 * Rule groups in Prometheus' rule-file format with LogQL expressions: decoding from YAML values,
 * validation with Loki's messages, and encoding in rulefmt's field order (Go marshals maps with
 * sorted keys and omits empty fields), so what a client uploads comes back equivalent.
 */
import { isValidLabelName } from '@lode/store';
import { isLogQuery, ParseError, type Expr } from '../logql/ast.js';
import { parseExpr } from '../logql/index.js';
import { DurationError, formatDuration, parseDuration } from './duration.js';
import { AlertTemplate } from './template.js';

export interface RuleDef {
  kind: 'alert' | 'record';
  /** The alert name or the recorded series name. */
  name: string;
  expr: string;
  forMs: number;
  keepFiringForMs: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface RuleGroupDef {
  name: string;
  /** Undefined: the ruler's default evaluation interval. */
  intervalMs: number | undefined;
  /** Maximum alerts or series a rule may produce; 0 = no limit. */
  limit: number;
  rules: RuleDef[];
}

/** A rule group that cannot be accepted; the message says what to fix. */
export class RuleFormatError extends Error {}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const MIN_INTERVAL_MS = 1000;

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Scalars decode into Go strings the way yaml.v2 does (`severity: 1` → "1"). */
function scalarString(v: unknown, what: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  throw new RuleFormatError(`${what} must be a string`);
}

function stringMap(v: unknown, what: string): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (!isObj(v)) throw new RuleFormatError(`${what} must be a map of strings`);
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) out[k] = scalarString(val, `${what} ${JSON.stringify(k)}`);
  return out;
}

function durationField(v: unknown, what: string): number {
  if (v === undefined || v === null) return 0;
  try {
    return parseDuration(scalarString(v, what));
  } catch (err) {
    if (err instanceof DurationError) throw new RuleFormatError(`${what}: ${err.message}`);
    throw err;
  }
}

function decodeRule(v: unknown, where: string): RuleDef {
  if (!isObj(v)) throw new RuleFormatError(`${where}: a rule must be a map with 'alert' or 'record' and 'expr'`);
  const alert = scalarString(v['alert'], `${where}: alert`);
  const record = scalarString(v['record'], `${where}: record`);
  return {
    kind: record !== '' ? 'record' : 'alert',
    // Both names are kept in `name` only when valid; validateRule reports the conflict.
    name: record !== '' && alert !== '' ? `${record}\u0000${alert}` : record || alert,
    expr: scalarString(v['expr'], `${where}: expr`),
    forMs: durationField(v['for'], `${where}: invalid 'for'`),
    keepFiringForMs: durationField(v['keep_firing_for'], `${where}: invalid 'keep_firing_for'`),
    labels: stringMap(v['labels'], `${where}: labels`),
    annotations: stringMap(v['annotations'], `${where}: annotations`),
  };
}

/** Decodes one group (the body of a POST, or an element of a rule file's `groups`). */
export function decodeGroup(v: unknown): RuleGroupDef {
  if (!isObj(v)) throw new RuleFormatError('a rule group must be a map with name, interval and rules');
  if ('groups' in v && !('name' in v)) {
    throw new RuleFormatError('expected one rule group (name, interval, rules), got a rule file with "groups"; post each group on its own');
  }
  const name = scalarString(v['name'], 'group name');
  const where = `group ${JSON.stringify(name)}`;
  const intervalMs = v['interval'] === undefined || v['interval'] === null ? 0 : durationField(v['interval'], `${where}: invalid interval`);
  const limitRaw = v['limit'] ?? 0;
  if (typeof limitRaw !== 'number' || !Number.isInteger(limitRaw) || limitRaw < 0) {
    throw new RuleFormatError(`${where}: limit must be a non-negative integer`);
  }
  const rawRules = v['rules'] ?? [];
  if (!Array.isArray(rawRules)) throw new RuleFormatError(`${where}: rules must be a list`);
  return {
    name,
    intervalMs: intervalMs === 0 ? undefined : intervalMs,
    limit: limitRaw,
    rules: rawRules.map((r, i) => decodeRule(r, `${where}, rule ${i + 1}`)),
  };
}

/** Decodes a rule file (`groups: [...]`); rejects duplicate group names as Prometheus does. */
export function decodeRuleFile(v: unknown): RuleGroupDef[] {
  if (v === null || v === undefined) return [];
  if (!isObj(v) || !Array.isArray(v['groups'] ?? [])) throw new RuleFormatError('a rule file must be a map with a "groups" list');
  const groups = ((v['groups'] ?? []) as unknown[]).map(decodeGroup);
  const seen = new Set<string>();
  for (const g of groups) {
    if (seen.has(g.name)) throw new RuleFormatError(`groupname: "${g.name}" is repeated in the same file`);
    seen.add(g.name);
    validateGroup(g);
  }
  return groups;
}

/** A compiled rule: the validated definition plus its parsed query and templates. */
export interface CompiledRule {
  def: RuleDef;
  query: Expr;
  labelTemplates: [string, AlertTemplate][];
  annotationTemplates: [string, AlertTemplate][];
}

function compileTemplates(rule: RuleDef, kind: 'label' | 'annotation', map: Record<string, string>): [string, AlertTemplate][] {
  return Object.entries(map).map(([k, src]) => {
    try {
      return [k, new AlertTemplate(`__alert_${rule.name}`, src)];
    } catch (err) {
      throw new RuleFormatError(`${kind} ${JSON.stringify(k)}: ${(err as Error).message}`);
    }
  });
}

function compileRule(r: RuleDef, group: string): CompiledRule {
  if (r.name.includes('\u0000')) throw new RuleFormatError("only one of 'record' and 'alert' must be set");
  if (r.name === '') throw new RuleFormatError("one of 'record' or 'alert' must be set");
  if (r.expr.trim() === '') throw new RuleFormatError("field 'expr' must be set in rule");
  let query: Expr;
  try {
    query = parseExpr(r.expr);
  } catch (err) {
    if (!(err instanceof ParseError)) throw err;
    throw new RuleFormatError(`could not parse expression for ${r.kind} '${r.name}' in group '${group}': ${err.message}`);
  }
  if (isLogQuery(query)) {
    throw new RuleFormatError(
      `could not parse expression for ${r.kind} '${r.name}' in group '${group}': a rule needs a metric query (e.g. count_over_time(${r.expr} [5m])), not a log query`,
    );
  }
  if (r.kind === 'record') {
    if (Object.keys(r.annotations).length > 0) throw new RuleFormatError("invalid field 'annotations' in recording rule");
    if (r.forMs !== 0) throw new RuleFormatError("invalid field 'for' in recording rule");
    if (r.keepFiringForMs !== 0) throw new RuleFormatError("invalid field 'keep_firing_for' in recording rule");
    if (!METRIC_NAME.test(r.name)) throw new RuleFormatError(`invalid recording rule name: ${r.name}`);
  }
  for (const k of Object.keys(r.labels)) {
    if (!isValidLabelName(k) || k === '__name__') throw new RuleFormatError(`invalid label name: ${k}`);
  }
  for (const k of Object.keys(r.annotations)) {
    if (!isValidLabelName(k)) throw new RuleFormatError(`invalid annotation name: ${k}`);
  }
  return {
    def: r,
    query,
    labelTemplates: compileTemplates(r, 'label', r.labels),
    annotationTemplates: compileTemplates(r, 'annotation', r.annotations),
  };
}

/** Validates a group and compiles its rules; throws RuleFormatError naming the group and rule. */
export function compileGroup(g: RuleGroupDef): CompiledRule[] {
  if (g.name === '') throw new RuleFormatError('Groupname should not be empty');
  if (g.intervalMs !== undefined && g.intervalMs < MIN_INTERVAL_MS) {
    throw new RuleFormatError(`group "${g.name}": interval ${formatDuration(g.intervalMs)} is too short; use at least 1s`);
  }
  return g.rules.map((r, i) => {
    try {
      return compileRule(r, g.name);
    } catch (err) {
      if (!(err instanceof RuleFormatError)) throw err;
      const label = r.name.includes('\u0000') ? '' : ` ${JSON.stringify(r.name)}`;
      throw new RuleFormatError(`group "${g.name}", rule ${i + 1}${label}: ${err.message}`);
    }
  });
}

export function validateGroup(g: RuleGroupDef): void {
  compileGroup(g);
}

function sortedMap(m: Record<string, string>): Record<string, string> | undefined {
  const keys = Object.keys(m).sort();
  if (keys.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const k of keys) out[k] = m[k] as string;
  return out;
}

/** The group as rulefmt marshals it: fields in declaration order, empty ones left out. */
export function encodeGroup(g: RuleGroupDef): Record<string, unknown> {
  const out: Record<string, unknown> = { name: g.name };
  if (g.intervalMs !== undefined) out['interval'] = formatDuration(g.intervalMs);
  if (g.limit !== 0) out['limit'] = g.limit;
  out['rules'] = g.rules.map((r) => {
    const o: Record<string, unknown> = {};
    o[r.kind] = r.name;
    o['expr'] = r.expr;
    if (r.forMs !== 0) o['for'] = formatDuration(r.forMs);
    if (r.keepFiringForMs !== 0) o['keep_firing_for'] = formatDuration(r.keepFiringForMs);
    const labels = sortedMap(r.labels);
    if (labels) o['labels'] = labels;
    const annotations = sortedMap(r.annotations);
    if (annotations) o['annotations'] = annotations;
    return o;
  });
  return out;
}
