/**
 * A cheap early drop for `| logfmt | <label filters> [| unwrap x]`: when a later filter (or the
 * unwrap) drops every entry without label L, and L is not already a stream or metadata label,
 * the entry can only survive if some logfmt key of the line sanitises to L. Sanitising keeps
 * every character of L except `_` in place, so such a line contains each `_`-free run of L
 * literally; one substring search on the bytes rejects most other lines without parsing.
 *
 * Only logfmt qualifies: its keys are read as written (json keys may be escaped).
 */
import type { LabelFilter, Stage, Unwrap } from '../logql/ast.js';
import { BytesNeedle } from './bytes-search.js';
import { compileMatcher } from './label-filter.js';
import { ERROR_DETAILS_LABEL, ERROR_LABEL, type EntryState } from './state.js';

const EXTRACTED_SUFFIX = '_extracted';

export interface PresenceCheck {
  /** The label the line must be able to produce. */
  name: string;
  literal: string;
  needle: BytesNeedle;
}

/**
 * The checks for `stages` (after the leading line filters) and `unwrap`, or undefined when the
 * shape does not allow them: a parameterless `logfmt` first, then only line and label filters.
 */
export function presenceChecks(stages: readonly Stage[], unwrap: Unwrap | undefined): PresenceCheck[] | undefined {
  const first = stages[0];
  if (first?.kind !== 'LogfmtParser' || first.params.length > 0) return undefined;
  const names = new Set<string>();
  for (const s of stages.slice(1)) {
    if (s.kind === 'LineFilter') continue;
    if (s.kind !== 'LabelFilter') return undefined;
    requiredBy(s.filter, names);
  }
  if (unwrap) names.add(unwrap.label);
  const checks: PresenceCheck[] = [];
  for (const name of names) {
    const literal = longestRun(name.endsWith(EXTRACTED_SUFFIX) ? name.slice(0, -EXTRACTED_SUFFIX.length) : name);
    if (literal === '') continue;
    checks.push({ name, literal, needle: new BytesNeedle(literal) });
  }
  return checks.length > 0 ? checks : undefined;
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
    const found = st.bytes !== undefined ? c.needle.in(st.bytes) : st.line.includes(c.literal);
    if (!found) return false;
  }
  return true;
}

