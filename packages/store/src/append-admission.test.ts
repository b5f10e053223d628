import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Store } from './store.js';
import { DEFAULT_LIMITS } from './limits.js';
import { admissionBounds, refuseEntry } from './validate.js';
import type { Entry, Labels } from './model.js';
import { ALL, sel, tempDir } from './test-util.js';

/**
 * `append` accepts most entries without calling refuseEntry (in time order, short line, metadata
 * seen valid): whatever the mix, what it keeps and refuses must be what refuseEntry decides entry
 * by entry.
 */
test('append admits and refuses exactly as refuseEntry does, entry by entry', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const limits = { ...DEFAULT_LIMITS, max_line_size: 24, out_of_order_time_window: 10_000 };
    const store = await Store.open({ dir, limits: () => limits });
    let seed = 9;
    const next = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const shared = Object.freeze({ detected_level: 'info' });
    const badShared = Object.freeze({ 'bad-name': 'x' });
    const lines = ['short', 'x'.repeat(8), 'y'.repeat(24), 'z'.repeat(25), 'ü'.repeat(8), 'ü'.repeat(12), '€'.repeat(9)];
    let clock = BigInt(Date.now()) * 1_000_000n - 3_600_000_000_000n;
    for (let round = 0; round < 30; round++) {
      const entries: Entry[] = [];
      for (let i = 0; i < 200; i++) {
        // Mostly forward by up to 1 s; now and then back by up to 12 s (inside or outside the
        // 10 s window), two hours ahead (too new) or forty days back (too old).
        const jump = next(40);
        if (jump < 37) clock += BigInt(next(1000)) * 1_000_000n;
        else if (jump === 37) clock -= BigInt(next(12_000)) * 1_000_000n;
        // Every third stream starts with a too old entry: the first one meets no newest timestamp.
        const tooOld = jump === 39 || (i === 0 && round % 3 === 0);
        const ts = jump === 38 ? clock + 7_200_000_000_000n : tooOld ? clock - 40n * 86_400_000_000_000n : clock;
        const kind = next(8);
        const metadata: Labels | undefined = kind < 4 ? undefined : kind < 6 ? shared : kind === 6 ? badShared : { own: String(i) };
        entries.push(metadata ? { ts, line: lines[next(lines.length)]!, metadata } : { ts, line: lines[next(lines.length)]! });
      }
      // A new stream each round, so the reference starts, as the store does, with no newest entry.
      const app = `s${round}`;
      const bounds = admissionBounds(limits, Date.now());
      let newest: bigint | undefined;
      const kept: string[] = [];
      const refused = new Map<string, number>();
      for (const e of entries) {
        const r = refuseEntry(e, `{app="${app}"}`, newest, bounds, limits);
        if ('reason' in r && r.reason !== undefined) refused.set(r.reason, (refused.get(r.reason) ?? 0) + 1);
        else {
          const ok = r as Entry;
          kept.push(`${ok.ts} ${ok.line}`);
          if (newest === undefined || ok.ts > newest) newest = ok.ts;
        }
      }
      const res = await store.append('t', [{ labels: { app }, entries }]);
      assert.equal(res.accepted, kept.length, `round ${round}`);
      assert.deepEqual(new Map(res.rejected.map((r) => [r.reason, r.count])), refused, `round ${round}`);
      const stored = [...store.entries('t', { ...ALL, matchers: sel({ app }), direction: 'forward' })].map((e) => `${e.ts} ${e.line}`);
      assert.deepEqual(stored.sort(), kept.sort(), `round ${round}`);
    }
    await store.close();
  } finally {
    cleanup();
  }
});
