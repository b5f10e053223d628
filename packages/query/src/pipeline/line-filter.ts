/**
 * Line filters (`|= != |~ !~ |> !>`, `or` chains, `ip()`), compiled to one test per stage.
 * Substring filters can run on the raw Buffer before the line becomes a string.
 */
import type { LineFilterStage } from '../logql/ast.js';
import { ByteRegex } from './byte-regex.js';
import { BytesNeedle } from './bytes-search.js';
import { IpMatcher } from './ip.js';
import { Pattern } from './pattern.js';
import { compileRe2 } from '@lode/store';

export interface LineFilter {
  /** Whether the line passes. */
  test(line: string): boolean;
  /** Same test on the UTF-8 bytes; defined for substring filters and regexps a ByteRegex matches. */
  readonly testBytes?: (buf: Buffer) => boolean;
  /** `testBytes` on the line `buf[start..end)`, without a view of it. */
  readonly testRange?: (buf: Buffer, start: number, end: number) => boolean;
  /**
   * For a single positive `|= "x"`, or a `|~` regexp that starts with a plain literal: a literal
   * every passing line contains.
   */
  readonly literal?: string;
  /** A necessary condition on the UTF-8 bytes (the literal is present), for filters without `testBytes`. */
  readonly prefilterBytes?: (buf: Buffer) => boolean;
}

const MIN_REGEX_LITERAL = 3;
const PLAIN = /[A-Za-z0-9 =_\-:\/,"'<>@#%&!~;]/;

/**
 * The literal text a regexp's every match starts with, when the regexp is a plain concatenation
 * (no alternation, no flags) that begins with at least a few literal characters: `status=5\d\d`
 * → `status=5`. A literal followed by `?`, `*` or `{` loses its last character (it may be absent).
 */
export function regexLiteralPrefix(re: string): string | undefined {
  if (re.includes('|') || re.includes('(?')) return undefined;
  let i = re.startsWith('^') ? 1 : 0;
  let lit = '';
  for (; i < re.length && PLAIN.test(re[i]!); i++) lit += re[i];
  const next = re[i];
  if (next === '?' || next === '*' || next === '{') lit = lit.slice(0, -1);
  return lit.length >= MIN_REGEX_LITERAL ? lit : undefined;
}

export class LineFilterError extends Error {
  override readonly name = 'LineFilterError';
}

export function compileLineFilter(stage: LineFilterStage): LineFilter {
  const negative = stage.op[0] === '!';
  const kind = stage.op[1]; // '=' | '~' | '>'
  const tests: ((line: string) => boolean)[] = [];
  const needles: string[] = [];
  /** The same tests on bytes, while every value has one. */
  let rangeTests: RangeTest[] | undefined = [];
  for (const v of stage.values) {
    if (v.kind === 'Ip') {
      if (kind !== '=') throw new LineFilterError('ip: invalid operation: only |= and != are allowed with ip()');
      const m = new IpMatcher(v.value);
      tests.push((line) => m.matchesIn(line));
      rangeTests = undefined;
      continue;
    }
    if (kind === '=') {
      const s = v.value;
      needles.push(s);
      tests.push((line) => line.includes(s));
      const needle = new BytesNeedle(s);
      rangeTests?.push((b, start, end) => needle.in(b, start, end));
    } else if (kind === '~') {
      const re = compileRe2(v.value);
      tests.push((line) => re.test(line));
      const bytes = ByteRegex.compile(v.value);
      if (bytes === undefined) rangeTests = undefined;
      else rangeTests?.push((b, start, end) => bytes.test(b, start, end));
    } else {
      const p = new Pattern(v.value, 'filter');
      tests.push((line) => p.test(line));
      rangeTests = undefined;
    }
  }
  const any =
    tests.length === 1
      ? tests[0]!
      : (line: string): boolean => {
          for (const t of tests) if (t(line)) return true;
          return false;
        };
  const test = negative ? (line: string): boolean => !any(line) : any;
  let testRange: RangeTest | undefined;
  let testBytes: ((buf: Buffer) => boolean) | undefined;
  if (rangeTests !== undefined) {
    const all = rangeTests;
    const anyRange: RangeTest =
      all.length === 1
        ? all[0]!
        : (b, start, end) => {
            for (const t of all) if (t(b, start, end)) return true;
            return false;
          };
    const range: RangeTest = negative ? (b, start, end) => !anyRange(b, start, end) : anyRange;
    testRange = range;
    testBytes = (buf) => range(buf, 0, buf.length);
  }
  const single = !negative && stage.values.length === 1 ? stage.values[0] : undefined;
  if (single && kind === '=' && needles.length === 1 && needles[0] !== '') return { test, testBytes, testRange, literal: needles[0] };
  const prefix = single && kind === '~' && single.kind !== 'Ip' ? regexLiteralPrefix(single.value) : undefined;
  if (prefix === undefined) return { test, testBytes, testRange };
  const prefixNeedle = new BytesNeedle(prefix);
  return { test, testBytes, testRange, literal: prefix, prefilterBytes: (buf) => prefixNeedle.in(buf) };
}

type RangeTest = (b: Buffer, start: number, end: number) => boolean;
