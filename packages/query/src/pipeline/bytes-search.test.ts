import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BytesNeedle } from './bytes-search.js';

describe('BytesNeedle', () => {
  it('agrees with Buffer.indexOf on many haystacks and needles', () => {
    let s = 12345;
    const rnd = (n: number): number => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      return s % n;
    };
    const alphabet = 'ab=" \u00e9x';
    const word = (len: number): string => Array.from({ length: len }, () => alphabet[rnd(alphabet.length)]).join('');
    for (let k = 0; k < 3000; k++) {
      const hay = Buffer.from(word(rnd(40)), 'utf8');
      const needle = word(1 + rnd(5));
      assert.equal(new BytesNeedle(needle).in(hay), hay.indexOf(Buffer.from(needle, 'utf8')) >= 0, `${needle} in ${hay.toString()}`);
    }
  });

  it('handles the edges: empty needle, needle longer than the line, match at either end, long needles', () => {
    assert.equal(new BytesNeedle('').in(Buffer.from('x')), true);
    assert.equal(new BytesNeedle('abc').in(Buffer.from('ab')), false);
    assert.equal(new BytesNeedle('abc').in(Buffer.from('abcxx')), true);
    assert.equal(new BytesNeedle('abc').in(Buffer.from('xxabc')), true);
    const long = 'y'.repeat(300);
    assert.equal(new BytesNeedle(long).in(Buffer.from(`a${long}b`)), true);
    assert.equal(new BytesNeedle(long).in(Buffer.from('y'.repeat(299))), false);
  });
});
