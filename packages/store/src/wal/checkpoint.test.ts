import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import { HEADER_BYTES } from './format.js';
import { Wal } from './wal.js';
import { appendSequential, openAndReplay, payload, tempDir } from './test-helpers.js';

const SIZE = 100;
const RECORD = HEADER_BYTES + SIZE;

function names(dir: string): string[] {
  return readdirSync(dir).sort();
}

const seg = (lsn: number): string => `${String(lsn).padStart(20, '0')}.wal`;

test('segments roll at segmentBytes and are named by their first LSN', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const wal = await Wal.open({ dir, segmentBytes: 3 * RECORD });
    await wal.replay(() => {});
    await appendSequential(wal, 0, 10, SIZE);
    assert.deepEqual(names(dir), [seg(1), seg(4), seg(7), seg(10)]);
    assert.deepEqual(wal.stats().segments, 4);
    assert.equal(wal.stats().bytes, 10 * RECORD);
    // One batch larger than a segment goes whole into a fresh segment.
    await Promise.all(Array.from({ length: 5 }, (_, i) => wal.append(payload(i, SIZE)).durable));
    assert.deepEqual(names(dir), [seg(1), seg(4), seg(7), seg(10), seg(11)]);
    await wal.close();
    const r = await openAndReplay({ dir });
    assert.deepEqual(r.records.map((x) => x.lsn), Array.from({ length: 15 }, (_, i) => BigInt(i + 1)));
    assert.equal(r.report.segments, 5);
    await r.wal.close();
  } finally {
    cleanup();
  }
});

test('checkpoint deletes exactly the segments whose records are all below keepFrom', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const wal = await Wal.open({ dir, segmentBytes: 3 * RECORD });
    await wal.replay(() => {});
    await appendSequential(wal, 0, 10, SIZE);

    await wal.checkpoint(3n); // segment 1 still holds lsn 3
    assert.deepEqual(names(dir), [seg(1), seg(4), seg(7), seg(10)]);
    await wal.checkpoint(4n);
    assert.deepEqual(names(dir), [seg(4), seg(7), seg(10)]);
    await wal.checkpoint(6n);
    assert.deepEqual(names(dir), [seg(4), seg(7), seg(10)]);
    await Promise.all([wal.checkpoint(7n), wal.checkpoint(7n)]);
    assert.deepEqual(names(dir), [seg(7), seg(10)]);
    // The segment being appended to stays even when everything in it is committed.
    await wal.checkpoint(1000n);
    assert.deepEqual(names(dir), [seg(10)]);
    assert.deepEqual(wal.stats(), { segments: 1, bytes: RECORD, syncs: wal.stats().syncs });
    await wal.close();

    const r = await openAndReplay({ dir, segmentBytes: 3 * RECORD });
    assert.deepEqual(r.records.map((x) => x.lsn), [10n]);
    assert.equal(r.wal.append(payload(1, SIZE)).lsn, 11n);
    await r.wal.checkpoint(1000n);
    await r.wal.close();
    assert.deepEqual(names(dir), [seg(10)]);
  } finally {
    cleanup();
  }
});

test('checkpoint with an empty log is a no-op', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const wal = await Wal.open({ dir });
    await wal.replay(() => {});
    await wal.checkpoint(10n);
    await wal.close();
    assert.deepEqual(names(dir), []);
  } finally {
    cleanup();
  }
});
