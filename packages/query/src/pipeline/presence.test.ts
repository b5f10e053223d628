import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Labels } from '@lode/store';
import { parseExpr, type LogQueryExpr, type RangeAggregationExpr } from '../logql/index.js';
import { compilePipeline } from './index.js';
import { presenceChecks } from './presence.js';
import { mulberry32 } from '@lode/store';

function checkedNames(query: string): string[] | undefined {
  const r = (parseExpr(query) as RangeAggregationExpr).range;
  return presenceChecks(r.pipeline, r.unwrap)?.map((c) => `${c.name}${c.orEscaped ? '=' : ':'}${c.literal}`);
}

function labels(query: string, line: string, stream: Labels, metadata: Labels = {}): Labels | undefined {
  const p = compilePipeline((parseExpr(query) as LogQueryExpr).pipeline);
  const r = p.processBytes(0n, Buffer.from(line), stream, metadata);
  return r && { ...r.labels };
}

describe('logfmt presence checks', () => {
  it('names the labels a later filter or the unwrap needs, by their longest `_`-free run', () => {
    assert.deepEqual(checkedNames('count_over_time({a="b"} | logfmt | status >= 500 [1m])'), ['status:status']);
    assert.deepEqual(checkedNames('sum_over_time({a="b"} | logfmt | __error__="" | unwrap duration_ms [1m])'), ['duration_ms:duration']);
    assert.deepEqual(checkedNames('count_over_time({a="b"} | logfmt | x="1" and level_extracted!="" [1m])'), ['x:x', 'level_extracted:level', 'x=1']);
    // Nothing is required by `or`, `ip()`, a matcher that accepts "", or after a label-changing stage.
    assert.equal(checkedNames('count_over_time({a="b"} | logfmt | x="1" or y="2" [1m])'), undefined);
    assert.equal(checkedNames('count_over_time({a="b"} | logfmt | x=~".*" [1m])'), undefined);
    assert.equal(checkedNames('count_over_time({a="b"} | logfmt | addr=ip("1.2.3.4") [1m])'), undefined);
    assert.equal(checkedNames('count_over_time({a="b"} | logfmt | label_format x=y | x>1 [1m])'), undefined);
    assert.equal(checkedNames('count_over_time({a="b"} | json | x>1 [1m])'), undefined);
    // Values a filter requires, for both parsers (no json key check: keys may be escaped).
    assert.deepEqual(checkedNames('count_over_time({a="b"} | json | level="error" and x!="1" [1m])'), ['level=error']);
    assert.deepEqual(checkedNames('count_over_time({a="b"} | logfmt | level="" and y="日" [1m])'), ['y:y', 'y=日']);
    assert.equal(checkedNames('count_over_time({a="b"} | json | level="error" or x="1" [1m])'), undefined);
    assert.equal(checkedNames('count_over_time({a="b"} | json | __error__="JSONParserErr" [1m])'), undefined);
  });

  it('value checks let escaped values through', () => {
    const q = '{a="b"} | json | level="error"';
    assert.deepEqual(labels(q, '{"level":"error","n":1}', { a: 'b' }), { a: 'b', level: 'error', n: '1' });
    assert.deepEqual(labels(q, '{"level":"\\u0065rror"}', { a: 'b' }), { a: 'b', level: 'error' });
    assert.equal(labels(q, '{"level":"warn","msg":"no"}', { a: 'b' }), undefined);
    assert.deepEqual(labels(q, '{"msg":"x"}', { a: 'b', level: 'error' }), { a: 'b', level: 'error', msg: 'x' });
    assert.deepEqual(labels('{a="b"} | logfmt | level="error"', 'level="err\\or"', { a: 'b' }), { a: 'b', level: 'error' });
  });

  it('a pipeline with checks keeps what the same filter without them (an `or` of itself) keeps', () => {
    const r = mulberry32(0x9e5);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
    const KEYS = ['level', 'lev\\u0065l', 'status', 'x', 'le_vel'];
    const VALUES = ['error', 'err\\u006fr', 'err\\\\or', 'warn', '500', '5e2', 'érror', ''];
    for (const [parser, filter] of [
      ['json', 'level="error"'],
      ['json', 'level="error" and status="500"'],
      ['logfmt', 'level="error"'],
      ['logfmt', 'status="500" and level!=""'],
    ] as const) {
      const checked = compilePipeline((parseExpr(`{a="b"} | ${parser} | ${filter}`) as LogQueryExpr).pipeline);
      const unchecked = compilePipeline((parseExpr(`{a="b"} | ${parser} | ${filter} or ${filter}`) as LogQueryExpr).pipeline);
      let rejected = 0;
      for (let n = 0; n < 2000; n++) {
        const pairs = Array.from({ length: Math.floor(r() * 4) }, () => [pick(KEYS), pick(VALUES)] as const);
        const line =
          parser === 'json'
            ? `{${pairs.map(([k, v]) => `"${k}":${r() < 0.2 && /^\d/.test(v) ? v : `"${v}"`}`).join(',')}${r() < 0.1 ? ',' : ''}}`
            : pairs.map(([k, v]) => (r() < 0.5 ? `${k}="${v}"` : `${k}=${v}`)).join(' ');
        const stream: Labels = r() < 0.2 ? { a: 'b', level: 'error' } : { a: 'b' };
        const view = (x: { labels: Labels } | undefined) => x && { ...x.labels };
        const got = view(checked.processBytes(0n, Buffer.from(line), stream, {}));
        assert.deepEqual(got, view(unchecked.processBytes(0n, Buffer.from(line), stream, {})), `${parser} | ${filter} on ${line}`);
        // The byte-level condition never rejects a line the pipeline keeps.
        const padded = Buffer.from(`\\x ${line} x`);
        if (checked.mayPass!(padded, 3, padded.length - 2, stream, {}) === false) {
          rejected++;
          assert.equal(got, undefined, `mayPass rejected a kept line: ${parser} | ${filter} on ${line}`);
        }
        assert.deepEqual(view(checked.process(0n, line, undefined, stream, {})), got, `text: ${parser} | ${filter} on ${line}`);
      }
      assert.ok(rejected > 200, `mayPass rejects lines (${rejected})`);
    }
  });

  it('keeps exactly the entries the full pipeline keeps', () => {
    const q = '{a="b"} | logfmt | status >= 500';
    assert.deepEqual(labels(q, 'status=500', { a: 'b' }), { a: 'b', status: '500' });
    assert.deepEqual(labels(q, 'x=1 st.a-tus=0 1status=501', { a: 'b' }), undefined);
    assert.deepEqual(labels(q, 'sta.tus=501', { a: 'b' }), undefined);
    assert.deepEqual(labels('{a="b"} | logfmt | sta_tus >= 500', 'sta.tus=501', { a: 'b' }), { a: 'b', sta_tus: '501' });
    // The label already comes from the stream or the metadata: lines without the key still pass.
    assert.deepEqual(labels(q, 'level=info', { a: 'b', status: '503' }), { a: 'b', level: 'info', status: '503' });
    assert.deepEqual(labels(q, 'level=info', { a: 'b' }, { status: '504' }), { a: 'b', level: 'info', status: '504' });
    assert.deepEqual(labels('{a="b"} | logfmt | status_extracted >= 500', 'status=505', { a: 'b', status: 'x' }), {
      a: 'b',
      status: 'x',
      status_extracted: '505',
    });
  });
});
