// The datasource's applyTemplateVariables / metricFindQuery / annotations delegate to these functions; the
// datasource class itself needs a Grafana runtime (getTemplateSrv) and is exercised in the browser test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyAdHocFilter, formatVariable, interpolateQuery, type ReplaceFn, type VariableShape } from './templating.js';
import { framesToAnnotations } from './annotations.js';

/** A stand-in for Grafana's templateSrv.replace: `$name` / `${name}` with the variable's value and shape. */
function replacer(vars: Record<string, { value: string | string[] } & VariableShape>): ReplaceFn {
  return (text, format) =>
    text.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, braced: string | undefined, bare: string | undefined) => {
      const v = vars[braced ?? bare ?? ''];
      if (!v) return whole;
      if (format) return format(v.value, v);
      return Array.isArray(v.value) ? v.value.join(',') : v.value;
    });
}

test('formatVariable: single values stay as typed, multi and All values become escaped alternations', () => {
  assert.equal(formatVariable('a.b'), 'a.b');
  assert.equal(formatVariable('a.b', { multi: true }), 'a\\.b');
  assert.equal(formatVariable('x+y', { includeAll: true }), 'x\\+y');
  assert.equal(formatVariable(['api']), 'api');
  assert.equal(formatVariable(['api', 'web.1']), '(api|web\\.1)');
});

test('interpolateQuery replaces variables in expr (regex-formatted) and legend (plain), keeps other fields', () => {
  const replace = replacer({
    app: { value: ['api', 'web.1'], multi: true },
    level: { value: 'error' },
  });
  const q = { refId: 'A', expr: 'sum by (app) (rate({app=~"$app"} |= "${level}" [5m]))', legendFormat: '{{app}} $level', maxLines: 7 };
  const out = interpolateQuery(q, replace);
  assert.equal(out.expr, 'sum by (app) (rate({app=~"(api|web\\.1)"} |= "error" [5m]))');
  assert.equal(out.legendFormat, '{{app}} error');
  assert.equal(out.maxLines, 7);
  assert.equal(out.refId, 'A');
  assert.equal(q.expr.includes('$app'), true, 'the input query is not mutated');
});

test('interpolateQuery adds ad-hoc filters after variables, and leaves an empty legend alone', () => {
  const query: { refId: string; expr: string; legendFormat?: string } = { refId: 'A', expr: '{app="$app"}' };
  const out = interpolateQuery(query, replacer({ app: { value: 'api' } }), [
    { key: 'pod', operator: '=', value: 'p-1' },
    { key: 'level', operator: '!~', value: 'debug|info' },
  ]);
  assert.equal(out.expr, '{app="api"} | pod="p-1" | level!~"debug|info"');
  assert.equal(out.legendFormat, undefined);
});

test('applyAdHocFilter: all four matcher operators, quoting, and unsupported operators ignored', () => {
  assert.equal(applyAdHocFilter('{app="x"}', { key: 'k', operator: '=', value: 'v"q' }), '{app="x"} | k="v\\"q"');
  assert.equal(applyAdHocFilter('{app="x"}', { key: 'k', operator: '!=', value: 'v' }), '{app="x"} | k!="v"');
  assert.equal(applyAdHocFilter('{app="x"}', { key: 'k', operator: '=~', value: 'a.*' }), '{app="x"} | k=~"a.*"');
  assert.equal(applyAdHocFilter('{app="x"}', { key: 'k', operator: '<', value: '3' }), '{app="x"}');
  assert.equal(applyAdHocFilter('{app="x"}', { key: '', operator: '=', value: '3' }), '{app="x"}');
});

test('annotations: one event per log line, labels as key:value tags, icon colour carried', () => {
  const frame = {
    length: 2,
    fields: [
      { name: 'labels', type: 'other', values: [{ app: 'api', level: 'error' }, {}] },
      { name: 'timestamp', type: 'time', values: [1_700_000_000_000, 1_700_000_001_000] },
      { name: 'body', type: 'string', values: ['boom', 'ok'] },
      { name: 'id', type: 'string', values: ['a', 'b'] },
    ],
  };
  assert.deepEqual(framesToAnnotations([frame], 'red'), [
    { time: 1_700_000_000_000, text: 'boom', tags: ['app:api', 'level:error'], color: 'red' },
    { time: 1_700_000_001_000, text: 'ok', tags: [], color: 'red' },
  ]);
});

test('annotations: frames without a time or text field (metric frames) give no events', () => {
  const metric = { length: 1, fields: [{ name: 'time', type: 'time', values: [1] }, { name: 'value', type: 'number', values: [2] }] };
  assert.deepEqual(framesToAnnotations([metric]), []);
  assert.deepEqual(framesToAnnotations([{ length: 0, fields: [] }]), []);
});
