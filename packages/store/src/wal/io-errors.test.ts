import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { test } from 'node:test';
import { WalIoError } from './errors.js';
import { Wal } from './wal.js';
import { appendSequential, openAndReplay, payload, tempDir } from './test-helpers.js';

/** Sets this process's soft file-size limit (RLIMIT_FSIZE) with util-linux prlimit. */
function setFileSizeLimit(limit: number | 'unlimited'): void {
  execFileSync('prlimit', ['--pid', String(process.pid), `--fsize=${limit}:`]);
}

function hasPrlimit(): boolean {
  try {
    execFileSync('prlimit', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

test('a failed write rejects its appends with the cause, and the WAL keeps working', { skip: !hasPrlimit() && 'prlimit not installed' }, async () => {
  const { dir, cleanup } = tempDir();
  try {
    const wal = await Wal.open({ dir, segmentBytes: 50_000 });
    await wal.replay(() => {});
    setFileSizeLimit(150_000);
    try {
      const big = wal.append(payload(1, 200_000));
      await assert.rejects(big.durable, (err: unknown) => {
        assert.ok(err instanceof WalIoError);
        assert.equal(err.code, 'EFBIG');
        assert.match(err.message, /WAL write of 1 record \(lsn 1\.\.1, 200024 bytes\) to .* failed: file too large .*These records were not stored/);
        return true;
      });
      // The partial write was cut off; later appends go to a fresh segment and succeed.
      const lsns = await appendSequential(wal, 2, 3, 1000);
      assert.deepEqual(lsns, [2n, 3n, 4n]);
    } finally {
      setFileSizeLimit('unlimited');
    }
    await wal.close();
    const r = await openAndReplay({ dir });
    assert.deepEqual(r.records.map((x) => x.lsn), [2n, 3n, 4n]);
    assert.equal(r.report.corrupt, 0);
    assert.equal(r.report.tornTail, false);
    await r.wal.close();
    assert.deepEqual(readdirSync(dir), ['00000000000000000002.wal'], 'no empty segment is left behind');
  } finally {
    cleanup();
  }
});

test('a segment that cannot be created rejects the batch; appends work again once it can', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const wal = await Wal.open({ dir, segmentBytes: 1 });
    await wal.replay(() => {});
    await wal.append(payload(1)).durable;
    rmSync(dir, { recursive: true });
    await assert.rejects(wal.append(payload(2)).durable, /could not start a new segment .*no such file or directory \(was the WAL directory removed\?\).*not stored/);
    mkdirSync(dir);
    await wal.append(payload(3)).durable;
    await wal.close();
    assert.deepEqual(readdirSync(dir), ['00000000000000000003.wal']);
  } finally {
    cleanup();
  }
});
