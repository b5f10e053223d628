import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mulberry32, type Labels } from '@lode/store';
import { parseExpr, type RangeAggregationExpr, type VectorAggregationExpr } from '../logql/index.js';
import { compilePipeline, parserHints, type PipelineResult } from './index.js';
import { LogfmtPlan } from './logfmt-plan.js';

/** Key spellings that do, nearly or never sanitise to the labels the queries read. */
const KEYS = ['status', 'level', 'Status', 'sta-tus', 'status_code', '1status', '_1status', 'le.vel', 'lével', 'msg', 'x', 'app', 'dur', ''];
const VALUES = ['500', '200', '503', '0', '999999999999999', '1000000000000000', '5e2', '+500', '-1', '0x1f4', 'NaN', 'abc', '', '12ms', '1.5s', '2KB', 'error', 'warn', 'é', 'a b'];

function randomLine(r: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const parts: string[] = [];
  const n = Math.floor(r() * 7);
  for (let k = 0; k < n; k++) {
    const key = pick(KEYS);
    const v = pick(VALUES);
    const shape = r();
    if (shape < 0.5 && !v.includes(' ')) parts.push(`${key}=${v}`);
    else if (shape < 0.75) parts.push(`${key}="${v}"`);
    else if (shape < 0.82) parts.push(`${key}="${v}\\"q"`);
    else if (shape < 0.86) parts.push(key);
    else if (shape < 0.9) parts.push(`${key}=`);
    else if (shape < 0.93) parts.push(`${key}="${v}`);
    else if (shape < 0.96) parts.push(`${key}=${v}"x`);
    else parts.push(`"${key}"=${v}`);
  }
  return parts.join(pick([' ', '  ', '\t']));
}

/** The metric queries under test: each range aggregation's pipeline with the hints and projection the engine gives it. */
const QUERIES = [
  'sum by (level) (count_over_time({app="a"} | logfmt | status >= 500 [1m]))',
  'sum by (level, app) (count_over_time({app="a"} | logfmt | status > 200 or level="error" [1m]))',
  'sum by (level) (count_over_time({app="a"} | logfmt --keep-empty | status != 500 and level=~"e.*" [1m]))',
  'sum (count_over_time({app="a"} | logfmt | status >= 500 | level!="" [1m]))',
  'sum by (status) (count_over_time({app="a"} | logfmt | dur > 10ms [1m]))',
  'sum by (x) (count_over_time({app="a"} | logfmt | status < 1KB | __error__="" [1m]))',
  'sum by (app_extracted) (count_over_time({app="a"} | logfmt | status >= 0 [1m]))',
  'sum by (level) (count_over_time({app="a"} |= "status" | logfmt | status == 500 [1m]))',
  'quantile_over_time(0.5, {app="a"} | logfmt | __error__="" | unwrap status [1m]) by (level)',
  'sum by (status) (sum_over_time({app="a"} | logfmt | level!="x" | unwrap dur | __error__="" [1m]))',
  'avg_over_time({app="a"} | logfmt | unwrap duration(dur) | dur > 1s [1m]) by (level)',
  'max_over_time({app="a"} | logfmt | unwrap bytes(status) [1m]) by (status, app)',
];

const STREAMS: Labels[] = [{ app: 'a' }, { app: 'a', level: 'stream-level' }, { app: 'a', status: '700' }];

/** The range aggregation of a query, and the grouping the engine projects its samples on. */
function parts(query: string): { range: RangeAggregationExpr['range']; groups: readonly string[] } {
  const e = parseExpr(query) as VectorAggregationExpr | RangeAggregationExpr;
  if (e.kind === 'RangeAggregation') return { range: e.range, groups: e.grouping?.labels ?? [] };
  return { range: (e.inner as RangeAggregationExpr).range, groups: e.grouping?.labels ?? [] };
}

function compile(query: string) {
  const { range, groups } = parts(query);
  const hints = parserHints(range.pipeline, range.unwrap, { groups, without: false, noLabels: groups.length === 0 });
  return compilePipeline(range.pipeline, { hints, project: groups, firstDuplicateWins: true, dropEmptyJson: true, ...(range.unwrap ? { unwrap: range.unwrap } : {}) });
}

