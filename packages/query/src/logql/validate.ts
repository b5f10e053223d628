/**
 * `parseExpr`: parse plus the checks Loki runs after parsing (`validateExpr`): every selector
 * needs a matcher that does not match the empty string.
 */
import type { Expr, Matcher } from './ast.js';
import { checkCompiles } from './compile-check.js';
import { parseSyntax, semanticError } from './parser.js';

const EMPTY_COMPATIBLE =
  'queries require at least one regexp or equality matcher that does not have an empty-compatible value. For instance, app=~".*" does not meet this requirement, but app=~".+" will';

/** Parses and validates a LogQL query; throws `ParseError` with Loki's message. */
export function parseExpr(input: string): Expr {
  const expr = parseSyntax(input);
  validate(expr);
  checkCompiles(expr);
  return expr;
}

function validate(e: Expr): void {
  switch (e.kind) {
    case 'LogQuery':
      return validateMatchers(e.matchers);
    case 'RangeAggregation':
      return validateMatchers(e.range.matchers);
    case 'VectorAggregation':
    case 'LabelReplace':
      return validate(e.inner);
    case 'BinaryOp':
      validate(e.left);
      return validate(e.right);
    case 'Literal':
    case 'Vector':
      return;
  }
}

function validateMatchers(matchers: readonly Matcher[]): void {
  if (!matchers.some((m) => !matchesEmpty(m))) throw semanticError(EMPTY_COMPATIBLE);
}

/** Whether the matcher accepts an empty (absent) label value, as Prometheus' `Matches("")`. */
export function matchesEmpty(m: Matcher): boolean {
  switch (m.op) {
    case '=':
      return m.value === '';
    case '!=':
      return m.value !== '';
    case '=~':
      return regexMatchesEmpty(m.value) ?? false;
    case '!~': {
      const r = regexMatchesEmpty(m.value);
      return r === undefined ? false : !r;
    }
  }
}

/**
 * Tests an RE2 pattern (fully anchored) against "". Leading Go flag groups (`(?i)`, `(?s)`) are
 * translated; a pattern JavaScript cannot compile gives undefined (treated as selective, so the
 * query reaches the regexp compiler, which reports the real error).
 */
function regexMatchesEmpty(pattern: string): boolean | undefined {
  let src = pattern;
  let flags = 'u';
  const m = /^\(\?([imsU]+)\)/.exec(src);
  if (m) {
    src = src.slice(m[0].length);
    if (m[1]!.includes('i')) flags += 'i';
    if (m[1]!.includes('s')) flags += 's';
    if (m[1]!.includes('m')) flags += 'm';
  }
  try {
    return new RegExp(`^(?:${src})$`, flags).test('');
  } catch {
    return undefined;
  }
}
