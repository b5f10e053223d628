import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { crc32c } from '@node-rs/crc32';
import { encodeHeader, HEADER_BYTES } from './format.js';
import { Wal } from './wal.js';
import { appendSequential, openAndReplay, payload, tempDir } from './test-helpers.js';

const SIZE = 100;
const RECORD = HEADER_BYTES + SIZE;

/** A WAL with records 1..n of SIZE-byte payloads in one segment; returns the segment path. */
async function writeLog(dir: string, n: number, make: (i: number) => Buffer = (i) => payload(i, SIZE)): Promise<string> {
  const wal = await Wal.open({ dir, durability: 'none' });
  await wal.replay(() => {});
  for (let i = 0; i < n; i++) wal.append(make(i));
  await wal.close();
  const [name] = readdirSync(dir);
  return join(dir, name!);
}

function lsnsOf(records: { lsn: bigint }[]): bigint[] {
  return records.map((r) => r.lsn);
}

test('torn tail at every byte offset of the last record: earlier records survive, appends continue', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const seg = await writeLog(join(dir, 'src'), 5);
    const full = readFileSync(seg);
    const lastStart = 4 * RECORD;
    assert.equal(full.length, 5 * RECORD);
    for (let cut = lastStart; cut < full.length; cut++) {
      const d = join(dir, `cut-${cut}`);
      mkdirSync(d);
      writeFileSync(join(d, '00000000000000000001.wal'), full.subarray(0, cut));
      const r = await openAndReplay({ dir: d, durability: 'none' });
      assert.deepEqual(lsnsOf(r.records), [1n, 2n, 3n, 4n], `cut at ${cut}`);
      r.records.forEach((rec, i) => assert.deepEqual(rec.payload, payload(i, SIZE)));
      assert.equal(r.report.tornTail, cut > lastStart, `cut at ${cut}`);
      assert.equal(r.report.corrupt, 0, `cut at ${cut}`);
      assert.equal(statSync(join(d, '00000000000000000001.wal')).size, lastStart, 'torn bytes cut off');
      assert.equal(r.wal.append(payload(50, SIZE)).lsn, 5n);
      await r.wal.close();
      const again = await openAndReplay({ dir: d, durability: 'none' });
      assert.deepEqual(lsnsOf(again.records), [1n, 2n, 3n, 4n, 5n]);
      assert.deepEqual(again.records[4]!.payload, payload(50, SIZE));
      assert.equal(again.report.tornTail, false);
      await again.wal.close();
    }
  } finally {
    cleanup();
  }
});

test('a flipped payload byte in a middle record: that record is skipped and reported, later ones kept', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const seg = await writeLog(dir, 5);
    const buf = readFileSync(seg);
    buf[2 * RECORD + HEADER_BYTES + 10]! ^= 0x40;
    writeFileSync(seg, buf);
    const r = await openAndReplay({ dir });
    assert.deepEqual(lsnsOf(r.records), [1n, 2n, 4n, 5n]);
    assert.deepEqual(r.records[2]!.payload, payload(3, SIZE));
    assert.equal(r.report.corrupt, 1);
    assert.equal(r.report.tornTail, false);
    assert.equal(r.corruptions.length, 1);
    assert.equal(r.corruptions[0]!.segment, seg);
    assert.equal(r.corruptions[0]!.offset, 2 * RECORD);
    assert.match(r.corruptions[0]!.reason, /payload checksum mismatch in record lsn 3/);
    assert.equal(r.wal.append(payload(6, SIZE)).lsn, 6n);
    await r.wal.close();
  } finally {
    cleanup();
  }
});

test('a damaged header in a middle record: replay resyncs on the next intact record', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const seg = await writeLog(dir, 6);
    const buf = readFileSync(seg);
    buf[2 * RECORD + 5]! ^= 0x01; // length field of record 3
    buf[4 * RECORD + 1]! ^= 0xff; // magic of record 5
    writeFileSync(seg, buf);
    const r = await openAndReplay({ dir });
    assert.deepEqual(lsnsOf(r.records), [1n, 2n, 4n, 6n]);
    assert.equal(r.report.corrupt, 2);
    assert.deepEqual(r.corruptions.map((c) => c.offset), [2 * RECORD, 4 * RECORD]);
    assert.match(r.corruptions[0]!.reason, /header checksum mismatch; skipped 124 bytes/);
    assert.match(r.corruptions[1]!.reason, /bad record magic/);
    await r.wal.close();
  } finally {
    cleanup();
  }
});

test('an absurd length in an otherwise well-formed header is corruption, not a reason to stop', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const seg = await writeLog(dir, 4);
    const buf = readFileSync(seg);
    const at = RECORD; // record 2
    buf.writeUInt32LE(0xfffffff0, at + 4);
    buf.writeUInt32LE(crc32c(buf.subarray(at, at + 20)), at + 20);
    writeFileSync(seg, buf);
    const r = await openAndReplay({ dir });
    assert.deepEqual(lsnsOf(r.records), [1n, 3n, 4n]);
    assert.match(r.corruptions[0]!.reason, /absurd record length/);
    await r.wal.close();
  } finally {
    cleanup();
  }
});

