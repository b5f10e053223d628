/**
 * `regexLiteralPrefix` feeds the store's content filter (chunks without the literal are skipped)
 * and the byte prefilter of `|~`: a literal that some matching line lacks would silently drop
 * results. Checked on hand-picked regexps and on generated ones, each with lines it matches.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LineFilterStage } from '../logql/ast.js';
import { compileLineFilter, regexLiteralPrefix } from './line-filter.js';
import { compileRe2 } from '@lode/store';
import { mulberry32 } from '@lode/store';

describe('regexLiteralPrefix on hand-picked regexps', () => {
  const cases: [string, string | undefined][] = [
    ['status=5\\d\\d', 'status=5'],
    ['^GET /api/v1', 'GET /api/v1'],
    ['error.*timeout', 'error'],
    ['err[o]r', 'err'],
    ['abcd?', 'abc'],
    ['abcd??', 'abc'],
    ['abcd*', 'abc'],
    ['abcd{0,2}', 'abc'],
    ['abcd{2}', 'abc'],
    ['abcd+', 'abcd'],
    ['abc?', undefined],
    ['ab', undefined],
    ['a\\.bcd', undefined],
    ['foo|bar', undefined],
    ['fooo(bar|baz)', undefined],
    ['(?i)error', undefined],
    ['error(?i)x', undefined],
    ['(?:error)', undefined],
    ['(error)', undefined],
    ['.*error', undefined],
    ['[e]rror', undefined],
    ['\\berror', undefined],
    ['\\Qerror\\E', undefined],
    ['$error', undefined],
    ['', undefined],
  ];
  for (const [re, want] of cases) {
    it(`${JSON.stringify(re)} → ${JSON.stringify(want)}`, () => {
      assert.equal(regexLiteralPrefix(re), want);
    });
  }
});

// ------------------------------------------------------------------ generated regexps with matches


/** A regexp fragment: its RE2 text and a sampler of strings it matches. */
interface Node {
  re: string;
  sample(r: () => number): string;
}

// Characters that stand for themselves in RE2, including every one the prefix scanner accepts.
const PLAIN_CHARS = 'abcxyzXYZ019 =_-:/,"\'<>@#%&!~;';
const ESCAPED = ['\\.', '\\+', '\\(', '\\)', '\\[', '\\|', '\\?', '\\*', '\\{', '\\\\', '\\$', '\\^'];
const ANY = 'abcxyz019 =-:."|';

function pickOf<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)] as T;
}

function lit(c: string): Node {
  return { re: c, sample: () => c };
}

function atom(r: () => number, depth: number): Node {
  const k = r();
  if (k < 0.45) return lit(pickOf(r, [...PLAIN_CHARS]));
  if (k < 0.55) {
    const e = pickOf(r, ESCAPED);
    return { re: e, sample: () => e.slice(1) };
  }
  if (k < 0.62) return { re: '.', sample: (rr) => pickOf(rr, [...ANY]) };
  if (k < 0.7) {
    const cls = pickOf(r, [
      { re: '[a-c]', chars: 'abc' },
      { re: '[^x]', chars: 'abyz09 ' },
      { re: '[|]', chars: '|' },
      { re: '\\d', chars: '0123456789' },
      { re: '\\w', chars: 'aZ_9' },
      { re: '\\s', chars: ' ' },
      { re: '[[:digit:]]', chars: '57' },
    ]);
    return { re: cls.re, sample: (rr) => pickOf(rr, [...cls.chars]) };
  }
  if (depth >= 2) return lit(pickOf(r, [...PLAIN_CHARS]));
  const alts = Array.from({ length: 1 + Math.floor(r() * 3) }, () => seq(r, depth + 1, 1 + Math.floor(r() * 4)));
  const open = pickOf(r, ['(', '(?:', '(?P<g>']);
  return {
    re: `${open}${alts.map((a) => a.re).join('|')})`,
    sample: (rr) => pickOf(rr, alts).sample(rr),
  };
}

