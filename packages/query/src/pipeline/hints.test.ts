import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Labels } from '@lode/store';
import { parseExpr, type LogQueryExpr, type RangeAggregationExpr } from '../logql/index.js';
import { compilePipeline, parserHints, requiredLabelNames, type HintGrouping, type ParserHints } from './index.js';

const BY = (...groups: string[]): HintGrouping => ({ groups, without: false, noLabels: groups.length === 0 });
const NONE: HintGrouping = { groups: [], without: false, noLabels: false };

function range(query: string): RangeAggregationExpr['range'] {
  return (parseExpr(query) as RangeAggregationExpr).range;
}

function hints(query: string, grouping: HintGrouping): ParserHints {
  const r = range(query);
  return parserHints(r.pipeline, r.unwrap, grouping);
}

function required(query: string, grouping: HintGrouping): string[] | undefined {
  const h = hints(query, grouping);
  return h.required && [...h.required].sort();
}

/** The labels of one line through a metric pipeline (hints, first duplicate wins) or a log pipeline. */
function metricLabels(query: string, grouping: HintGrouping, line: string): Labels | undefined {
  const r = range(query);
  const p = compilePipeline(r.pipeline, {
    ...(r.unwrap ? { unwrap: r.unwrap } : {}),
    hints: parserHints(r.pipeline, r.unwrap, grouping),
    firstDuplicateWins: true,
    dropEmptyJson: true,
  });
  const res = p.process(0n, line, undefined, { app: 'a' }, {});
  return res && { ...res.labels };
}

function logLabels(query: string, line: string): Labels | undefined {
  const res = compilePipeline((parseExpr(query) as LogQueryExpr).pipeline).process(0n, line, undefined, { app: 'a' }, {});
  return res && { ...res.labels };
}

describe('required label names', () => {
  it('groups, label filters, unwrap and its post filters, formatters', () => {
    assert.deepEqual(required('count_over_time({app="a"} | logfmt | status >= 500 [1m])', BY('level')), ['level', 'status']);
    assert.deepEqual(
      required('max_over_time({app="a"} | json | unwrap duration(d) | __error__="" [1m])', BY('instance')),
      ['__error__', 'd', 'instance'],
    );
    assert.deepEqual(
      required('count_over_time({app="a"} | logfmt | label_format x=y, z="{{.w}}-{{ .v | ToUpper }}" | line_format "{{.u}}" [1m])', BY('x')),
      ['u', 'v', 'w', 'x', 'y'],
    );
    assert.deepEqual(required('count_over_time({app="a"} | json | a="1" or b>2 [1m])', BY('c')), ['a', 'b', 'c']);
    // A grouping label clashing with a stream label is also hinted without `_extracted`.
    assert.deepEqual(required('count_over_time({app="a"} | json [1m])', BY('level_extracted')), ['level', 'level_extracted']);
  });

  it('templates that may read every label disable the hints', () => {
    const r = range('count_over_time({app="a"} | json | line_format "{{ range $k, $v := . }}{{$k}}{{end}}" [1m])');
    assert.equal(requiredLabelNames(r.pipeline, r.unwrap), undefined);
    assert.equal(required('count_over_time({app="a"} | json | line_format "{{ . }}" [1m])', BY('x')), undefined);
  });

  it('no grouping or without: every key; sum() with no labels: only what stages read, or nothing', () => {
    assert.deepEqual(hints('count_over_time({app="a"} | json [1m])', NONE), { noLabels: false, required: undefined });
    assert.deepEqual(hints('count_over_time({app="a"} | json [1m])', { groups: ['a'], without: true, noLabels: false }), {
      noLabels: false,
      required: undefined,
    });
    assert.deepEqual(hints('count_over_time({app="a"} | json [1m])', BY()), { noLabels: true, required: undefined });
    assert.deepEqual(required('count_over_time({app="a"} | json | __error__="" [1m])', BY()), ['__error__']);
  });
});

describe('duplicate keys and hinted parsing', () => {
  const dupLogfmt = 'level=info dup=first dup=second level=debug';

  it('log queries keep the last duplicate, metric queries the first', () => {
    assert.deepEqual(logLabels('{app="a"} | logfmt', dupLogfmt), { app: 'a', level: 'debug', dup: 'second' });
    assert.deepEqual(metricLabels('count_over_time({app="a"} | logfmt [1m])', NONE, dupLogfmt), { app: 'a', level: 'info', dup: 'first' });
    assert.deepEqual(metricLabels('count_over_time({app="a"} | json [1m])', BY('level'), '{"level":"info","x":1,"level":"DEBUG"}'), {
      app: 'a',
      level: 'info',
    });
  });

  it('hinted parsers extract only the required keys and stop once all are found', () => {
    // The error after `level` is never read.
    assert.deepEqual(metricLabels('count_over_time({app="a"} | json [1m])', BY('level'), '{"level":"warn","x":{"y":1}, broken'), {
      app: 'a',
      level: 'warn',
    });
    assert.deepEqual(metricLabels('count_over_time({app="a"} | logfmt --strict [1m])', BY('level'), 'level=warn "bad'), {
      app: 'a',
      level: 'warn',
    });
    // Nested json keys are found through their prefix.
    assert.deepEqual(metricLabels('count_over_time({app="a"} | json [1m])', BY('a_b'), '{"x":{"y":2},"a":{"b":"deep"}}'), {
      app: 'a',
      a_b: 'deep',
    });
  });

  it('sum() without grouping parses nothing: no parser error either', () => {
    assert.deepEqual(metricLabels('count_over_time({app="a"} | json [1m])', BY(), 'not json'), { app: 'a' });
    // A filter on __error__ makes the parser read the line (and fail on it).
    assert.equal(metricLabels('count_over_time({app="a"} | json | __error__!="" [1m])', BY(), 'not json')?.__error__, 'JSONParserErr');
  });

  it('metric json drops empty string values, log json keeps them', () => {
    assert.deepEqual(metricLabels('count_over_time({app="a"} | json [1m])', NONE, '{"e":"","f":"1"}'), { app: 'a', f: '1' });
    assert.deepEqual(logLabels('{app="a"} | json', '{"e":"","f":"1"}'), { app: 'a', e: '', f: '1' });
  });
});
