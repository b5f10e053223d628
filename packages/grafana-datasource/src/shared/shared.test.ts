import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildLokiRequest, chooseStepMs, expandMacros } from './request.js';
import { lokiDataToFrames, streamsToLogsFrame } from './convert.js';
import { detectLevel, normalizeLevel } from './severity.js';
import { modifyExpr } from './modify.js';
import { isLogsQuery, isValidQuery, firstLogExpr, selectorLabelNames } from './logql.js';
import { logsSampleQuery, logsVolumeQuery } from './supplementary.js';
import { buildContextRequest, contextSelector } from './context.js';
import { parseVariableQuery, variableResource } from './variables.js';
import { formatDurationMs, parseDurationMs } from './duration.js';
import type { JsonField, NumberField, StringField, TimeField } from './frame.js';

const ctx = { fromMs: 1_700_000_000_000, toMs: 1_700_003_600_000, intervalMs: 15_000, maxDataPoints: 1000 };

test('range request carries ns times, limit, direction and a step', () => {
  const r = buildLokiRequest({ refId: 'A', expr: '{app="x"}', maxLines: 50, direction: 'forward' }, ctx);
  assert.equal(r.path, '/loki/api/v1/query_range');
  assert.equal(r.params.get('start'), '1700000000000000000');
  assert.equal(r.params.get('end'), '1700003600000000000');
  assert.equal(r.params.get('limit'), '50');
  assert.equal(r.params.get('direction'), 'forward');
  assert.equal(r.params.get('step'), '15');
});

test('instant request uses /query with time = end of range', () => {
  const r = buildLokiRequest({ refId: 'A', expr: 'sum(rate({app="x"}[1m]))', queryType: 'instant' }, ctx);
  assert.equal(r.path, '/loki/api/v1/query');
  assert.equal(r.params.get('time'), '1700003600000000000');
  assert.equal(r.params.get('start'), null);
});

test('step respects the user value, the panel width and Loki 11k point limit', () => {
  assert.equal(chooseStepMs({ refId: 'A', expr: 'x', step: '1m' }, ctx), 60_000);
  assert.equal(chooseStepMs({ refId: 'A', expr: 'x' }, { ...ctx, intervalMs: 1, maxDataPoints: 100 }), 36_000);
  const year = { fromMs: 0, toMs: 365 * 86_400_000, intervalMs: 1, maxDataPoints: 0 };
  assert.ok((year.toMs - year.fromMs) / chooseStepMs({ refId: 'A', expr: 'x' }, year) <= 11_000);
  assert.throws(() => chooseStepMs({ refId: 'A', expr: 'x', step: 'soon' }, ctx), /not a duration/);
});

test('macros expand to durations', () => {
  assert.equal(expandMacros('rate({a="b"}[$__auto]) / $__range_s', ctx, 30_000), 'rate({a="b"}[30s]) / 3600');
  assert.equal(expandMacros('[$__interval] $__interval_ms [$__range]', ctx, 30_000), '[15s] 15000 [1h]');
});

test('empty query is refused with a readable error', () => {
  assert.throws(() => buildLokiRequest({ refId: 'A', expr: '  ' }, ctx), /query is empty/);
});

test('durations parse and format', () => {
  assert.equal(parseDurationMs('1h30m'), 5_400_000);
  assert.equal(parseDurationMs('250ms'), 250);
  assert.equal(parseDurationMs('1.5'), 1500);
  assert.equal(parseDurationMs('5x'), undefined);
  assert.equal(formatDurationMs(90_500), '1m30s500ms');
});

test('log frame: dataplane fields, sorted backward, labels, severity and unique ids', () => {
  const frame = streamsToLogsFrame(
    [
      { stream: { app: 'a', level: 'ERROR' }, values: [['1000000001', 'boom'], ['1000000003', 'boom again']] },
      { stream: { app: 'b' }, values: [['1000000002', 'level=warn msg=hi'], ['1000000002', 'level=warn msg=hi']] },
    ],
    { refId: 'A', expr: '{app=~".+"}' },
  );
  assert.deepEqual(frame.fields.map((f) => f.name), ['timestamp', 'body', 'severity', 'id', 'labels']);
  assert.equal(frame.meta?.type, 'log-lines');
  assert.equal(frame.meta?.preferredVisualisationType, 'logs');
  const [ts, body, sev, id, labels] = frame.fields as [TimeField, StringField, StringField, StringField, JsonField];
  assert.deepEqual(ts.values, [1000000003n, 1000000002n, 1000000002n, 1000000001n]);
  assert.deepEqual(body.values, ['boom again', 'level=warn msg=hi', 'level=warn msg=hi', 'boom']);
  assert.deepEqual(sev.values, ['error', 'warning', 'warning', 'error']);
  assert.deepEqual(labels.values[0], { app: 'a', level: 'ERROR' });
  assert.equal(new Set(id.values).size, 4);
  assert.match(id.values[1]!, /^1000000002_[0-9a-f]{8}$/);
  assert.equal(id.values[2], `${id.values[1]}_1`);
});

