import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import { HEADER_BYTES } from './format.js';
import { WalClosedError } from './errors.js';
import { Wal } from './wal.js';
import { appendSequential, openAndReplay, payload, tempDir } from './test-helpers.js';

test('round trip: records come back in LSN order with their payloads', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const first = await openAndReplay({ dir });
    assert.deepEqual(first.report, { records: 0, corrupt: 0, tornTail: false, segments: 0, lastLsn: 0n });
    const sizes = [0, 1, 100, 5000, 100_000];
    const appends = sizes.map((size, i) => first.wal.append(payload(i, size)));
    assert.deepEqual(appends.map((a) => a.lsn), [1n, 2n, 3n, 4n, 5n]);
    await Promise.all(appends.map((a) => a.durable));
    assert.equal(first.wal.lastLsn, 5n);
    const bytes = sizes.reduce((s, n) => s + n + HEADER_BYTES, 0);
    assert.deepEqual(first.wal.stats(), { segments: 1, bytes, syncs: first.wal.stats().syncs });
    await first.wal.close();

    const again = await openAndReplay({ dir });
    assert.deepEqual(again.report, { records: 5, corrupt: 0, tornTail: false, segments: 1, lastLsn: 5n });
    assert.deepEqual(again.records.map((r) => r.lsn), [1n, 2n, 3n, 4n, 5n]);
    sizes.forEach((size, i) => assert.deepEqual(again.records[i]!.payload, payload(i, size)));
    assert.deepEqual(again.corruptions, []);
    await again.wal.close();
  } finally {
    cleanup();
  }
});

test('reopen continues LSNs after the highest replayed one', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const a = await openAndReplay({ dir });
    await appendSequential(a.wal, 0, 3);
    await a.wal.close();
    const b = await openAndReplay({ dir });
    assert.equal(b.report.lastLsn, 3n);
    assert.equal(b.wal.append(payload(3)).lsn, 4n);
    await b.wal.close();
    const c = await openAndReplay({ dir });
    assert.deepEqual(c.records.map((r) => r.lsn), [1n, 2n, 3n, 4n]);
    await c.wal.close();
  } finally {
    cleanup();
  }
});

test('lsnFloor keeps LSNs above what was committed elsewhere', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const a = await openAndReplay({ dir, lsnFloor: 1000n });
    assert.equal(a.report.lastLsn, 1000n);
    await appendSequential(a.wal, 0, 2);
    await a.wal.close();
    assert.deepEqual(readdirSync(dir), ['00000000000000001001.wal']);
    const b = await openAndReplay({ dir, lsnFloor: 10n });
    assert.deepEqual(b.records.map((r) => r.lsn), [1001n, 1002n]);
    assert.equal(b.wal.append(payload(9)).lsn, 1003n);
    await b.wal.close();
  } finally {
    cleanup();
  }
});

test('group commit: many concurrent appends share few fdatasyncs', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const synced: number[] = [];
    const wal = await Wal.open({ dir, onSync: (_s, bytes) => synced.push(bytes) });
    await wal.replay(() => {});
    const n = 500;
    const appends = Array.from({ length: n }, (_, i) => wal.append(payload(i, 1000)));
    await Promise.all(appends.map((a) => a.durable));
    const { syncs } = wal.stats();
    assert.ok(syncs >= 1 && syncs < n / 10, `expected few syncs for ${n} concurrent appends, got ${syncs}`);
    assert.equal(synced.length, syncs);
    assert.equal(synced.reduce((s, b) => s + b, 0), n * (1000 + HEADER_BYTES));
    await wal.close();
  } finally {
    cleanup();
  }
});

test("durability 'none' never syncs until close; 'batch' acks before a periodic sync", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const none = await Wal.open({ dir: `${dir}/none`, durability: 'none' });
    await none.replay(() => {});
    await Promise.all(Array.from({ length: 50 }, (_, i) => none.append(payload(i)).durable));
    assert.equal(none.stats().syncs, 0);
    await none.close();
    assert.equal(none.stats().syncs, 1);

    let sawSync: () => void = () => {};
    const synced = new Promise<void>((resolve) => (sawSync = resolve));
    const batch = await Wal.open({ dir: `${dir}/batch`, durability: 'batch', batchIntervalMs: 20, onSync: () => sawSync() });
    await batch.replay(() => {});
    for (let i = 0; i < 20; i++) await batch.append(payload(i)).durable;
    await synced;
    assert.ok(batch.stats().syncs >= 1 && batch.stats().syncs < 20, `syncs: ${batch.stats().syncs}`);
    await batch.close();

    for (const sub of ['none', 'batch']) {
      const r = await openAndReplay({ dir: `${dir}/${sub}` });
      assert.equal(r.report.records, sub === 'none' ? 50 : 20);
      await r.wal.close();
    }
  } finally {
    cleanup();
  }
});

test('close waits for queued appends; append after close throws WalClosedError', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const wal = await Wal.open({ dir });
    await wal.replay(() => {});
    const queued = Array.from({ length: 10 }, (_, i) => wal.append(payload(i)));
    const closed = wal.close();
    assert.throws(() => wal.append(payload(99)), WalClosedError);
    await closed;
    await Promise.all(queued.map((a) => a.durable));
    assert.equal(wal.close(), wal.close(), 'close is idempotent');
    await assert.rejects(wal.checkpoint(1n), WalClosedError);

    const r = await openAndReplay({ dir });
    assert.equal(r.report.records, 10);
    await r.wal.close();
  } finally {
    cleanup();
  }
});

test('misuse is reported clearly', async () => {
  const { dir, cleanup } = tempDir();
  try {
    await assert.rejects(Wal.open({ dir, durability: 'sometimes' as 'fsync' }), /durability must be/);
    await assert.rejects(Wal.open({ dir, segmentBytes: 0 }), /segmentBytes must be/);
    const wal = await Wal.open({ dir });
    assert.throws(() => wal.append('text' as unknown as Buffer), TypeError);
    await wal.append(payload(1)).durable;
    await assert.rejects(wal.replay(() => {}), /before the first append/);
    await assert.rejects(wal.checkpoint(-1n), TypeError);
    await wal.close();
    const again = await Wal.open({ dir });
    await again.replay(() => {});
    await assert.rejects(again.replay(() => {}), /only once/);
    await again.close();
  } finally {
    cleanup();
  }
});
