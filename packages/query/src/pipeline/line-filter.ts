/**
 * Line filters (`|= != |~ !~ |> !>`, `or` chains, `ip()`), compiled to one test per stage.
 * Substring filters can run on the raw Buffer before the line becomes a string.
 */
import type { LineFilterStage } from '../logql/ast.js';
import { IpMatcher } from './ip.js';
import { Pattern } from './pattern.js';
import { compileRe2 } from './re2.js';

export interface LineFilter {
  /** Whether the line passes. */
  test(line: string): boolean;
  /** Same test on the UTF-8 bytes; only defined for plain substring filters. */
  readonly testBytes?: (buf: Buffer) => boolean;
  /** For a single positive `|= "x"`: the literal every passing line contains. */
  readonly literal?: string;
}

export class LineFilterError extends Error {
  override readonly name = 'LineFilterError';
}

export function compileLineFilter(stage: LineFilterStage): LineFilter {
  const negative = stage.op[0] === '!';
  const kind = stage.op[1]; // '=' | '~' | '>'
  const tests: ((line: string) => boolean)[] = [];
  const needles: string[] = [];
  let allSubstrings = true;
  for (const v of stage.values) {
    if (v.kind === 'Ip') {
      if (kind !== '=') throw new LineFilterError('ip: invalid operation: only |= and != are allowed with ip()');
      const m = new IpMatcher(v.value);
      tests.push((line) => m.matchesIn(line));
      allSubstrings = false;
      continue;
    }
    if (kind === '=') {
      const s = v.value;
      needles.push(s);
      tests.push((line) => line.includes(s));
    } else if (kind === '~') {
      const re = compileRe2(v.value);
      tests.push((line) => re.test(line));
      allSubstrings = false;
    } else {
      const p = new Pattern(v.value, 'filter');
      tests.push((line) => p.test(line));
      allSubstrings = false;
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
  let testBytes: ((buf: Buffer) => boolean) | undefined;
  if (allSubstrings) {
    const bufs = needles.map((s) => Buffer.from(s, 'utf8'));
    const anyBytes = (buf: Buffer): boolean => {
      for (const b of bufs) if (buf.indexOf(b) >= 0) return true;
      return false;
    };
    testBytes = negative ? (buf) => !anyBytes(buf) : anyBytes;
  }
  const literal = !negative && kind === '=' && needles.length === 1 && stage.values.length === 1 && needles[0] !== '' ? needles[0] : undefined;
  return { test, testBytes, literal };
}
