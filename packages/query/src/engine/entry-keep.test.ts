/**
 * Queries read through the time-ordered merge hand the store a byte-level condition (`keep`,
 * from the pipeline's leading byte filters and parser presence/value checks) so lines the
 * pipeline would drop are never built. On generated data with escaped values, labels supplied by
 * the stream or by metadata, and data in chunks and in the head, the answers must equal those of
 * the same store without the condition.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_LIMITS, mulberry32, Store, type Entry, type EntryQuery, type Labels, type Limits, type LogStore } from '@lode/store';
import { evaluateRange, type QueryParams } from './index.js';

const S = 1_000_000_000n;
const BASE = 1_767_225_600n * S;
const limits: Limits = { ...DEFAULT_LIMITS, reject_old_samples: false };

/** The store with `keep` taken out of every entries query. */
function withoutKeep(store: Store): LogStore {
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'entries') return (tenant: string, q: EntryQuery) => target.entries(tenant, { ...q, keep: undefined });
      const v: unknown = Reflect.get(target, prop, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

const STREAMS: Labels[] = [{ app: 'a' }, { app: 'b', level: 'error' }, { app: 'c', status: '503' }];
const LEVELS = ['info', 'error', 'warn', 'err\\u006fr', 'e\\\\rror'];

function line(r: () => number, k: number): string {
  const level = LEVELS[Math.floor(r() * LEVELS.length)]!;
  const status = [200, 500, 503][Math.floor(r() * 3)]!;
  switch (k % 3) {
    case 0:
      return `{"level":"${level}","status":${status},"n":${k}}`;
    case 1:
      return `level="${level}" status=${status} n=${k}`;
    default:
      return `${level.toUpperCase()} plain line ${k} st=5${k % 10}`;
  }
}

describe('entries read with a byte-level keep condition', () => {
  let dir: string;
  let store: Store;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lode-'));
    store = await Store.open({ dir, limits: () => limits, durability: 'none', chunkTargetBytes: 2000, encodeWorkers: 0 });
    const r = mulberry32(77);
    for (let phase = 0; phase < 2; phase++) {
      const push = STREAMS.map((labels, s) => ({
        labels,
        entries: Array.from({ length: 150 }, (_, k): Entry => {
          const i = phase * 150 + k;
          const metadata = s === 0 && i % 7 === 0 ? { level: 'error' } : undefined;
          return { ts: BASE + BigInt(i) * S + BigInt(s), line: line(r, i), ...(metadata ? { metadata } : {}) };
        }),
      }));
      await store.append('t', push);
      if (phase === 0) await store.flush();
    }
  });
  after(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const queries = [
    '{app=~".+"} | json | level="error"',
    '{app=~".+"} | logfmt | level="error" | status >= 500',
    '{app=~".+"} |~ "st=5\\\\d" | json',
    'sum by (app) (count_over_time({app=~".+"} | json | __error__="" | level="error" [1m]))',
    'quantile_over_time(0.5, {app=~".+"} | logfmt | level="error" | unwrap status [1m]) by (app)',
  ];
  for (const query of queries) {
    for (const direction of ['forward', 'backward'] as const) {
      it(`${query} (${direction}) answers as without it`, async () => {
        const p: QueryParams = { tenant: 't', query, start: BASE, end: BASE + 300n * S, step: 30n * S, limit: 40, direction, limits };
        const got = await evaluateRange(store, p);
        const want = await evaluateRange(withoutKeep(store), p);
        assert.deepEqual(got.result, want.result);
        assert.ok(got.result.length > 0, 'the query has results');
      });
    }
  }
});
