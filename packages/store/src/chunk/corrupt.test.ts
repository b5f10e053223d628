import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decompress } from 'zstd-napi';
import { chunkChecksum, HEADER_SIZE } from './format.js';
import { ChunkCorruptError, decodeChunk, encodeChunk, type RawEntry } from './index.js';

/** Deterministic PRNG (mulberry32) so a failure can be reproduced. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function sampleEntries(): RawEntry[] {
  const entries: RawEntry[] = [];
  for (let i = 0; i < 300; i++) {
    entries.push({
      ts: 1_700_000_000_000_000_000n + BigInt(i * 1000),
      line: `{"level":"warn","msg":"slow query","table":"orders","ms":${i * 7 % 1000},"id":"${i.toString(36)}"}`,
      metadata: i % 2 === 0 ? { trace_id: `t${i}`, env: 'prod' } : undefined,
    });
  }
  return entries;
}

/** Decoding must either succeed or throw ChunkCorruptError; returns whether it threw. */
function decodeOrCorrupt(data: Buffer): boolean {
  try {
    const chunk = decodeChunk(data);
    for (let i = 0; i < chunk.length; i++) {
      chunk.line(i);
      chunk.metadata(i);
    }
    return false;
  } catch (err) {
    assert.ok(err instanceof ChunkCorruptError, `expected ChunkCorruptError, got ${String(err)}`);
    return true;
  }
}

describe('damaged chunks', () => {
  const good = encodeChunk(sampleEntries()).data;
  const stored = encodeChunk([{ ts: 5n, line: 'tiny' }]).data;

  it('detects a changed byte at every position', () => {
    for (const original of [good, stored]) {
      for (let pos = 0; pos < original.length; pos++) {
        for (const xor of [0x01, 0x80, 0xff]) {
          const data = Buffer.from(original);
          data[pos]! ^= xor;
          assert.ok(decodeOrCorrupt(data), `byte ${pos} ^ ${xor} went unnoticed`);
        }
      }
    }
  });

  it('detects truncation at every length and trailing garbage', () => {
    for (let len = 0; len < good.length; len++) {
      assert.ok(decodeOrCorrupt(good.subarray(0, len)), `truncation to ${len} went unnoticed`);
    }
    assert.ok(decodeOrCorrupt(Buffer.concat([good, Buffer.from([0])])));
  });

  it('rejects random garbage, with and without a valid-looking header', () => {
    const rnd = random(7);
    for (let n = 0; n < 2000; n++) {
      const data = Buffer.alloc(Math.floor(rnd() * 300));
      for (let i = 0; i < data.length; i++) data[i] = Math.floor(rnd() * 256);
      if (n % 2 === 0 && data.length >= 4) good.copy(data, 0, 0, 4);
      assert.ok(decodeOrCorrupt(data));
    }
  });

  it('rejects bodies that pass the checksum but are malformed, and never fails otherwise', () => {
    // What a buggy or hostile encoder could write: re-frame mutated bodies with a valid checksum.
    const body = decompress(good.subarray(HEADER_SIZE));
    const frame = (b: Buffer, count = 300): Buffer => {
      const data = Buffer.concat([good.subarray(0, HEADER_SIZE), b]);
      data[3] = 0;
      data.writeUInt32LE(count, 4);
      data.writeUInt32LE(b.length, 8);
      data.writeUInt32LE(chunkChecksum(data), 12);
      return data;
    };
    assert.equal(decodeOrCorrupt(frame(body)), false, 'the unmutated body decodes');
    const rnd = random(11);
    let rejected = 0;
    for (let n = 0; n < 3000; n++) {
      const b = Buffer.from(body);
      const flips = 1 + Math.floor(rnd() * 4);
      for (let f = 0; f < flips; f++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
      if (decodeOrCorrupt(frame(b))) rejected++;
    }
    assert.ok(rejected > 0);
    for (let len = 0; len < body.length; len += 7) assert.ok(decodeOrCorrupt(frame(body.subarray(0, len))));
    for (const count of [0, 1, 299, 301, 0xffffffff]) assert.ok(decodeOrCorrupt(frame(body, count)), `count ${count}`);
  });

  it('rejects things that are not buffers', () => {
    for (const v of [undefined, null, 'LC', 42, {}, []]) {
      assert.throws(() => decodeChunk(v as unknown as Buffer), ChunkCorruptError);
    }
  });
});
