import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_LIMITS, Store, type Limits } from '@lode/store';
import { evaluateInstant, evaluateRange, QueryError, type QueryParams } from './index.js';

const S = 1_000_000_000n;
const BASE = 1_767_225_600n * S; // 2026-01-01T00:00:00Z
const limits: Limits = { ...DEFAULT_LIMITS, reject_old_samples: false };
let dir: string;
let store: Store;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lode-'));
  store = await Store.open({ dir, limits: () => limits, durability: 'none' });
  const entries = (line: string, from: number, every: number, n: number, metadata?: Record<string, string>) =>
    Array.from({ length: n }, (_, i) => ({ ts: BASE + BigInt(from + i * every) * S, line, ...(metadata ? { metadata } : {}) }));
  await store.append('t1', [
    { labels: { app: 'foo' }, entries: entries('xbar', 0, 10, 13) },
    { labels: { app: 'noise' }, entries: entries('noise', 0, 10, 13) },
    { labels: { app: 'kv', pod: '1' }, entries: [...entries('v=2', 10, 60, 2), ...entries('v=4', 20, 60, 2), ...entries('junk', 25, 60, 2)] },
    { labels: { app: 'kv', pod: '2' }, entries: [...entries('v=6', 15, 60, 2), ...entries('v=12', 35, 60, 2, { team: 'a' })] },
  ]);
  await store.append('t2', [{ labels: { app: 'foo' }, entries: entries('other', 5, 10, 3) }]);
});
after(async () => {
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const params = (query: string, start: number, end: number, extra: Partial<QueryParams> = {}): QueryParams => ({
  tenant: 't1',
  query,
  start: BASE + BigInt(start) * S,
  end: BASE + BigInt(end) * S,
  limit: 100,
  direction: 'backward',
  limits,
  ...extra,
});
const seconds = (s: number) => Number((BASE + BigInt(s) * S) / 1_000_000n) / 1000;

describe('engine over a real store', () => {
  it('range rate over (T-R, T] windows, aligned to the step', async () => {
    const r = await evaluateRange(store, params('rate({app="foo"}[30s])', 60, 120, { step: 15n * S }));
    assert.equal(r.resultType, 'matrix');
    assert.ok(r.resultType === 'matrix');
    assert.deepEqual(r.result, [{ metric: { app: 'foo' }, values: [60, 75, 90, 105, 120].map((t) => [seconds(t), '0.1']) }]);
    assert.equal(r.stats.summary.totalLinesProcessed > 0, true);
  });

  it('instant avg_over_time by pod skips lines without the unwrapped label', async () => {
    const r = await evaluateInstant(store, params('avg_over_time({app="kv"} | logfmt | unwrap v [1m]) by (pod)', 60, 60));
    assert.ok(r.resultType === 'vector');
    const byPod = Object.fromEntries(r.result.map((s) => [s.metric.pod, s.value[1]]));
    assert.deepEqual(byPod, { '1': '3', '2': '9' });
  });

  it('sum by pushes grouping into counting aggregations and keeps metadata as labels otherwise', async () => {
    const sum = await evaluateInstant(store, params('sum by (app) (count_over_time({app="kv"}[1m]))', 60, 60));
    assert.ok(sum.resultType === 'vector');
    assert.deepEqual(sum.result.map((s) => [s.metric, s.value[1]]), [[{ app: 'kv' }, '5']]);
    const raw = await evaluateInstant(store, params('count_over_time({app="kv", pod="2"}[1m])', 60, 60));
    assert.ok(raw.resultType === 'vector');
    assert.deepEqual(raw.result.map((s) => s.metric).sort((a, b) => Object.keys(a).length - Object.keys(b).length), [
      { app: 'kv', pod: '2' },
      { app: 'kv', pod: '2', team: 'a' },
    ]);
  });

  it('log queries: limit across streams in direction order, start inclusive, end exclusive', async () => {
    const r = await evaluateRange(store, params('{app=~"foo|noise"}', 0, 30, { limit: 4, direction: 'forward' }));
    assert.ok(r.resultType === 'streams');
    const all = r.result.flatMap((s) => s.values.map((v) => v[0])).sort();
    assert.equal(all.length, 4);
    assert.equal(all[0], (BASE).toString());
    const back = await evaluateRange(store, params('{app="foo"}', 0, 30, { limit: 10 }));
    assert.ok(back.resultType === 'streams');
    assert.deepEqual(back.result[0]!.values.map((v) => v[0]), [20, 10, 0].map((t) => (BASE + BigInt(t) * S).toString()));
  });

  it('categorize-labels moves metadata to the entry', async () => {
    const r = await evaluateRange(store, params('{app="kv", pod="2"} |= "v=12"', 0, 100, { categorizeLabels: true }));
    assert.ok(r.resultType === 'streams');
    assert.deepEqual(r.encodingFlags, ['categorize-labels']);
    assert.deepEqual(r.result[0]!.stream, { app: 'kv', pod: '2' });
    assert.deepEqual(r.result[0]!.values[0]![2], { structuredMetadata: { team: 'a' } });
  });

  it('reads several tenants at once', async () => {
    const r = await evaluateInstant(store, params('sum(count_over_time({app="foo"}[1m]))', 30, 30, { tenant: 't1|t2' }));
    assert.ok(r.resultType === 'vector');
    assert.equal(r.result[0]!.value[1], '7');
  });

  it('scalars, vector() and binary operators', async () => {
    const s = await evaluateInstant(store, params('2 * 3 + 4 ^ 2 % 5', 60, 60));
    assert.ok(s.resultType === 'scalar');
    assert.equal(s.result[1], '7');
    const v = await evaluateInstant(store, params('bytes_over_time({app="foo"}[30s]) > bool 1', 60, 60));
    assert.ok(v.resultType === 'vector');
    assert.equal(v.result[0]!.value[1], '1');
  });

  it("fails with Loki's texts", async () => {
    await assert.rejects(evaluateInstant(store, params('{app="foo"}', 60, 60)), /log queries are not supported as an instant query type/);
    await assert.rejects(
      evaluateRange(store, params('{app="foo"}', 0, 60, { limit: 6000 })),
      (e: unknown) => e instanceof QueryError && e.status === 400 && /max entries limit per query exceeded, limit > max_entries_limit_per_query \(6000 > 5000\)/.test(e.message),
    );
    await assert.rejects(evaluateRange(store, params('rate({app="foo"}[1m])', 0, 60, { step: 1_000_000n })), /exceeded maximum resolution of 11,000 points/);
    await assert.rejects(
      evaluateRange(store, params('count_over_time({app="kv"} | logfmt [1m])', 0, 120, { step: 60n * S, limits: { ...limits, max_query_series: 1 } })),
      /maximum of series \(1\) reached for a single query/,
    );
    await assert.rejects(evaluateRange(store, params('{app="foo"} |~ "("', 0, 60)), /parse error : stage '\|~ "\("' : error parsing regexp/);
  });

  it('honours an aborted signal', async () => {
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(
      evaluateRange(store, params('{app="foo"}', 0, 60, { signal: ac.signal })),
      (e: unknown) => e instanceof QueryError && e.status === 499,
    );
  });

  it('approx_topk answers instant queries and refuses range queries as Loki does', async () => {
    const q = 'approx_topk(1, sum by (pod) (count_over_time({app="kv"}[1m])))';
    const instant = await evaluateInstant(store, params(q, 60, 60));
    assert.ok(instant.resultType === 'vector');
    assert.equal(instant.result.length, 1);
    await assert.rejects(
      evaluateRange(store, params(q, 0, 60, { step: 15n * S })),
      (e: unknown) => e instanceof QueryError && e.status === 400 && e.message === 'count min sketches are only supported on instant queries',
    );
  });
});
