import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Labels } from '@lode/store';
import { parseExpr, type LogQueryExpr, type RangeAggregationExpr } from '../logql/index.js';
import { compilePipeline } from './index.js';
import { presenceChecks } from './presence.js';

function checkedNames(query: string): string[] | undefined {
  const r = (parseExpr(query) as RangeAggregationExpr).range;
  return presenceChecks(r.pipeline, r.unwrap)?.map((c) => `${c.name}:${c.literal}`);
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
    assert.deepEqual(checkedNames('count_over_time({a="b"} | logfmt | x="1" and level_extracted!="" [1m])'), ['x:x', 'level_extracted:level']);
    // Nothing is required by `or`, `ip()`, a matcher that accepts "", or after a label-changing stage.
    assert.equal(checkedNames('count_over_time({a="b"} | logfmt | x="1" or y="2" [1m])'), undefined);
    assert.equal(checkedNames('count_over_time({a="b"} | logfmt | x=~".*" [1m])'), undefined);
    assert.equal(checkedNames('count_over_time({a="b"} | logfmt | addr=ip("1.2.3.4") [1m])'), undefined);
    assert.equal(checkedNames('count_over_time({a="b"} | logfmt | label_format x=y | x>1 [1m])'), undefined);
    assert.equal(checkedNames('count_over_time({a="b"} | json | x>1 [1m])'), undefined);
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
