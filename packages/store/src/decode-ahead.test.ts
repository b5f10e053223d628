/**
 * Reads with chunks decoded ahead in a worker (`decodeWorkers: 1`) answer exactly as reads that
 * decode on the querying thread (`decodeWorkers: 0`): the time-ordered merge in both directions,
 * with needles, `keep`, a partial range and an early stop; chunk handles whether the caller's
 * `decodeAhead` guesses right or wrong; and a damaged chunk, skipped and reported the same way.
 * After each read, no decode is left in flight.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChunkDecoderPool } from './chunk/decode-pool.js';
import { DEFAULT_LIMITS, type Limits } from './limits.js';
import type { ChunkHandle, EntryQuery, Labels } from './model.js';
import { Store } from './store.js';
import { tempDir } from './test-util.js';

const S = 1_000_000_000n;
const BASE = 1_767_225_600n * S;
const limits: Limits = { ...DEFAULT_LIMITS, reject_old_samples: false };
const STREAMS: Labels[] = [{ app: 'a', pod: '1' }, { app: 'a', pod: '2' }, { app: 'b' }];
const PER_STREAM = 1500;
const APP = [{ name: 'app', op: '=~' as const, value: '.+' }];

function line(s: number, i: number): string {
  return `level=${i % 7 === 0 ? 'error' : 'info'} stream=${s} i=${i} path=/api/v1/items/${(i * 7919) % 5000} status=${i % 11 === 0 ? 503 : 200} took=${(i * 37) % 900}ms trace=${(i * 2654435761).toString(16)}`;
}

async function load(dir: string): Promise<void> {
  const store = await Store.open({ dir, limits: () => limits, durability: 'none', chunkTargetBytes: 32 * 1024, maintenanceIntervalMs: 0, decodeWorkers: 0 });
  for (let i = 0; i < PER_STREAM; i += 100) {
    await store.append(
      't',
      STREAMS.map((labels, s) => ({
        labels,
        entries: Array.from({ length: 100 }, (_, k) => ({
          // Streams interleave in time, with equal timestamps across streams.
          ts: BASE + BigInt(i + k) * S + BigInt((s * 3) % 2),
          line: line(s, i + k),
          metadata: s === 1 && (i + k) % 4 === 0 ? { trace_id: String(i + k) } : undefined,
        })),
      })),
    );
  }
  await store.flush();
  await store.close();
}

type Answers = Record<string, unknown>;

function entryRows(store: Store, q: Omit<EntryQuery, 'matchers'>, stopAfter = Infinity): string[] {
  const out: string[] = [];
  for (const e of store.entries('t', { matchers: APP, ...q })) {
    out.push(`${e.stream.id} ${e.ts} ${e.line} ${JSON.stringify(e.metadata)}`);
    if (out.length >= stopAfter) break;
  }
  return out;
}

function handleRows(store: Store, decodeAhead: (h: ChunkHandle) => boolean, open: (h: ChunkHandle, k: number) => boolean): string[] {
  const out: string[] = [];
  let k = 0;
  for (const h of store.chunks('t', { matchers: APP, from: BASE, to: BASE + 2000n * S, direction: 'forward', decodeAhead })) {
    out.push(`${h.stream.id} ${h.minTs} ${h.maxTs} ${h.entries}`);
    if (!open(h, k++)) continue;
    const c = h.open();
    if (!c) {
      out.push('corrupt');
      continue;
    }
    for (let i = 0; i < c.length; i++) out.push(`${c.timestamps[i]} ${c.line(i)} ${JSON.stringify(c.metadata(i))}`);
  }
  return out;
}

function inFlight(store: Store): number {
  return (store as unknown as { decoder: ChunkDecoderPool }).decoder.jobsInFlight;
}

async function answers(dir: string, decodeWorkers: number): Promise<{ answers: Answers; corrupt: string[] }> {
  const corrupt: string[] = [];
  const store = await Store.open({ dir, limits: () => limits, durability: 'none', maintenanceIntervalMs: 0, decodeWorkers, hooks: { onCorruptChunk: (c) => corrupt.push(`${c.stream} ${c.minTs} ${c.error.message}`) } });
  try {
    const all = { from: BASE, to: BASE + 2000n * S };
    const a: Answers = {
      forward: entryRows(store, { ...all, direction: 'forward' }),
      backward: entryRows(store, { ...all, direction: 'backward' }),
      partial: entryRows(store, { from: BASE + 333n * S, to: BASE + 1111n * S, direction: 'backward' }),
      needle: entryRows(store, { ...all, direction: 'forward', lineContains: ['status=503'] }),
      keep: entryRows(store, { ...all, direction: 'backward', keep: (b, start, end) => b.subarray(start, end).includes('level=error') }),
      stopped: entryRows(store, { ...all, direction: 'backward' }, 250),
    };
    assert.equal(inFlight(store), 0, 'nothing in flight after the entry reads');
    a.handlesAll = handleRows(store, () => true, () => true);
    // Guessed wrong both ways: chunks said to be opened are not, others are.
    a.handlesWrong = handleRows(store, (h) => h.stream.labels.app === 'a', (h) => h.stream.labels.app !== 'a');
    a.handlesSome = handleRows(store, () => true, (_h, k) => k % 3 === 0);
    let stopped = 0;
    for (const h of store.chunks('t', { matchers: APP, ...all, direction: 'forward', decodeAhead: () => true })) {
      h.open();
      if (++stopped === 2) break;
    }
    assert.equal(inFlight(store), 0, 'nothing in flight after the chunk reads');
    const controller = new AbortController();
    assert.throws(() => {
      let n = 0;
      for (const _ of store.entries('t', { matchers: APP, ...all, direction: 'forward', signal: controller.signal })) if (++n === 600) controller.abort();
    }, /abort/i);
    assert.equal(inFlight(store), 0, 'nothing in flight after an aborted read');
    return { answers: a, corrupt };
  } finally {
    await store.close();
  }
}

describe('reads with chunks decoded ahead in a worker', () => {
  it('answer exactly as reads that decode on the querying thread', async () => {
    const { dir, cleanup } = tempDir();
    try {
      await load(dir);
      const sync = await answers(dir, 0);
      const ahead = await answers(dir, 1);
      assert.equal((sync.answers.forward as string[]).length, STREAMS.length * PER_STREAM);
      for (const name of Object.keys(sync.answers)) assert.deepEqual(ahead.answers[name], sync.answers[name], name);
      assert.deepEqual(sync.corrupt, []);
      assert.deepEqual(ahead.corrupt, []);
    } finally {
      cleanup();
    }
  });

  it('skip and report a damaged chunk as reads on the querying thread do', async () => {
    const { dir, cleanup } = tempDir();
    try {
      await load(dir);
      const store = await Store.open({ dir, limits: () => limits, durability: 'none', maintenanceIntervalMs: 0, decodeWorkers: 0 });
      const keys = [...store.dbs.chunks.getKeys({})] as Buffer[];
      assert.ok(keys.length >= 6, `${keys.length} chunks`);
      for (const key of [keys[1]!, keys[4]!]) {
        const d = Buffer.from(store.dbs.chunks.get(key)!);
        for (let i = 40; i < d.length; i += 7) d[i]! ^= 0x5a;
        await store.dbs.chunks.put(key, d);
      }
      await store.close();
      const sync = await answers(dir, 0);
      const ahead = await answers(dir, 1);
      assert.ok(sync.corrupt.length > 0);
      assert.deepEqual(ahead.corrupt, sync.corrupt);
      for (const name of Object.keys(sync.answers)) assert.deepEqual(ahead.answers[name], sync.answers[name], name);
    } finally {
      cleanup();
    }
  });
});