test('resync does not take a record-shaped payload for a real record', async () => {
  const { dir, cleanup } = tempDir();
  try {
    // Record 2's payload holds a complete, checksummed fake record with LSN 999.
    const fakeBody = payload(7, 40);
    const fake = Buffer.concat([encodeHeader(999n, fakeBody), fakeBody, Buffer.alloc(SIZE - HEADER_BYTES - 40)]);
    const seg = await writeLog(dir, 4, (i) => (i === 1 ? fake : payload(i, SIZE)));
    const buf = readFileSync(seg);
    buf[RECORD]! ^= 0x10; // damage record 2's header so replay has to search
    writeFileSync(seg, buf);
    const r = await openAndReplay({ dir });
    assert.deepEqual(lsnsOf(r.records), [1n, 3n, 4n]);
    assert.equal(r.report.lastLsn, 4n);
    await r.wal.close();
  } finally {
    cleanup();
  }
});

test('a damaged last record of the last segment counts as a torn tail and is cut off', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const seg = await writeLog(dir, 3);
    const buf = readFileSync(seg);
    buf[buf.length - 1]! ^= 0x01;
    writeFileSync(seg, buf);
    const r = await openAndReplay({ dir });
    assert.deepEqual(lsnsOf(r.records), [1n, 2n]);
    assert.equal(r.report.tornTail, true);
    assert.equal(r.report.corrupt, 0);
    assert.equal(r.wal.append(payload(9, SIZE)).lsn, 3n);
    await r.wal.close();
  } finally {
    cleanup();
  }
});

for (const [name, tail] of [
  ['zero-filled', Buffer.alloc(64 * 1024)],
  ['random garbage', randomBytes(10_000)],
  ['a partial header', Buffer.from([0x4c, 0xf7, 0xa1])],
] as const) {
  test(`a tail of ${name} bytes is cut off and appends follow the intact records`, async () => {
    const { dir, cleanup } = tempDir();
    try {
      const seg = await writeLog(dir, 3);
      appendFileSync(seg, tail);
      const r = await openAndReplay({ dir });
      assert.deepEqual(lsnsOf(r.records), [1n, 2n, 3n]);
      assert.equal(r.report.tornTail, true);
      assert.equal(r.report.corrupt, 0);
      assert.equal(statSync(seg).size, 3 * RECORD);
      await appendSequential(r.wal, 3, 2, SIZE);
      await r.wal.close();
      const again = await openAndReplay({ dir });
      assert.deepEqual(lsnsOf(again.records), [1n, 2n, 3n, 4n, 5n]);
      assert.equal(again.report.tornTail, false);
      await again.wal.close();
    } finally {
      cleanup();
    }
  });
}

test('damage at the end of an older segment is reported, not cut off; later segments replay', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const wal = await Wal.open({ dir, segmentBytes: 3 * RECORD });
    await wal.replay(() => {});
    await appendSequential(wal, 0, 6, SIZE);
    await wal.close();
    const [first, second] = readdirSync(dir).sort();
    assert.deepEqual([first, second], ['00000000000000000001.wal', '00000000000000000004.wal']);
    const seg = join(dir, first!);
    const buf = readFileSync(seg);
    buf[buf.length - 3]! ^= 0x22;
    writeFileSync(seg, buf);
    const r = await openAndReplay({ dir });
    assert.deepEqual(lsnsOf(r.records), [1n, 2n, 4n, 5n, 6n]);
    assert.equal(r.report.tornTail, false);
    assert.equal(r.report.corrupt, 1);
    assert.equal(r.corruptions[0]!.offset, 2 * RECORD);
    assert.match(r.corruptions[0]!.reason, /unreadable last 124 bytes of the segment: payload checksum mismatch in record lsn 3/);
    assert.equal(statSync(seg).size, 3 * RECORD, 'older segments are left as they are');
    await r.wal.close();
  } finally {
    cleanup();
  }
});

test('damage to the first record of a segment: resync still finds the rest', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const seg = await writeLog(dir, 3);
    const buf = readFileSync(seg);
    buf.fill(0, 0, 30);
    writeFileSync(seg, buf);
    const r = await openAndReplay({ dir });
    assert.deepEqual(lsnsOf(r.records), [2n, 3n]);
    assert.match(r.corruptions[0]!.reason, /zero-filled bytes; skipped 124 bytes/);
    await r.wal.close();
  } finally {
    cleanup();
  }
});

test('a last segment with nothing intact keeps its name as the LSN floor and is reused', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const seg = join(dir, '00000000000000000005.wal');
    writeFileSync(seg, randomBytes(300));
    const r = await openAndReplay({ dir });
    assert.deepEqual(r.records, []);
    assert.equal(r.report.tornTail, true);
    assert.equal(r.report.lastLsn, 4n);
    assert.equal(r.wal.append(payload(1, SIZE)).lsn, 5n);
    await r.wal.close();
    assert.deepEqual(readdirSync(dir), ['00000000000000000005.wal']);
    assert.equal(statSync(seg).size, RECORD);
  } finally {
    cleanup();
  }
});
