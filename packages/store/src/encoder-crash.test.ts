import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Store } from './store.js';
import type { ChunkEncoderPool } from './chunk/index.js';
import { ALL, BASE_NS, lines, sel, tempDir } from './test-util.js';

test('a chunk encoder thread that dies mid-flush loses nothing: the flush is retried', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const errors: Error[] = [];
    let store = await Store.open({ dir, encodeWorkers: 1, hooks: { onBackgroundError: (e) => errors.push(e) } });
    const want: string[] = [];
    for (let b = 0; b < 5; b++) {
      const entries = Array.from({ length: 200 }, (_, i) => {
        const line = `batch ${b} entry ${i} trace=${(b * 1000 + i).toString(16)}`;
        want.push(line);
        return { ts: BASE_NS + BigInt(b * 1000 + i) * 1_000_000n, line };
      });
      await store.append('t', [{ labels: { app: 'api' }, entries }]);
    }
    // Bracket access: the pool is private; the test kills its thread the way a crash would.
    const pool = store['encoder'] as ChunkEncoderPool;
    await pool.encode({ ts: new BigInt64Array([1n]), lines: new Uint8Array([120]), offsets: new Uint32Array([0, 1]), metadata: new Uint8Array(1) });
    const [worker] = pool.workers;
    const terminated = worker!.terminate();
    // The store's retry timer is unref'ed (a failing flush must not hold a process open): keep
    // this test's event loop alive while it waits.
    const keepAlive = setInterval(() => undefined, 100);
    try {
      await store.flush();
    } finally {
      clearInterval(keepAlive);
    }
    await terminated;
    assert.equal(errors.length, 1, 'the failed flush attempt is reported once');
    assert.match(errors[0]!.message, /chunk encoder worker exited/);
    assert.equal(store.metrics().chunks, 1);
    await store.close();

    store = await Store.open({ dir });
    assert.deepEqual(lines(store.entries('t', { ...ALL, matchers: sel({ app: 'api' }), direction: 'forward' })), want);
    assert.equal(store.metrics().chunks, 1);
    await store.close();
  } finally {
    cleanup();
  }
});

test('bad encoder options are refused before anything is opened', async () => {
  const { dir, cleanup } = tempDir();
  try {
    await assert.rejects(Store.open({ dir, chunkCompressionLevel: 0 }), /zstd level 0/);
    await assert.rejects(Store.open({ dir, encodeWorkers: -1 }), /pool size -1/);
    const store = await Store.open({ dir, encodeWorkers: 0, chunkCompressionLevel: 6 });
    await store.append('t', [{ labels: { app: 'a' }, entries: [{ ts: BASE_NS, line: 'in-process encoding' }] }]);
    await store.flush();
    assert.deepEqual(lines(store.entries('t', { ...ALL, matchers: sel({ app: 'a' }), direction: 'forward' })), ['in-process encoding']);
    assert.equal(store.metrics().chunks, 1);
    await store.close();
  } finally {
    cleanup();
  }
});
