import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_LIMITS, Store, type Limits } from '@lode/store';
import { formatExpr, parseExpr, type MetricExpr } from '../logql/index.js';
import { evaluateInstant } from './index.js';
import { rewriteShardedAvg } from './sharded-avg.js';

const rewrite = (q: string) => formatExpr(rewriteShardedAvg(parseExpr(q) as MetricExpr));
const canonical = (q: string) => formatExpr(parseExpr(q));

describe("Loki 3.4's sharded avg_over_time rewrite", () => {
  it('splits a grouped avg_over_time into sum_over_time / count_over_time without the unwrap and its filters', () => {
    assert.equal(
      rewrite('avg_over_time({app="a"} | logfmt | unwrap v | __error__="" [5m]) by (pod)'),
      canonical('sum by (pod) (sum_over_time({app="a"} | logfmt | unwrap v | __error__="" [5m])) / sum by (pod) (count_over_time({app="a"} | logfmt [5m]))'),
    );
  });

  it('adds the unwrapped label to a without () grouping of the count', () => {
    assert.equal(
      rewrite('avg_over_time({app="a"} | logfmt | unwrap v [5m]) without (x)'),
      canonical('sum without (x) (sum_over_time({app="a"} | logfmt | unwrap v [5m])) / sum without (x, v) (count_over_time({app="a"} | logfmt [5m]))'),
    );
  });

  it('splits an ungrouped avg_over_time when the pipeline drops labels', () => {
    assert.equal(
      rewrite('avg_over_time({app="a"} | logfmt | drop b | unwrap v [5m])'),
      canonical('sum without () (sum_over_time({app="a"} | logfmt | drop b | unwrap v [5m])) / sum without (v) (count_over_time({app="a"} | logfmt | drop b [5m]))'),
    );
  });

  it('reaches avg_over_time below unshardable or label-reducing parents', () => {
    assert.equal(
      rewrite('avg(avg_over_time({app="a"} | unwrap v [5m]) by (pod))'),
      canonical('avg(sum by (pod) (sum_over_time({app="a"} | unwrap v [5m])) / sum by (pod) (count_over_time({app="a"}[5m])))'),
    );
    assert.equal(
      rewrite('topk(2, avg_over_time({app="a"} | unwrap v [5m]) by (pod))'),
      canonical('topk(2, sum by (pod) (sum_over_time({app="a"} | unwrap v [5m])) / sum by (pod) (count_over_time({app="a"}[5m])))'),
    );
  });

  it('leaves what the frontend ships whole, or cannot shard, as written', () => {
    for (const q of [
      'avg_over_time({app="a"} | unwrap v [5m])',
      'avg_over_time({app="a"} | unwrap v [5m]) without ()',
      'sum by (pod) (avg_over_time({app="a"} | unwrap v [5m]) by (pod))',
      'max(avg_over_time({app="a"} | unwrap v [5m]))',
      'label_replace(avg_over_time({app="a"} | unwrap v [5m]), "x", "$1", "pod", "(.*)")',
      'sum by (pod) (count_over_time({app="a"}[5m]))',
    ]) {
      assert.equal(rewrite(q), canonical(q), q);
    }
  });

  it('counts lines without the unwrapped label in the denominator when evaluated', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lode-'));
    const limits: Limits = { ...DEFAULT_LIMITS, reject_old_samples: false };
    const store = await Store.open({ dir, limits: () => limits, durability: 'none' });
    try {
      const base = 1_767_225_600_000_000_000n;
      const lines = ['v=2', 'v=4', 'no value here'];
      await store.append('t', [{ labels: { app: 'kv', pod: '1' }, entries: lines.map((line, i) => ({ ts: base + BigInt(i + 1) * 1_000_000_000n, line })) }]);
      const at = (avgOverTimeSharding: 'loki-3.4' | 'exact') =>
        evaluateInstant(store, {
          tenant: 't',
          query: 'avg_over_time({app="kv"} | logfmt | unwrap v [1m]) by (pod)',
          start: base + 60_000_000_000n,
          end: base + 60_000_000_000n,
          limit: 100,
          direction: 'backward',
          limits,
          avgOverTimeSharding,
        });
      const value = (r: Awaited<ReturnType<typeof at>>) => (r.resultType === 'vector' ? r.result.map((s) => [s.metric, s.value[1]]) : r.resultType);
      assert.deepEqual(value(await at('exact')), [[{ pod: '1' }, '3']]);
      assert.deepEqual(value(await at('loki-3.4')), [[{ pod: '1' }, '2']]);
    } finally {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
