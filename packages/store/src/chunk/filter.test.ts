import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeChunk, filterMayContain, type RawEntry } from './index.js';

function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['GET', 'POST', 'user', 'Login', 'failed', 'OK', 'timeout', 'Données', 'ÉTÉ', 'straße', 'KELVIN', 'ſtop', 'ﬃ'];

function lines(rnd: () => number, count: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const parts: string[] = [];
    const n = 1 + Math.floor(rnd() * 8);
    for (let p = 0; p < n; p++) {
      const w = WORDS[Math.floor(rnd() * WORDS.length)]!;
      parts.push(rnd() < 0.5 ? w : `${w}=${Math.floor(rnd() * 1e6).toString(16)}`);
    }
    out.push(parts.join(rnd() < 0.5 ? ' ' : '\t'));
  }
  return out;
}

function filterOf(texts: string[]): Buffer {
  const entries: RawEntry[] = texts.map((line, i) => ({ ts: BigInt(i), line }));
  return encodeChunk(entries).filter;
}

function swapCase(s: string, rnd: () => number): string {
  let out = '';
  for (const ch of s) out += rnd() < 0.5 ? ch.toUpperCase() : ch.toLowerCase();
  return out;
}

describe('content filter', () => {
  it('never says no for a substring of a line, in any ASCII case', () => {
    const rnd = random(3);
    for (let round = 0; round < 20; round++) {
      const texts = lines(rnd, 200);
      const filter = filterOf(texts);
      for (let n = 0; n < 500; n++) {
        const line = texts[Math.floor(rnd() * texts.length)]!;
        const start = Math.floor(rnd() * line.length);
        const needle = line.slice(start, start + 1 + Math.floor(rnd() * 30));
        assert.ok(filterMayContain(filter, needle), `missed ${JSON.stringify(needle)}`);
        assert.ok(filterMayContain(filter, needle, { caseInsensitive: true }));
        const asciiSwapped = needle.replace(/[a-z]/gi, (c) => (rnd() < 0.5 ? c.toUpperCase() : c.toLowerCase()));
        assert.ok(filterMayContain(filter, asciiSwapped), `missed ASCII case variant ${JSON.stringify(asciiSwapped)}`);
      }
    }
  });

  it('with caseInsensitive, never says no for a needle matching under Unicode case folding', () => {
    const rnd = random(5);
    const texts = lines(rnd, 300);
    const filter = filterOf(texts);
    for (let n = 0; n < 3000; n++) {
      const line = texts[Math.floor(rnd() * texts.length)]!;
      const start = Math.floor(rnd() * line.length);
      const needle = swapCase(line.slice(start, start + 1 + Math.floor(rnd() * 30)), rnd);
      // Only needles a case-insensitive regex really finds count; toUpperCase can change lengths.
      const re = new RegExp(needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'iu');
      if (!texts.some((t) => re.test(t))) continue;
      assert.ok(filterMayContain(filter, needle, { caseInsensitive: true }), `missed ${JSON.stringify(needle)}`);
    }
    // Simple case folding maps these non-ASCII letters onto ASCII k and s.
    const exotic = filterOf(['temperature 300 K and ſpeed']);
    assert.ok(filterMayContain(exotic, '300 k and', { caseInsensitive: true }));
    assert.ok(filterMayContain(exotic, 'SPEED', { caseInsensitive: true }));
    assert.equal(filterMayContain(exotic, 'ANDY WARHOL SPEED', { caseInsensitive: true }), false);
  });

  it('says no for needles that are in no line', () => {
    const filter = filterOf(['level=info msg="user logged in" user=alice', 'level=error msg="disk full" device=sda1']);
    for (const needle of ['bob_the_builder', 'segfault', 'user=carol', 'disk empty', 'ALICE IN WONDERLAND']) {
      assert.equal(filterMayContain(filter, needle), false, needle);
    }
    assert.ok(filterMayContain(filter, 'USER=ALICE'));
    assert.ok(filterMayContain(filter, 'disk full'));
  });

  it('does not join grams across lines', () => {
    const filter = filterOf(['abcd', 'efgh']);
    assert.equal(filterMayContain(filter, 'cdef'), false);
    assert.equal(filterMayContain(filter, 'bcde'), false);
  });

  it('says maybe for needles shorter than a gram and for filters it cannot read', () => {
    const filter = filterOf(['nothing to see']);
    for (const needle of ['', 'x', 'zz', 'zzz', '€']) assert.ok(filterMayContain(filter, needle));
    assert.equal(filterMayContain(filter, 'zzzz'), false);
    for (const bad of [Buffer.alloc(0), Buffer.from([9, 4, 3, 0, 0, 0, 0, 0, 0, 0, 0]), Buffer.from([1, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0])]) {
      assert.ok(filterMayContain(bad, 'zzzz'));
    }
  });

  it('says no for every needle of 4+ bytes when all lines are shorter than a gram', () => {
    const filter = filterOf(['a', 'bc', '', 'def']);
    assert.equal(filterMayContain(filter, 'defg'), false);
    assert.ok(filterMayContain(filter, 'def'));
  });

  it('gives the same filter whatever was built before (the scratch set grows between builds)', () => {
    const rnd = random(11);
    const small = lines(rnd, 50);
    const big = lines(rnd, 20000);
    const first = filterOf(small);
    filterOf(big);
    assert.deepEqual(filterOf(small), first);
    const again = filterOf(big);
    filterOf(small);
    assert.deepEqual(filterOf(big), again);
  });

  it('indexes the all-zero gram (NUL bytes) and upper-case runs like any other', () => {
    const filter = filterOf(['bin\u0000\u0000\u0000\u0000ary', 'AAAA']);
    assert.ok(filterMayContain(filter, '\u0000\u0000\u0000\u0000'));
    assert.ok(filterMayContain(filter, 'n\u0000\u0000\u0000'));
    assert.ok(filterMayContain(filter, 'aaaa'));
    assert.equal(filterMayContain(filterOf(['no nul bytes here']), '\u0000\u0000\u0000\u0000'), false);
  });
});
