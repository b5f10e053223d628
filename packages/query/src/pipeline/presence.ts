/**
 * A cheap early drop for `| logfmt | <label filters> [| unwrap x]` and `| json | <label filters>`:
 *
 * - key checks (logfmt): when a later filter (or the unwrap) drops every entry without label L,
 *   and L is not already a stream or metadata label, the entry can only survive if some logfmt
 *   key of the line sanitises to L. Sanitising keeps every character of L except `_` in place,
 *   so such a line contains each `_`-free run of L literally. (json keys may be escaped: none.)
 * - value checks (both): when a filter `L="v"` must hold, the parser must produce L with the
 *   value v. Both parsers take a value as written unless it holds a backslash escape, so such a
 *   line contains v literally, or a backslash.
 *
 * One substring search on the bytes (or the text) rejects most other lines without parsing.
 */
import type { LabelFilter, Stage, Unwrap } from '../logql/ast.js';
import { BytesNeedle } from './bytes-search.js';
import { compileMatcher } from './label-filter.js';
import { ERROR_DETAILS_LABEL, ERROR_LABEL, type EntryState } from './state.js';

const EXTRACTED_SUFFIX = '_extracted';
const BACKSLASH = 0x5c;
const SURROGATE = /[\uD800-\uDFFF]/;

export interface PresenceCheck {
  /** The label the line must be able to produce (with the literal as its value, for a value check). */
  name: string;
  literal: string;
  needle: BytesNeedle;
  /** A value check: a line holding a backslash may produce the value escaped, so it passes too. */
  orEscaped: boolean;
}

/**
 * The checks for `stages` (after the leading line filters) and `unwrap`, or undefined when the
 * shape does not allow them: a parameterless `logfmt` or `json` first, then only line and label
 * filters.
 */
export function presenceChecks(stages: readonly Stage[], unwrap: Unwrap | undefined): PresenceCheck[] | undefined {
  const first = stages[0];
  const logfmt = first?.kind === 'LogfmtParser' && first.params.length === 0;
  const json = first?.kind === 'JsonParser' && first.params.length === 0;
  if (!logfmt && !json) return undefined;
  const names = new Set<string>();
  const values: [string, string][] = [];
  for (const s of stages.slice(1)) {
    if (s.kind === 'LineFilter') continue;
    if (s.kind !== 'LabelFilter') return undefined;
    requiredBy(s.filter, names);
    requiredValues(s.filter, values);
  }
  if (unwrap) names.add(unwrap.label);
  const checks: PresenceCheck[] = [];
  if (logfmt) {
    for (const name of names) {
      const literal = longestRun(name.endsWith(EXTRACTED_SUFFIX) ? name.slice(0, -EXTRACTED_SUFFIX.length) : name);
      if (literal === '') continue;
      checks.push({ name, literal, needle: new BytesNeedle(literal), orEscaped: false });
    }
  }
  for (const [name, value] of values) checks.push({ name, literal: value, needle: new BytesNeedle(value), orEscaped: true });
  return checks.length > 0 ? checks : undefined;
}

/** `L="v"` filters that must hold (an `and` needs both sides), v non-empty and free of surrogates (its UTF-8 is then exact). */
function requiredValues(f: LabelFilter, out: [string, string][]): void {
  if (f.kind === 'BinaryFilter') {
    if (f.op === 'and') {
      requiredValues(f.left, out);
      requiredValues(f.right, out);
    }
    return;
  }
  if (f.kind !== 'StringFilter' || f.matcher.op !== '=') return;
  const { name, value } = f.matcher;
  if (name === ERROR_LABEL || name === ERROR_DETAILS_LABEL || value === '' || SURROGATE.test(value)) return;
  out.push([name, value]);
}

/** Labels whose absence makes `f` false (an `and` needs both sides; `or` and `ip()` are skipped). */
function requiredBy(f: LabelFilter, out: Set<string>): void {
  switch (f.kind) {
    case 'BinaryFilter':
      if (f.op === 'and') {
        requiredBy(f.left, out);
        requiredBy(f.right, out);
      }
      return;
    case 'StringFilter': {
      const n = f.matcher.name;
      if (n !== ERROR_LABEL && n !== ERROR_DETAILS_LABEL && !compileMatcher(f.matcher)('')) out.add(n);
      return;
    }
    case 'NumericFilter':
    case 'DurationFilter':
    case 'BytesFilter':
      out.add(f.name);
      return;
    case 'IpFilter':
      return;
  }
}

function longestRun(name: string): string {
  let best = '';
  for (const run of name.split('_')) if (run.length > best.length) best = run;
  return best;
}

/** False when the entry cannot carry every checked label after `logfmt` (it will be dropped). */
export function mayProduce(checks: readonly PresenceCheck[], st: EntryState): boolean {
  for (let k = 0; k < checks.length; k++) {
    const c = checks[k]!;
    if (st.labels.get(c.name) !== undefined) continue;
    const bytes = st.bytes;
    if (bytes !== undefined) {
      if (!c.needle.in(bytes) && !(c.orEscaped && bytes.includes(BACKSLASH))) return false;
    } else {
      const line = st.line;
      if (!line.includes(c.literal) && !(c.orEscaped && line.includes('\\'))) return false;
    }
  }
  return true;
}