function view(r: PipelineResult | undefined): { labels: Labels; value: number | undefined } | string {
  return r === undefined ? 'dropped' : { labels: { ...r.labels }, value: r.value };
}

describe('logfmt plan', () => {
  it('applies to the logfmt | label filter shape only', () => {
    const shapes: [string, boolean][] = [
      ['{a="b"} | logfmt | status >= 500', true],
      ['{a="b"} | logfmt --strict | status >= 500', false],
      ['{a="b"} | logfmt status | status >= 500', false],
      ['{a="b"} | logfmt | addr = ip("10.0.0.0/8")', false],
      ['{a="b"} | logfmt | status >= 500 | line_format "x"', false],
      ['{a="b"} | json | status >= 500', false],
    ];
    for (const [q, applies] of shapes) {
      const stages = (parseExpr(`count_over_time(${q} [1m])`) as RangeAggregationExpr).range.pipeline;
      const hints = parserHints(stages, undefined, { groups: ['level'], without: false, noLabels: false });
      assert.equal(LogfmtPlan.compile(stages, hints, ['level']) !== undefined, applies, q);
      assert.equal(LogfmtPlan.compile(stages, hints, undefined), undefined, `${q} without a projection`);
    }
  });

  for (const query of QUERIES) {
    it(`decides random lines as the generic pipeline does: ${query}`, () => {
      const r = mulberry32(0x10f + query.length);
      const fast = compile(query);
      const generic = compile(query);
      const { range, groups } = parts(query);
      const stages = range.pipeline;
      const hints = parserHints(stages, range.unwrap, { groups, without: false, noLabels: groups.length === 0 });
      const unwrap = range.unwrap && { label: range.unwrap.label, convert: (x: string) => Number(x), plainFloat: false, postFilters: range.unwrap.postFilters };
      const plan = LogfmtPlan.compile(stages.slice(stages[0]?.kind === 'LineFilter' ? 1 : 0), hints, [...groups].sort(), unwrap)!;
      assert.ok(plan, 'the query has a plan');
      const outcomes = [0, 0, 0];
      let kept = 0;
      for (let n = 0; n < 3000; n++) {
        const line = randomLine(r);
        const stream = STREAMS[n % STREAMS.length]!;
        // The line inside a larger block, as a chunk's lines block holds it.
        const before = Buffer.from('level=error status=599 ');
        const bytes = Buffer.concat([before, Buffer.from(line, 'utf8'), Buffer.from(' status=501')]);
        const start = before.length;
        const end = bytes.length - ' status=501'.length;
        outcomes[plan.run(stream, bytes, start, end, [])]!++;
        const got = view(fast.processRange(0n, bytes, start, end, stream, {}));
        // Text goes through the generic pipeline (the plan runs on bytes only).
        const want = view(generic.process(0n, line, undefined, stream, {}));
        assert.deepEqual(got, want, `line ${JSON.stringify(line)} stream ${JSON.stringify(stream)}`);
        const whole = view(fast.processBytes(0n, Buffer.from(line, 'utf8'), stream, {}));
        assert.deepEqual(whole, want, `line as its own buffer: ${JSON.stringify(line)}`);
        if (want !== 'dropped') kept++;
      }
      assert.ok(kept >= 10, `kept ${kept}`);
      // The plan itself decides most lines (kept and dropped ones), the generic pipeline the rest.
      const [planDropped, planKept, undecided] = outcomes as [number, number, number];
      assert.ok(planKept >= 10 && planDropped >= 100 && undecided < planKept + planDropped, `outcomes ${outcomes.join('/')}`);
    });
  }

  it('gives the line of a kept entry', () => {
    const p = compile(QUERIES[0]!);
    const block = Buffer.from('level=info status=200level=error status=503 é');
    const r = p.processRange(0n, block, 21, block.length, { app: 'a' }, {});
    assert.equal(r?.line, 'level=error status=503 é');
    assert.deepEqual(r?.labels, { level: 'error' });
  });
});
