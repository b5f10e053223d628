import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChunkDecoderPool, type DecodeJob } from './decode-pool.js';
import { ChunkCorruptError, decodeChunk, encodeChunk, type DecodedChunk, type RawEntry } from './index.js';

function sample(count: number, seed: number, withMetadata: boolean): RawEntry[] {
  const entries: RawEntry[] = [];
  for (let i = 0; i < count; i++) {
    entries.push({
      ts: 1_700_000_000_000_000_000n + BigInt(i) * 1_000_000n + BigInt(i % 3),
      line: `level=info msg="served ${seed}" path=/api/${(i * 7919) % 1000} status=${200 + (i % 4) * 100} trace_id=${((i + seed) * 2654435761).toString(16)} ünïcødé`,
      metadata: withMetadata && i % 3 === 0 ? { 'service.name': `svc-${seed}`, trace_id: String(i), ...(i % 9 === 0 ? { ['__proto__']: 'x' } : {}) } : undefined,
    });
  }
  return entries;
}

const CHUNKS = (['columnar', 'lines'] as const).flatMap((encoding) => [
  { name: `${encoding}, 1 entry`, data: encodeChunk(sample(1, 1, false), { encoding }).data },
  { name: `${encoding}, 3000 entries`, data: encodeChunk(sample(3000, 2, false), { encoding }).data },
  { name: `${encoding}, 2000 entries with metadata`, data: encodeChunk(sample(2000, 3, true), { encoding }).data },
]);

/** Every accessor of `got` answers as `want`'s does. */
function assertSameChunk(got: DecodedChunk, want: DecodedChunk, what: string): void {
  assert.equal(got.length, want.length, what);
  assert.equal(got.hasMetadata, want.hasMetadata, what);
  assert.deepEqual(got.timestamps, want.timestamps, what);
  for (let i = 0; i < want.length; i++) {
    assert.equal(got.ts(i), want.ts(i));
    assert.equal(got.lineLength(i), want.lineLength(i));
    assert.deepEqual(got.lineBytes(i), want.lineBytes(i));
    assert.equal(got.line(i), want.line(i));
    assert.deepEqual(got.metadata(i), want.metadata(i), `${what}: metadata of entry ${i}`);
    assert.deepEqual(Object.keys(got.metadata(i)), Object.keys(want.metadata(i)));
    assert.ok(Object.isFrozen(got.metadata(i)));
  }
  assert.equal(got.linesBytes(0, want.length), want.linesBytes(0, want.length));
  const g = got.linesBlock();
  const w = want.linesBlock();
  assert.deepEqual(g.offsets, w.offsets);
  assert.deepEqual(g.bytes.subarray(0, w.offsets[want.length]), w.bytes.subarray(0, w.offsets[want.length]));
  for (const t of [0n, want.timestamps[0]!, want.timestamps[want.length - 1]! + 1n, want.timestamps[want.length >> 1]!]) {
    assert.equal(got.lowerBound(t), want.lowerBound(t));
  }
  assert.throws(() => got.line(want.length), RangeError);
  assert.throws(() => got.metadata(-1), RangeError);
  assert.throws(() => got.linesBytes(0, want.length + 1), RangeError);
}

/** Takes a job once the worker is done with it, so the worker's decoding is what is tested. */
async function takeFromWorker(job: DecodeJob): Promise<DecodedChunk> {
  await job.workerDone();
  const chunk = job.take();
  assert.ok(job.decodedByWorker, 'decoded by the worker');
  return chunk;
}

function damaged(data: Buffer): Buffer {
  const d = Buffer.from(data);
  for (let i = 40; i < d.length; i += 5) d[i]! ^= 0x5a;
  return d;
}

