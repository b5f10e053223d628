import { test } from 'node:test';
import assert from 'node:assert/strict';
import { completionContext, highlightTokens } from './editorSyntax.js';

test('highlighting classifies labels, strings, operators, functions and durations', () => {
  const q = 'sum(rate({app="api"} |= "x" | json [5m]))';
  const byText = Object.fromEntries(highlightTokens(q).map((t) => [q.slice(t.from, t.to), t.cls]));
  assert.equal(byText.app, 'label');
  assert.equal(byText['"api"'], 'string');
  assert.equal(byText['|='], 'operator');
  assert.equal(byText.json, 'keyword');
  assert.equal(byText.rate, 'function');
  assert.equal(byText.sum, 'function');
  assert.equal(byText['5m'], 'number');
});

test('highlighting marks syntax errors', () => {
  assert.ok(highlightTokens('{app="x"} |= ').some((t) => t.cls === 'error') || highlightTokens('{app=}').some((t) => t.cls === 'error'));
});

test('completion context at the cursor', () => {
  assert.deepEqual(completionContext('{'), { kind: 'labelName', prefix: '', otherMatchers: '' });
  assert.deepEqual(completionContext('{app="api", na'), { kind: 'labelName', prefix: 'na', otherMatchers: '{app="api"}' });
  assert.deepEqual(completionContext('{app="api", pod=~"we'), { kind: 'labelValue', label: 'pod', prefix: 'we', otherMatchers: '{app="api"}' });
  assert.deepEqual(completionContext('{app="api"} | js'), { kind: 'pipeline', prefix: 'js' });
  assert.deepEqual(completionContext('sum(ra'), { kind: 'function', prefix: 'ra' });
  assert.deepEqual(completionContext('{app="api"} |= "x'), { kind: 'none' });
});