test('log frame: forward order and categorized labels merged', () => {
  const frame = streamsToLogsFrame(
    [{ stream: { app: 'a' }, values: [['2', 'y', { structuredMetadata: { trace_id: 't1' }, parsed: { status: '500' } }], ['1', 'x']] }],
    { refId: 'A', expr: '{app="a"}', direction: 'forward' },
  );
  const labels = frame.fields[4] as JsonField;
  assert.deepEqual((frame.fields[0] as TimeField).values, [1n, 2n]);
  assert.deepEqual(labels.values[1], { app: 'a', trace_id: 't1', status: '500' });
});

test('bad timestamps are reported, not crashed on', () => {
  assert.throws(() => streamsToLogsFrame([{ stream: {}, values: [['12.5', 'x']] }], { refId: 'A', expr: 'x' }), /nanosecond/);
});

test('matrix → one timeseries-multi frame per series with legend', () => {
  const frames = lokiDataToFrames(
    { resultType: 'matrix', result: [{ metric: { app: 'a' }, values: [[1700000000, '1.5'], [1700000015.5, 'NaN'], [1700000030, '+Inf']] }] },
    { refId: 'B', expr: 'rate({app="a"}[1m])', legendFormat: '{{app}} rate', stepMs: 15000 },
  );
  assert.equal(frames.length, 1);
  const f = frames[0]!;
  assert.equal(f.meta?.type, 'timeseries-multi');
  assert.equal(f.name, 'a rate');
  const [time, value] = f.fields as [TimeField, NumberField];
  assert.deepEqual(time.values, [1700000000000000000n, 1700000015500000000n, 1700000030000000000n]);
  assert.equal(value.values[0], 1.5);
  assert.ok(Number.isNaN(value.values[1]));
  assert.equal(value.values[2], Infinity);
  assert.deepEqual(value.labels, { app: 'a' });
  assert.equal(value.config?.displayNameFromDS, 'a rate');
});

test('vector and scalar results become single-point series', () => {
  const v = lokiDataToFrames({ resultType: 'vector', result: [{ metric: { x: '1' }, value: [10, '2'] }] }, { refId: 'C', expr: 'e' });
  assert.deepEqual((v[0]!.fields[1] as NumberField).values, [2]);
  const s = lokiDataToFrames({ resultType: 'scalar', result: [10, '2'] }, { refId: 'C', expr: 'vector(1)+vector(1)' });
  assert.deepEqual((s[0]!.fields[0] as TimeField).values, [10_000_000_000n]);
});

test('log volume frames expose detected_level as level', () => {
  const frames = lokiDataToFrames(
    { resultType: 'matrix', result: [{ metric: { detected_level: 'error' }, values: [[1, '3']] }] },
    { refId: 'v', expr: 'e', supportingQueryType: 'logsVolume' },
  );
  assert.deepEqual((frames[0]!.fields[1] as NumberField).labels, { level: 'error' });
});

test('severity normalisation', () => {
  assert.equal(normalizeLevel('WARN'), 'warning');
  assert.equal(normalizeLevel('emerg'), 'critical');
  assert.equal(detectLevel({ detected_level: 'debug', level: 'error' }, ''), 'debug');
  assert.equal(detectLevel({}, '{"ts":1,"level":"info","msg":"x"}'), 'info');
  assert.equal(detectLevel({}, 'plain line'), 'unknown');
});

