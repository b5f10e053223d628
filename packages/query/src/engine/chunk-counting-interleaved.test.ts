/**
 * Counting aggregations read chunk by chunk while the engine pauses between chunks: several
 * queries run at once through the engine, interleaved at every pause, and the first pause waits
 * for a flush that moves every head block into chunks. Each query must still count the data as
 * of its own start — the same as the generic path reading the flushed store afterwards.
 *
 * The pauses are forced (the scanner normally yields only every ~25 ms, which only a loaded
 * machine reaches on data this small), so the interleaving does not depend on timing.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_LIMITS, Store, type Entry, type Labels, type Limits, type LogStore } from '@lode/store';
import { evaluateRange, type QueryParams, type QueryResult } from './index.js';
import { Scanner } from './scan.js';

const S = 1_000_000_000n;
const BASE = 1_767_225_600n * S;
const limits: Limits = { ...DEFAULT_LIMITS, reject_old_samples: false, max_query_series: 100_000 };

const STREAMS: Labels[] = [{ app: 'a', pod: '1' }, { app: 'a', pod: '2' }, { app: 'a', pod: '3' }, { app: 'b', pod: '1' }, { app: 'c' }];
const LEVELS = ['info', 'warn', 'error', 'debug'];
const CODES = ['200', '404', '500', '503'];

/** `n` entries per stream, one every 2 s from `firstS`, logfmt lines with varying fields. */
function entries(stream: number, firstS: number, n: number): Entry[] {
  const out: Entry[] = [];
  for (let k = 0; k < n; k++) {
    const i = stream * 31 + firstS + k;
    out.push({ ts: BASE + BigInt(firstS + 2 * k) * S, line: `level=${LEVELS[i % 4]} x=${(i * 37) % 120} status=${CODES[(i * 7) % 4]} msg="m${k}"` });
  }
  return out;
}

function withoutChunks(store: Store): LogStore {
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'chunks') return undefined;
      const v: unknown = Reflect.get(target, prop, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

const QUERIES = [
  'count_over_time({app=~".+"} | logfmt | x > 50 [10s] offset 5s)',
  'sum without (pod) (bytes_rate({app="a"} |~ "status=[45]0" | logfmt | x > 10 [60s]))',
  'sum by (app) (count_over_time({app=~".+"} [30s]))',
  'sum by (level) (rate({pod="1"} | logfmt [20s]))',
];

const params = (query: string): QueryParams => ({
  tenant: 't',
  query,
  start: BASE,
  end: BASE + 200n * S,
  step: 5n * S,
  limit: 100,
  direction: 'backward',
  limits,
});

describe('counting aggregations from chunks, interleaved', () => {
  it('queries paused between chunks while a flush commits count what was there when they started', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lode-'));
    const store = await Store.open({ dir, limits: () => limits, durability: 'none', encodeWorkers: 0 });
    const checkpoint = Scanner.prototype.checkpoint;
    try {
      // Every stream: a flushed chunk, then entries in its head (none cut while pushing).
      await store.append('t', STREAMS.map((labels, i) => ({ labels, entries: entries(i, 0, 40) })));
      await store.flush();
      await store.append('t', STREAMS.map((labels, i) => ({ labels, entries: entries(i, 80, 40) })));
      assert.equal(store.metrics().headEntries, STREAMS.length * 40, 'the second half is in the heads');

      let flush: Promise<void> | undefined;
      Scanner.prototype.checkpoint = async function (this: Scanner): Promise<void> {
        await checkpoint.call(this);
        // The first pause of any query flushes every head; every pause lets the others run.
        flush ??= store.flush();
        await flush;
        await new Promise<void>((resolve) => setImmediate(resolve));
      };
      const interleaved = await Promise.all(QUERIES.map((q) => evaluateRange(store, params(q))));
      Scanner.prototype.checkpoint = checkpoint;
      assert.ok(flush, 'the queries paused');
      assert.equal(store.metrics().headEntries, 0, 'the heads were flushed during the queries');

      const generic = withoutChunks(store);
      for (const [i, q] of QUERIES.entries()) {
        const want: QueryResult = await evaluateRange(generic, params(q));
        assert.ok(want.resultType === 'matrix' && want.result.length > 0, `${q}: the generic path finds series`);
        assert.deepEqual(interleaved[i]?.result, want.result, `${q}: chunk path while interleaved = generic path`);
      }
    } finally {
      Scanner.prototype.checkpoint = checkpoint;
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
