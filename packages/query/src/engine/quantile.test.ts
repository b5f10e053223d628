import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { quantile, quantileOverTime } from './range-functions.js';

/** A small deterministic generator (tests must not depend on Math.random). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('quantile_over_time by selection', () => {
  it('equals the sorting quantile for every window, rank and odd value', () => {
    const rnd = lcg(7);
    const specials = [NaN, Infinity, -Infinity, 0, -0, 5, 5, 5];
    for (let round = 0; round < 400; round++) {
      const n = 1 + Math.floor(rnd() * 40);
      const values: number[] = [];
      for (let i = 0; i < n; i++) {
        const r = rnd();
        values.push(r < 0.15 ? (specials[Math.floor(rnd() * specials.length)] as number) : Math.floor(rnd() * 20) - 5);
      }
      const lo = Math.floor(rnd() * n);
      const hi = lo + 1 + Math.floor(rnd() * (n - lo));
      for (const q of [0, 0.01, 0.25, 0.5, 0.9, 0.99, 1, -0.5, 1.5, NaN]) {
        const want = quantile(q, values.slice(lo, hi));
        const got = quantileOverTime(q)({ ts: values, values, lo, hi }, { start: 0, end: 0, rangeSeconds: 1 });
        assert.ok(Object.is(got, want) || (got === 0 && want === 0), `q=${q} of ${values.slice(lo, hi).join(',')}: ${got} != ${want}`);
      }
    }
  });
});