test('modifyQuery: filter in/out for indexed and other labels, string filters, parsers', () => {
  assert.equal(modifyExpr('{app="x"}', { type: 'ADD_FILTER', options: { key: 'env', value: 'prod' } }, ['env']), '{app="x", env="prod"}');
  assert.equal(modifyExpr('{app="x"} | json', { type: 'ADD_FILTER_OUT', options: { key: 'status', value: '500' } }), '{app="x"} | json | status!="500"');
  assert.equal(
    modifyExpr('sum(rate({app="x"} | logfmt [5m]))', { type: 'ADD_FILTER', options: { key: 'lvl', value: 'a"b' } }),
    'sum(rate({app="x"} | logfmt | lvl="a\\"b" [5m]))',
  );
  assert.equal(modifyExpr('{app="x"} |= "a" | json', { type: 'ADD_STRING_FILTER', options: { value: 'b' } }), '{app="x"} |= "a" |= "b" | json');
  assert.equal(modifyExpr('{app="x"}', { type: 'ADD_STRING_FILTER_OUT', options: { value: 'b' } }), '{app="x"} != "b"');
  assert.equal(modifyExpr('{app="x"}', { type: 'ADD_JSON_PARSER' }), '{app="x"} | json');
  assert.equal(modifyExpr('{app="x"}', { type: 'SOMETHING_ELSE' }), '{app="x"}');
});

test('logql helpers', () => {
  assert.equal(isLogsQuery('{a="b"} |= "x"'), true);
  assert.equal(isLogsQuery('count_over_time({a="b"}[1m])'), false);
  assert.equal(isValidQuery('{a="b"'), false);
  assert.equal(isValidQuery('{a="b"} | json'), true);
  assert.equal(firstLogExpr('sum(rate({a="b"} |= "x" [5m]))'), '{a="b"} |= "x"');
  assert.deepEqual(selectorLabelNames('{a="b", c=~"d"} | json'), ['a', 'c']);
});

test('supplementary queries: volume for logs, sample for metrics', () => {
  const vol = logsVolumeQuery({ refId: 'A', expr: '{a="b"} |= "x"' });
  assert.equal(vol?.expr, 'sum by (level, detected_level) (count_over_time({a="b"} |= "x" | drop __error__ [$__auto]))');
  assert.equal(vol?.supportingQueryType, 'logsVolume');
  assert.equal(logsVolumeQuery({ refId: 'A', expr: 'rate({a="b"}[1m])' }), undefined);
  const sample = logsSampleQuery({ refId: 'A', expr: 'sum(rate({a="b"} | json [1m]))' });
  assert.equal(sample?.expr, '{a="b"} | json');
  assert.equal(sample?.queryType, 'logs');
  assert.equal(logsSampleQuery({ refId: 'A', expr: '{a="b"}' }), undefined);
});

test('log context: indexed labels only, both directions', () => {
  assert.equal(contextSelector({ app: 'a', pod: 'p', trace_id: 't' }, ['app', 'pod'], '{app="a"}'), '{app="a", pod="p"}');
  assert.equal(contextSelector({ trace_id: 't' }, ['app'], '{app="a"} |= "x"'), '{app="a"}');
  const back = buildContextRequest({ refId: 'A', rowTimeMs: 10_000_000, rowLabels: { app: 'a' }, indexedNames: ['app'], originalExpr: '{app="a"}', direction: 'BACKWARD', limit: 10 });
  assert.equal(back.query.direction, 'backward');
  assert.equal(back.toMs, 10_000_001);
  assert.ok(back.fromMs < 10_000_000);
  const fwd = buildContextRequest({ refId: 'A', rowTimeMs: 10_000_000, rowLabels: { app: 'a' }, indexedNames: ['app'], originalExpr: '{app="a"}', direction: 'FORWARD', limit: 10 });
  assert.equal(fwd.query.direction, 'forward');
  assert.equal(fwd.fromMs, 10_000_000);
  assert.equal(fwd.query.maxLines, 10);
});

test('variable queries parse into resource calls', () => {
  assert.deepEqual(variableResource(parseVariableQuery('label_names()') as never), { path: 'labels', params: {} });
  assert.deepEqual(variableResource(parseVariableQuery('label_values({app="x"}, pod)') as never), {
    path: 'label/pod/values',
    params: { query: '{app="x"}' },
  });
  assert.deepEqual(parseVariableQuery('label_values(job)'), { kind: 'labelValues', label: 'job' });
  assert.deepEqual(parseVariableQuery('query_result(sum(rate({a="b"}[1m])))'), { kind: 'queryResult', expr: 'sum(rate({a="b"}[1m]))' });
  assert.throws(() => parseVariableQuery('values(x)'), /unsupported variable query/);
});
