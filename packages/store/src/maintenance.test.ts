import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Store } from './store.js';
import { ALL, BASE_NS, lines, sel, tempDir } from './test-util.js';
import type { Entry } from './model.js';

const HOUR_NS = 3_600_000_000_000n;

function at(hoursAgo: number, line: string): Entry {
  return { ts: BigInt(Date.now()) * 1_000_000n - BigInt(hoursAgo) * HOUR_NS, line };
}

test('retention: global, per tenant and per selector; empty streams leave the label index', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const store = await Store.open({
      dir,
      maintenanceIntervalMs: 0,
      retention: {
        periodMs: 48 * 3600_000,
        tenants: { keepall: 0 },
        streams: [{ tenant: 't', matchers: [{ name: 'app', op: '=', value: 'short' }], periodMs: 2 * 3600_000 }],
      },
    });
    for (const tenant of ['t', 'keepall']) {
      await store.append(tenant, [
        { labels: { app: 'long' }, entries: [at(100, 'old'), at(1, 'new')] },
        { labels: { app: 'short' }, entries: [at(5, 'short old')] },
      ]);
    }
    await store.flush();
    const report = await store.maintain();
    assert.equal(report.deletedChunks, 1);
    assert.equal(report.removedStreams, 1);
    const q = { ...ALL, matchers: [], direction: 'forward' as const };
    // Chunks are deleted whole: the 'long' chunk spans 100h..1h ago, so its max age is recent and it stays.
    assert.deepEqual(lines(store.entries('t', { ...q, matchers: sel({ app: 'long' }) })), ['old', 'new']);
    assert.deepEqual(lines(store.entries('t', { ...q, matchers: sel({ app: 'short' }) })), []);
    assert.deepEqual(store.labelValues('t', 'app', { ...ALL, matchers: [] }), ['long']);
    assert.deepEqual(store.labelValues('keepall', 'app', { ...ALL, matchers: [] }), ['long', 'short']);
    await store.close();
    const reopened = await Store.open({ dir, maintenanceIntervalMs: 0 });
    assert.deepEqual(reopened.labelValues('t', 'app', { ...ALL, matchers: [] }), ['long']);
    await reopened.close();
  } finally {
    cleanup();
  }
});

test('retention size cap deletes the oldest chunks first', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const store = await Store.open({ dir, maintenanceIntervalMs: 0, retention: { maxBytes: 1 } });
    for (let h = 5; h >= 1; h--) {
      await store.append('t', [{ labels: { app: 'x' }, entries: [at(h, `h${h}`)] }]);
      await store.flush();
    }
    assert.equal(store.metrics().chunks, 5);
    await store.maintain();
    assert.equal(store.metrics().chunks, 0);
    assert.deepEqual(store.streams('t', { ...ALL, matchers: [] }), []);
    await store.close();
  } finally {
    cleanup();
  }
});

test('compaction merges small adjacent chunks without changing what reads return', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const store = await Store.open({ dir, maintenanceIntervalMs: 0, chunkTargetBytes: 4096 });
    const expected: string[] = [];
    for (let i = 0; i < 6; i++) {
      const line = `entry ${i}`;
      expected.push(line);
      await store.append('t', [{ labels: { app: 'x' }, entries: [{ ts: BASE_NS + BigInt(i), line, metadata: { i: String(i) } }] }]);
      await store.flush();
    }
    assert.equal(store.metrics().chunks, 6);
    const report = await store.maintain();
    assert.equal(report.compactedChunks, 6);
    assert.equal(store.metrics().chunks, 1);
    const got = [...store.entries('t', { ...ALL, matchers: sel({ app: 'x' }), direction: 'forward' })];
    assert.deepEqual(got.map((e) => e.line), expected);
    assert.deepEqual(got[3].metadata, { i: '3' });
    assert.equal(store.indexStats('t', { ...ALL, matchers: sel({ app: 'x' }) }).chunks, 1);
    await store.close();
  } finally {
    cleanup();
  }
});
