/**
 * `Store.chunkSummaries` (read.ts `summarize`) read while its caller pauses between summaries:
 * a flush committing during the pause must neither lose the in-memory blocks of streams not yet
 * listed nor count them twice.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_LIMITS, type Limits } from './limits.js';
import type { SelectQuery } from './model.js';
import { Store } from './store.js';
import { tempDir } from './test-util.js';

const S = 1_000_000_000n;
const BASE = 1_767_225_600n * S;
const limits: Limits = { ...DEFAULT_LIMITS, reject_old_samples: false };

describe('chunk summaries', () => {
  it('a flush while the iteration is paused loses no block and counts none twice', async () => {
    const { dir, cleanup } = tempDir();
    const store = await Store.open({ dir, limits: () => limits, durability: 'none', encodeWorkers: 0 });
    try {
      const apps = ['s1', 's2', 's3', 's4'];
      // One chunk per stream, then two more entries per stream left in the head.
      await store.append('t', apps.map((app) => ({ labels: { app }, entries: [{ ts: BASE + S, line: `${app} flushed` }] })));
      await store.flush();
      await store.append(
        't',
        apps.map((app) => ({ labels: { app }, entries: [{ ts: BASE + 2n * S, line: `${app} one` }, { ts: BASE + 3n * S, line: `${app} two` }] })),
      );
      const q: SelectQuery = { matchers: [{ name: 'app', op: '=~', value: 's.' }], from: BASE, to: BASE + 10n * S };
      const before = [...store.chunkSummaries('t', q)].reduce((n, s) => n + s.entries, 0);
      assert.equal(before, 12, 'chunks and heads listed without a pause');

      let entries = 0;
      let summaries = 0;
      let flushed = false;
      for (const s of store.chunkSummaries('t', q)) {
        entries += s.entries;
        summaries++;
        if (!flushed) {
          // The heads move to chunks after the iteration's snapshot was taken.
          flushed = true;
          await store.flush();
        }
      }
      assert.equal(entries, 12, 'every entry is counted once');
      assert.equal(summaries, 8, 'one chunk and one head block per stream, as of the snapshot');
      const after = [...store.chunkSummaries('t', q)];
      assert.equal(after.reduce((n, s) => n + s.entries, 0), 12, 'after the flush: the same entries, all in chunks');
      assert.equal(after.length, 8);
    } finally {
      await store.close();
      cleanup();
    }
  });
});
