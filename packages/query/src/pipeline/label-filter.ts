/**
 * Label filters with Loki's semantics: string matchers read an absent label as "" and can see
 * `__error__`; numeric/duration/bytes filters drop a line without the label, and on a value that
 * does not convert keep the line with `__error__=LabelFilterErr` (the first error wins); `ip()`
 * keeps a line that already carries an error; `or` stops at the first true operand.
 */
import type { CompareOp, LabelFilter, Matcher } from '../logql/ast.js';
import { IpMatcher } from './ip.js';
import { compileRe2 } from '@lode/store';
import type { EntryState } from './state.js';
import { ConversionError, parseGoDuration, parseGoFloat, parseHumanBytes } from './units.js';

export const LABEL_FILTER_ERR = 'LabelFilterErr';

export type LabelTest = (st: EntryState) => boolean;

/** `a op b`. */
export function compareValues<T extends number | bigint>(op: CompareOp, a: T, b: T): boolean {
  switch (op) {
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
  }
}

/** A string matcher as a value test (regexps fully anchored, RE2 syntax). */
export function compileMatcher(m: Matcher): (value: string) => boolean {
  const v = m.value;
  switch (m.op) {
    case '=':
      return (s) => s === v;
    case '!=':
      return (s) => s !== v;
    case '=~': {
      const re = compileRe2(v, { anchored: true });
      return (s) => re.test(s);
    }
    case '!~': {
      const re = compileRe2(v, { anchored: true });
      return (s) => !re.test(s);
    }
  }
}

function converting<T extends number | bigint>(name: string, op: CompareOp, want: T, convert: (s: string) => T): LabelTest {
  return (st) => {
    const raw = st.get(name);
    if (raw === undefined) return false;
    let v: T;
    try {
      v = convert(raw);
    } catch (err) {
      if (!(err instanceof ConversionError)) throw err;
      if (st.err === '') st.setErr(LABEL_FILTER_ERR, err.message);
      return true;
    }
    return compareValues(op, v, want);
  };
}

export function compileLabelFilter(f: LabelFilter): LabelTest {
  switch (f.kind) {
    case 'StringFilter': {
      const test = compileMatcher(f.matcher);
      const name = f.matcher.name;
      return (st) => test(st.valueForMatch(name));
    }
    case 'NumericFilter':
      return converting(f.name, f.op, f.value, parseGoFloat);
    case 'DurationFilter':
      return converting(f.name, f.op, f.value, parseGoDuration);
    case 'BytesFilter':
      return converting(f.name, f.op, f.value, parseHumanBytes);
    case 'IpFilter': {
      const m = new IpMatcher(f.pattern);
      const name = f.name;
      const negate = f.op === '!=';
      return (st) => {
        if (st.err !== '') return true;
        const v = st.get(name);
        if (v === undefined) return false;
        return m.matchesIn(v) !== negate;
      };
    }
    case 'BinaryFilter': {
      const l = compileLabelFilter(f.left);
      const r = compileLabelFilter(f.right);
      if (f.op === 'or') return (st) => l(st) || r(st);
      return (st) => {
        const a = l(st);
        const b = r(st);
        return a && b;
      };
    }
  }
}
