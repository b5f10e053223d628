/**
 * Label matchers (`= != =~ !~`) compiled to predicates, and a small parser for stream selector
 * text (`{app="api", env=~"prod|dev"}`) used by configuration (retention rules).
 */
import type { Labels, Matcher } from './model.js';
import { compileRe2 } from './re2.js';
import { isValidLabelName } from './labels.js';
import { SelectorSyntaxError } from './errors.js';

export type LabelPredicate = (labels: Labels) => boolean;
/** A matcher's test on one label value ('' standing for a missing label). */
export type ValuePredicate = (value: string) => boolean;

/**
 * The matcher as a test on the label's value. Regexps are fully anchored RE2 with `.` matching
 * newlines (Prometheus' `^(?s:…)$`); compiled regexps are cached by `compileRe2`.
 */
export function compileValueMatcher(m: Matcher): ValuePredicate {
  const { value } = m;
  switch (m.op) {
    case '=':
      return (v) => v === value;
    case '!=':
      return (v) => v !== value;
    case '=~': {
      const re = compileRe2(value, { anchored: true, dotAll: true });
      return (v) => re.test(v);
    }
    case '!~': {
      const re = compileRe2(value, { anchored: true, dotAll: true });
      return (v) => !re.test(v);
    }
    default:
      throw new SelectorSyntaxError(`unknown matcher operator ${JSON.stringify((m as Matcher).op)}`);
  }
}

/** A predicate over a label set. A missing label counts as the empty string, as in Prometheus. */
export function compileMatcher(m: Matcher): LabelPredicate {
  const { name } = m;
  const test = compileValueMatcher(m);
  return (labels) => test(labels[name] ?? '');
}

/** True when every matcher accepts the label set. */
export function compileMatchers(matchers: readonly Matcher[]): LabelPredicate {
  const preds = matchers.map(compileMatcher);
  if (preds.length === 0) return () => true;
  if (preds.length === 1) return preds[0];
  return (labels) => {
    for (const p of preds) if (!p(labels)) return false;
    return true;
  };
}

/** Whether a matcher accepts a stream that lacks the label (i.e. matches ""). */
export function matchesEmpty(m: Matcher): boolean {
  return compileMatcher(m)({});
}

const OPS = ['=~', '!~', '!=', '='] as const;

/** Parses `{name op "value", …}`; values are Go/JSON-style double-quoted or backquoted strings. */
export function parseSelector(text: string): Matcher[] {
  const src = text.trim();
  const bad = (why: string): never => {
    throw new SelectorSyntaxError(`invalid stream selector ${JSON.stringify(text)}: ${why}`);
  };
  if (!src.startsWith('{') || !src.endsWith('}')) bad('it must be enclosed in { }');
  const matchers: Matcher[] = [];
  let i = 1;
  const end = src.length - 1;
  const skipSpace = () => {
    while (i < end && /\s/.test(src[i])) i++;
  };
  skipSpace();
  while (i < end) {
    const nameMatch = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(src.slice(i, end));
    if (!nameMatch || !isValidLabelName(nameMatch[0])) bad(`expected a label name at offset ${i}`);
    const name = nameMatch![0];
    i += name.length;
    skipSpace();
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) bad(`expected one of = != =~ !~ after ${name}`);
    i += op!.length;
    skipSpace();
    let value: string;
    if (src[i] === '"') {
      let j = i + 1;
      while (j < end && src[j] !== '"') j += src[j] === '\\' ? 2 : 1;
      if (j >= end) bad('unterminated string');
      try {
        value = JSON.parse(src.slice(i, j + 1)) as string;
      } catch {
        bad(`invalid escape in ${src.slice(i, j + 1)}`);
      }
      i = j + 1;
    } else if (src[i] === '`') {
      const j = src.indexOf('`', i + 1);
      if (j < 0 || j >= end) bad('unterminated raw string');
      value = src.slice(i + 1, j);
      i = j + 1;
    } else {
      bad(`expected a quoted value for ${name}`);
    }
    const matcher: Matcher = { name, op: op!, value: value! };
    compileMatcher(matcher);
    matchers.push(matcher);
    skipSpace();
    if (i < end) {
      if (src[i] !== ',') bad(`expected , at offset ${i}`);
      i++;
      skipSpace();
    }
  }
  return matchers;
}
