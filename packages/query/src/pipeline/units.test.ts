import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileRe2 } from '@lode/store';
import { parseGoDuration, parseGoFloat, parseHumanBytes } from './units.js';

describe('Go value parsers', () => {
  it('ParseFloat', () => {
    assert.equal(parseGoFloat('1e3'), 1000);
    assert.equal(parseGoFloat('-5'), -5);
    assert.equal(parseGoFloat('+Inf'), Infinity);
    assert.equal(parseGoFloat('0x10p0'), 16);
    assert.throws(() => parseGoFloat(''), /parsing "": invalid syntax/);
    assert.throws(() => parseGoFloat('oops'), /parsing "oops": invalid syntax/);
    assert.throws(() => parseGoFloat(' 1'), /invalid syntax/);
  });

  it('ParseDuration', () => {
    assert.equal(parseGoDuration('1h30m'), 5_400_000_000_000n);
    assert.equal(parseGoDuration('1.5s'), 1_500_000_000n);
    assert.equal(parseGoDuration('3600000000µs'), 3_600_000_000_000n);
    assert.equal(parseGoDuration('-2ms'), -2_000_000n);
    assert.throws(() => parseGoDuration('90'), /time: missing unit in duration "90"/);
    assert.throws(() => parseGoDuration('1d'), /time: unknown unit "d" in duration "1d"/);
    assert.throws(() => parseGoDuration('nope'), /time: invalid duration "nope"/);
  });

  it('humanize ParseBytes', () => {
    assert.equal(parseHumanBytes('3MB'), 3_000_000);
    assert.equal(parseHumanBytes('2 KiB'), 2048);
    assert.equal(parseHumanBytes('3mb'), 3_000_000);
    assert.equal(parseHumanBytes('1,024'), 1024);
    assert.throws(() => parseHumanBytes('oops'), /parsing "": invalid syntax/);
    assert.throws(() => parseHumanBytes('3xb'), /unhandled size name: xb/);
  });
});

describe('RE2 translation', () => {
  it('named groups, flags, anchoring, escapes', () => {
    assert.equal(compileRe2('(?P<a>\\d+)').exec('x12')!.groups!.a, '12');
    assert.ok(compileRe2('(?i)code=5..').test('CODE=503'));
    assert.ok(compileRe2('al.*', { anchored: true }).test('alpha'));
    assert.ok(!compileRe2('alph', { anchored: true }).test('alpha'));
    assert.ok(compileRe2('[[:digit:]]+', { anchored: true }).test('123'));
    assert.ok(compileRe2('\\Qa.b\\E').test('a.b') && !compileRe2('\\Qa.b\\E').test('axb'));
    assert.throws(() => compileRe2('('), /error parsing regexp: missing closing \)/);
    assert.throws(() => compileRe2('(a)\\1'), /invalid escape sequence/);
    assert.throws(() => compileRe2('(?=a)'), /invalid or unsupported Perl syntax/);
  });
});
