import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileRe2, translateRe2 } from './re2.js';
import { compileMatcher, parseSelector } from './matchers.js';
import { RegexSyntaxError } from './errors.js';

const full = (p: string) => compileRe2(p, { anchored: true, dotAll: true });

test('anchored matching as Prometheus label matchers do', () => {
  assert.ok(full('api|web').test('web'));
  assert.ok(!full('api|web').test('webx'));
  assert.ok(!full('a').test('ba'));
  assert.ok(full('a.*').test('a\nb'), '. matches newline in label matchers');
  assert.ok(!compileRe2('a.b').test('a\nb'), 'but not by default');
});

test('leading flag groups, named groups, \\z, \\A, \\Q…\\E', () => {
  assert.ok(full('(?i)ERROR').test('error'));
  assert.ok(full('(?is)a.b').test('A\nB'));
  assert.equal(compileRe2('(?P<lvl>warn|error)').exec('x error')?.groups?.lvl, 'error');
  assert.ok(compileRe2('end\\z').test('the end'));
  assert.ok(!compileRe2('end\\z').test('end\n'));
  assert.ok(compileRe2('\\Aabc').test('abcd'));
  assert.ok(full('\\Qa.b*c\\E').test('a.b*c'));
  assert.ok(!full('\\Qa.b*c\\E').test('axbbc'));
});

test('flag groups anywhere are scoped as in Go', () => {
  assert.ok(compileRe2('a(?i)b').test('aB') && !compileRe2('a(?i)b').test('AB'), 'a mid-pattern flag applies from there on');
  assert.ok(full('(?i:ab)c').test('ABc') && !full('(?i:ab)c').test('ABC'), 'a flag group applies inside it only');
  assert.ok(full('(x(?i)a)a').test('xAa') && !full('(x(?i)a)a').test('xAA'), 'a mid-group flag ends with its group');
  assert.ok(full('(?i)a(?-i)b').test('Ab') && !full('(?i)a(?-i)b').test('AB'), 'a leading flag can be turned off later');
  assert.ok(full('(?i:[a-c]+)').test('AbC') && !full('(?i:[^a])').test('A'), 'classes fold both cases, negated ones too');
  assert.ok(full('(?i:é)').test('É'));
  assert.ok(full('^(?:(?i)abc)$').test('ABC'), 'an anchored wrapper (label_replace) keeps a leading flag working');
  assert.ok(compileRe2('(?s:a.b)').test('a\nb') && !compileRe2('a.b').test('a\nb'));
  assert.ok(compileRe2('a.b').test('a\rb'), "Go's . excludes only \\n");
  assert.ok(compileRe2('x\n(?m:^b$)').test('x\nb') && !compileRe2('x\n^b').test('x\nb'));
  assert.equal('a1b2'.replace(compileRe2('\\d', { flags: 'g' }), '#'), 'a#b#', 'extra flags for the caller');
});

test('RE2 classes and escapes translate to equivalent JS', () => {
  assert.ok(full('[[:alpha:]]+[[:digit:]]').test('abc1'));
  assert.ok(!full('\\s').test('\u00a0'), 'RE2 \\s is ASCII only');
  assert.ok(full('\\s').test('\t'));
  assert.ok(full('\\pL+').test('héllo'));
  assert.ok(full('\\p{Greek}+').test('αβγ'));
  assert.ok(full('a{2}').test('aa'));
  assert.ok(full('a{').test('a{'), 'a lone brace is a literal in RE2');
  assert.ok(full('x\\-y').test('x-y'));
  assert.ok(full('\\x41\\x{42}').test('AB'));
  assert.ok(full('[^a-c]').test('d'));
  assert.ok(full('[]a]+').test(']a'));
  assert.ok(full('\\.\\*').test('.*'));
});

test('unsupported or invalid syntax throws RegexSyntaxError with the pattern', () => {
  for (const p of ['(a', 'a)', '(?U)a', '(?=a)', '(?<!a)b', '(?)a', '(?x)a', '\\1', '[a', 'a\\', '\\p{NoSuchScript}']) {
    assert.throws(() => translateRe2(p), RegexSyntaxError, p);
  }
  assert.throws(() => compileRe2('a**'), /error parsing regexp/);
});

test('matchers: missing labels count as empty; selector text parses', () => {
  assert.ok(compileMatcher({ name: 'x', op: '=', value: '' })({ a: 'b' }));
  assert.ok(compileMatcher({ name: 'x', op: '!~', value: '.+' })({}));
  assert.ok(compileMatcher({ name: 'a', op: '=~', value: 'b|c' })({ a: 'c' }));
  assert.deepEqual(parseSelector('{app="api", env=~`prod|dev`, team!="x\\"y"}'), [
    { name: 'app', op: '=', value: 'api' },
    { name: 'env', op: '=~', value: 'prod|dev' },
    { name: 'team', op: '!=', value: 'x"y' },
  ]);
  assert.throws(() => parseSelector('app="x"'), /enclosed/);
  assert.throws(() => parseSelector('{app=~"("}'), RegexSyntaxError);
});