describe('chunk decoder pool', () => {
  it('size 0 starts no thread and leaves decoding to the caller', async () => {
    const pool = new ChunkDecoderPool(0);
    assert.equal(pool.submit(CHUNKS[0]!.data), undefined);
    assert.equal(pool.workers.length, 0);
    await pool.close();
    assert.throws(() => new ChunkDecoderPool(-1), RangeError);
    assert.throws(() => new ChunkDecoderPool(1.5), RangeError);
  });

  it('a worker decodes exactly what decodeChunk does, for both encodings, with and without metadata', async () => {
    const pool = new ChunkDecoderPool(1);
    try {
      const jobs = CHUNKS.map((c) => pool.submit(c.data)!);
      for (const [k, job] of jobs.entries()) {
        const got = await takeFromWorker(job);
        assertSameChunk(got, decodeChunk(CHUNKS[k]!.data), CHUNKS[k]!.name);
        // Transferred, not shared: the columns are the main thread's own memory now.
        assert.ok(got.timestamps.buffer instanceof ArrayBuffer && got.linesBlock().bytes.buffer instanceof ArrayBuffer);
      }
      assert.equal(pool.jobsInFlight, 0);
    } finally {
      await pool.close();
    }
  });

  it('copies the bytes it is given: the caller may reuse its buffer at once', async () => {
    const pool = new ChunkDecoderPool(1);
    try {
      const { data } = CHUNKS[1]!;
      const reused = Buffer.from(data);
      const job = pool.submit(reused)!;
      reused.fill(0);
      assertSameChunk(await takeFromWorker(job), decodeChunk(data), 'reused buffer');
    } finally {
      await pool.close();
    }
  });

  it('a damaged chunk fails with the ChunkCorruptError decodeChunk gives, and the worker goes on', async () => {
    const pool = new ChunkDecoderPool(1);
    try {
      for (const { data, name } of CHUNKS) {
        const bad = damaged(data);
        const job = pool.submit(bad)!;
        await job.workerDone();
        let want: unknown;
        assert.throws(() => decodeChunk(bad), (err) => ((want = err), true));
        assert.throws(
          () => job.take(),
          (err) => err instanceof ChunkCorruptError && err.message === (want as Error).message,
          name,
        );
      }
      const after = pool.submit(CHUNKS[1]!.data)!;
      assertSameChunk(await takeFromWorker(after), decodeChunk(CHUNKS[1]!.data), 'after the damaged ones');
    } finally {
      await pool.close();
    }
  });

  it('a job the worker has not started is decoded by the thread that takes it, or while it waits for another', async () => {
    const pool = new ChunkDecoderPool(1);
    try {
      const data = CHUNKS[1]!.data;
      const want = decodeChunk(data);
      // Taken at once, in reverse: whichever thread gets each job first, every result is right.
      const jobs = Array.from({ length: 12 }, () => pool.submit(data)!);
      for (const job of [...jobs].reverse()) assertSameChunk(job.take(jobs), want, 'taken at once');
      // A damaged chunk decoded while waiting keeps its error for its own take.
      const bad = damaged(data);
      const mixed = [pool.submit(data)!, pool.submit(bad)!, pool.submit(data)!];
      assertSameChunk(mixed[0]!.take(mixed), want, 'first');
      assert.throws(() => mixed[1]!.take(mixed), ChunkCorruptError);
      assertSameChunk(mixed[2]!.take(mixed), want, 'third');
      assert.throws(() => mixed[2]!.take(), /taken once/);
      assert.equal(pool.jobsInFlight, 0);
    } finally {
      await pool.close();
    }
  });

  it('cancelled jobs leave nothing in flight, and later jobs still get their own results', async () => {
    const pool = new ChunkDecoderPool(1);
    try {
      const cancelled = Array.from({ length: 20 }, (_, k) => pool.submit(CHUNKS[k % CHUNKS.length]!.data)!);
      for (const job of cancelled) job.cancel();
      assert.equal(pool.jobsInFlight, 0);
      for (const job of cancelled) await job.workerDone();
      const next = pool.submit(CHUNKS[2]!.data)!;
      assertSameChunk(await takeFromWorker(next), decodeChunk(CHUNKS[2]!.data), 'after cancellations');
      assert.throws(() => cancelled[0]!.take(), /taken once/);
    } finally {
      await pool.close();
    }
  });

  it('closing with jobs in flight: they still give their results (decoded by the taker), new ones are refused', async () => {
    const pool = new ChunkDecoderPool(2);
    const jobs = CHUNKS.map((c) => pool.submit(c.data)!);
    await pool.close();
    assert.equal(pool.workers.length, 0);
    for (const [k, job] of jobs.entries()) assertSameChunk(job.take(), decodeChunk(CHUNKS[k]!.data), CHUNKS[k]!.name);
    assert.equal(pool.submit(CHUNKS[0]!.data), undefined);
    assert.equal(pool.jobsInFlight, 0);
  });
});
