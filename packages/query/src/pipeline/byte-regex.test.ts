import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mulberry32 } from '@lode/store';
import type { LineFilterStage } from '../logql/ast.js';
import { ByteRegex } from './byte-regex.js';
import { compileLineFilter } from './line-filter.js';
import { compileRe2 } from '@lode/store';

describe('ByteRegex.compile', () => {
  const supported = ['status=5\\d\\d', 'code=[45][0-9]{2}', 'a\\.b\\w', 'x[a-c_-]', 'abc+', 'abc*', 'abcd?', 'ab{2}c', 'ab[0-9]{1,3}', 'k="[\\d]', 'x[\\]]'];
  const unsupported = ['', '\\d+abc', '[a]bc', '^abc', 'abc$', 'a.c', 'a(b)c', 'a|b', '(?i)abc', 'ab[^c]', 'ab+c', 'ab*?', 'a\\sb', 'ab[[:alpha:]]', 'ab\\pL', 'é+', 'ab{2,}c', 'ab{33}'];
  for (const re of supported) it(`matches ${JSON.stringify(re)} on bytes`, () => assert.ok(ByteRegex.compile(re)));
  for (const re of unsupported) it(`leaves ${JSON.stringify(re)} to the RegExp`, () => assert.equal(ByteRegex.compile(re), undefined));
});

/** Random regexps of the supported shape (and some not), each checked on lines built to match them often. */
function randomRegex(r: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  let re = '';
  const prefixLen = 1 + Math.floor(r() * 4);
  for (let k = 0; k < prefixLen; k++) re += pick(['s', 't', '=', '5', 'a', ' ', '"', '-', '\\.', '\\[', '_']);
  const tailLen = Math.floor(r() * 4);
  for (let k = 0; k < tailLen; k++) {
    re += pick(['\\d', '\\w', '[0-9]', '[a-c5]', '[-a]', 'x', '5', '[\\]x]', '[ -/]']);
    if (r() < 0.2) re += pick(['{2}', '{0}', '{1}']);
  }
  if (r() < 0.3) re += pick(['+', '*', '?', '{2,}', '{1,3}', '{0,1}']);
  return re;
}

function randomLine(r: () => number): string {
  const alphabet = ['s', 't', '=', '5', '0', '9', 'a', 'b', 'c', 'x', ' ', '"', '-', '.', '[', ']', '_', '/', 'é', '日', '５', '\t'];
  const n = Math.floor(r() * 24);
  let s = '';
  for (let k = 0; k < n; k++) s += alphabet[Math.floor(r() * alphabet.length)];
  return s;
}

describe('ByteRegex.test', () => {
  it('agrees with the RegExp on random regexps and lines', () => {
    const r = mulberry32(0xb17e);
    let compiled = 0;
    let matched = 0;
    for (let k = 0; k < 400; k++) {
      const re = randomRegex(r);
      const bytesRe = ByteRegex.compile(re);
      if (!bytesRe) continue;
      compiled++;
      const js = compileRe2(re);
      for (let j = 0; j < 200; j++) {
        const line = randomLine(r);
        const pad = Buffer.from('5=s');
        const b = Buffer.concat([pad, Buffer.from(line, 'utf8'), pad]);
        const want = js.test(line);
        if (want) matched++;
        assert.equal(bytesRe.test(b, pad.length, b.length - pad.length), want, `${re} on ${JSON.stringify(line)}`);
      }
    }
    assert.ok(compiled > 250 && matched > 1000, `compiled ${compiled}, matched ${matched}`);
  });

  it('gives line filters a byte test that agrees with the string test', () => {
    const r = mulberry32(0x11e);
    const stages: LineFilterStage[] = [
      { kind: 'LineFilter', op: '|~', values: [{ kind: 'String', value: 'st=5\\d' }] },
      { kind: 'LineFilter', op: '!~', values: [{ kind: 'String', value: 'a[bc]' }] },
      { kind: 'LineFilter', op: '|~', values: [{ kind: 'String', value: 'x\\w' }, { kind: 'String', value: '"5' }] },
      { kind: 'LineFilter', op: '|=', values: [{ kind: 'String', value: 'é' }, { kind: 'String', value: 'ta' }] },
    ];
    for (const stage of stages) {
      const f = compileLineFilter(stage);
      assert.ok(f.testRange && f.testBytes, `${stage.op} has a byte test`);
      for (let j = 0; j < 2000; j++) {
        const line = randomLine(r);
        const b = Buffer.from(`xé${line}ax`, 'utf8');
        const start = Buffer.byteLength('xé');
        assert.equal(f.testRange(b, start, b.length - 2), f.test(line), `${stage.op} ${JSON.stringify(stage.values)} on ${JSON.stringify(line)}`);
        assert.equal(f.testBytes(Buffer.from(line, 'utf8')), f.test(line));
      }
    }
    assert.equal(compileLineFilter({ kind: 'LineFilter', op: '|~', values: [{ kind: 'String', value: 'a.c' }] }).testRange, undefined);
  });
});
