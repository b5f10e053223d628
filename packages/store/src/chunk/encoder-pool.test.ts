import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChunkEncoderPool } from './encoder-pool.js';
import { HeadBlock } from '../head.js';
import { decodeChunk, encodeChunk, toColumns, type RawEntry } from './index.js';

function sample(count: number, seed: number): RawEntry[] {
  const entries: RawEntry[] = [];
  for (let i = 0; i < count; i++) {
    entries.push({
      ts: 1_700_000_000_000_000_000n + BigInt(i) * 1_000_000n,
      line: `level=info msg="served ${seed}" path=/api/${(i * 7919) % 1000} trace_id=${((i + seed) * 2654435761).toString(16)} ünïcødé`,
      metadata: i % 3 === 0 ? { 'service.name': `svc-${seed}`, trace_id: String(i) } : undefined,
    });
  }
  return entries;
}

describe('chunk encoder pool', () => {
  it('encodes exactly what in-process encoding produces, with 0, 1 and 2 workers', async () => {
    for (const size of [0, 1, 2]) {
      const pool = new ChunkEncoderPool(size);
      try {
        const inputs = [sample(1, 1), sample(500, 2), sample(3000, 3)];
        const got = await Promise.all(inputs.map((entries) => pool.encode(toColumns(entries))));
        for (let k = 0; k < inputs.length; k++) {
          const want = encodeChunk(inputs[k]!);
          assert.deepEqual(got[k]!.data, want.data, `data of chunk ${k} with ${size} workers`);
          assert.deepEqual(got[k]!.filter, want.filter, `filter of chunk ${k} with ${size} workers`);
          assert.deepEqual(got[k]!.stats, want.stats);
          assert.ok(Buffer.isBuffer(got[k]!.data) && Buffer.isBuffer(got[k]!.filter));
          assert.equal(decodeChunk(got[k]!.data).line(0), inputs[k]![0]!.line);
        }
      } finally {
        await pool.close();
      }
    }
  });

  it('encodes a head block that arrived out of order exactly as its entries sorted by time', async () => {
    const entries = sample(2000, 5);
    // Batches of a stream arriving out of order, as concurrent pushes deliver them.
    const batches: RawEntry[][] = [];
    for (let i = 0; i < entries.length; i += 37) batches.push(entries.slice(i, i + 37));
    const arrival = batches.flatMap((b, i) => batches[i ^ 1] ?? b);
    for (const size of [0, 1]) {
      const pool = new ChunkEncoderPool(size);
      try {
        const block = new HeadBlock(0);
        for (let i = 0; i < arrival.length; i += 37) block.add(arrival.slice(i, i + 37).map((e) => (e.metadata ? { ts: e.ts, line: e.line, metadata: e.metadata } : { ts: e.ts, line: e.line })), 1n, 0);
        const { columns, order } = block.encoderInput();
        assert.ok(order, 'the block is out of order');
        const got = await pool.encode(columns, order);
        const want = encodeChunk(entries);
        assert.deepEqual(got.data, want.data, `${size} workers`);
        assert.deepEqual(got.filter, want.filter, `${size} workers`);
      } finally {
        await pool.close();
      }
    }
  });

  it('encodes with the encoding and level it was given, in a worker too', async () => {
    const entries = sample(800, 4);
    for (const encoding of ['lines', 'columnar'] as const) {
      const pool = new ChunkEncoderPool(1, { encoding, level: 3 });
      try {
        const got = await pool.encode(toColumns(entries));
        assert.deepEqual(got.data, encodeChunk(entries, { encoding, level: 3 }).data, encoding);
      } finally {
        await pool.close();
      }
    }
    assert.notDeepEqual(encodeChunk(entries, { encoding: 'lines' }).data, encodeChunk(entries, { encoding: 'columnar' }).data);
  });

  it('reports a bad input as a failed job and keeps working', async () => {
    const pool = new ChunkEncoderPool(1);
    try {
      const unsorted = toColumns([
        { ts: 5n, line: 'b' },
        { ts: 1n, line: 'a' },
      ]);
      await assert.rejects(pool.encode(unsorted), /older than entry 0/);
      const ok = await pool.encode(toColumns(sample(10, 4)));
      assert.equal(ok.stats.entries, 10);
    } finally {
      await pool.close();
    }
  });

  it('fails the jobs of a worker that dies and starts a new one for the next job', async () => {
    const pool = new ChunkEncoderPool(1);
    try {
      await pool.encode(toColumns(sample(10, 5)));
      const [worker] = pool.workers;
      assert.ok(worker);
      // Terminate, then send a job before the exit is seen: the job is lost with the thread.
      const terminated = worker.terminate();
      await assert.rejects(pool.encode(toColumns(sample(10, 6))), /chunk encoder worker exited/);
      await terminated;
      const again = await pool.encode(toColumns(sample(20, 7)));
      assert.deepEqual(again.data, encodeChunk(sample(20, 7)).data);
      assert.notEqual(pool.workers[0], worker);
    } finally {
      await pool.close();
    }
  });

  it('refuses a size outside 0..64 and jobs after close', async () => {
    assert.throws(() => new ChunkEncoderPool(-1), RangeError);
    assert.throws(() => new ChunkEncoderPool(1.5), RangeError);
    const pool = new ChunkEncoderPool(1);
    await pool.close();
    await assert.rejects(pool.encode(toColumns(sample(1, 8))), /closed/);
  });
});