function quantified(r: () => number, depth: number): Node {
  const a = atom(r, depth);
  if (r() < 0.65) return a;
  const q = pickOf(r, [
    { re: '?', min: 0, max: 1 },
    { re: '??', min: 0, max: 1 },
    { re: '*', min: 0, max: 3 },
    { re: '*?', min: 0, max: 3 },
    { re: '+', min: 1, max: 3 },
    { re: '{2}', min: 2, max: 2 },
    { re: '{0,2}', min: 0, max: 2 },
    { re: '{1,}', min: 1, max: 3 },
    { re: '{0}', min: 0, max: 0 },
  ]);
  return {
    re: a.re + q.re,
    sample: (rr) => {
      const n = q.min + Math.floor(rr() * (q.max - q.min + 1));
      let s = '';
      for (let i = 0; i < n; i++) s += a.sample(rr);
      return s;
    },
  };
}

function seq(r: () => number, depth: number, n: number): Node {
  const parts = Array.from({ length: n }, () => quantified(r, depth));
  return { re: parts.map((p) => p.re).join(''), sample: (rr) => parts.map((p) => p.sample(rr)).join('') };
}

/** A whole pattern: often a run of plain characters first (so a prefix exists), maybe anchored or `(?i)`. */
function pattern(r: () => number): { re: string; sample: (rr: () => number) => string; anchored: boolean } {
  const leading = r() < 0.8 ? Array.from({ length: Math.floor(r() * 7) }, () => lit(pickOf(r, [...PLAIN_CHARS]))) : [];
  const rest = seq(r, 0, Math.floor(r() * 5));
  const topAlt = r() < 0.1 ? seq(r, 0, 1 + Math.floor(r() * 4)) : undefined;
  const body: Node = {
    re: leading.map((l) => l.re).join('') + rest.re,
    sample: (rr) => leading.map((l) => l.sample(rr)).join('') + rest.sample(rr),
  };
  const anchored = r() < 0.2;
  const caseless = r() < 0.1;
  let re = (anchored ? '^' : '') + body.re;
  if (topAlt) re = `${re}|${topAlt.re}`;
  if (caseless) re = `(?i)${re}`;
  return {
    re,
    anchored: anchored && !topAlt,
    sample: (rr) => {
      let s = topAlt && rr() < 0.5 ? topAlt.sample(rr) : body.sample(rr);
      if (caseless) s = [...s].map((c) => (rr() < 0.5 ? c.toUpperCase() : c.toLowerCase())).join('');
      return s;
    },
  };
}

describe('regexLiteralPrefix on generated regexps', () => {
  it('every line a regexp matches contains its literal (and passes the byte prefilter)', () => {
    const r = mulberry32(20260101);
    let withLiteral = 0;
    let matchedLines = 0;
    for (let i = 0; i < 3000; i++) {
      const p = pattern(r);
      let re: RegExp;
      try {
        re = compileRe2(p.re);
      } catch {
        continue; // e.g. `x{0}` edge cases RE2 rejects; nothing to check
      }
      const literal = regexLiteralPrefix(p.re);
      const stage: LineFilterStage = { kind: 'LineFilter', op: '|~', values: [{ kind: 'String', value: p.re }] };
      const filter = compileLineFilter(stage);
      assert.equal(filter.literal, literal, `${p.re}: the line filter's literal is regexLiteralPrefix's`);
      if (literal !== undefined) withLiteral++;
      for (let k = 0; k < 20; k++) {
        const core = p.sample(r);
        const line = p.anchored ? `${core} tail` : `head ${core} tail`;
        if (!re.test(line)) continue;
        matchedLines++;
        if (literal === undefined) continue;
        assert.ok(line.includes(literal), `regexp ${JSON.stringify(p.re)} matches ${JSON.stringify(line)} which lacks its literal ${JSON.stringify(literal)}`);
        assert.ok(filter.test(line));
        assert.ok(filter.prefilterBytes?.(Buffer.from(line, 'utf8')), `${p.re}: prefilter rejects a matching line ${JSON.stringify(line)}`);
      }
    }
    // The generator must actually reach the interesting cases.
    assert.ok(withLiteral > 500, `only ${withLiteral} generated regexps had a literal`);
    assert.ok(matchedLines > 20_000, `only ${matchedLines} sampled lines matched`);
  });
});
