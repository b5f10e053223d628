import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decompress } from 'zstd-napi';
import { ByteWriter } from './bytes.js';
import { chunkChecksum, FLAG_HAS_METADATA, HEADER_SIZE, V2_PREFIX_SIZE } from './format.js';
import { mulberry32 } from '../seeded-random.js';
import { ChunkCorruptError, decodeChunk, decodeChunkIndex, encodeChunk, type ChunkEncoding, type RawEntry } from './index.js';

function sampleEntries(): RawEntry[] {
  const entries: RawEntry[] = [];
  for (let i = 0; i < 300; i++) {
    entries.push({
      ts: 1_700_000_000_000_000_000n + BigInt(i * 1000),
      line: `{"level":"warn","msg":"slow query","table":"orders","ms":${i * 7 % 1000},"id":"${i.toString(36)}","trace":"${((i * 2654435761) >>> 0).toString(16).padStart(8, '0')}","seq":${1000 + i * 3}}`,
      metadata: i % 2 === 0 ? { trace_id: `t${i}`, env: 'prod' } : undefined,
    });
  }
  return entries;
}

function corruptOrThrow(read: () => void): boolean {
  try {
    read();
    return false;
  } catch (err) {
    assert.ok(err instanceof ChunkCorruptError, `expected ChunkCorruptError, got ${String(err)}`);
    return true;
  }
}

/** Decoding must either succeed or throw ChunkCorruptError; returns whether it threw. */
function decodeOrCorrupt(data: Buffer): boolean {
  return corruptOrThrow(() => {
    const chunk = decodeChunk(data);
    for (let i = 0; i < chunk.length; i++) {
      chunk.line(i);
      chunk.metadata(i);
    }
  });
}

/** The same for the index alone: timestamps and line lengths. */
function indexOrCorrupt(data: Buffer): boolean {
  return corruptOrThrow(() => {
    const index = decodeChunkIndex(data);
    for (let i = 0; i < index.length; i++) index.ts(i);
    index.linesBytes(0, index.length);
  });
}

/** Both readers must reject the bytes. */
function bothReject(data: Buffer): boolean {
  return indexOrCorrupt(data) && decodeOrCorrupt(data);
}

for (const encoding of ['lines', 'columnar'] as ChunkEncoding[]) {
  describe(`damaged chunks (${encoding})`, () => {
    const good = encodeChunk(sampleEntries(), { encoding }).data;
    // One line whose body is stored uncompressed (a hex id, which halves as columnar, keeps it v3).
    const storedLine = encoding === 'lines' ? 'tiny 42' : 'id=9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';
    const stored = encodeChunk([{ ts: 5n, line: storedLine }], { encoding }).data;
    const plain = encodeChunk(sampleEntries().map(({ ts, line }) => ({ ts, line })), { encoding }).data;

    it(`is written in format version ${encoding === 'lines' ? 2 : 3}`, () => {
      for (const data of [good, stored, plain]) assert.equal(data[2], encoding === 'lines' ? 2 : 3);
      assert.equal(stored[3], 0, 'the one-line body is stored');
    });

    it('detects a changed byte at every position', () => {
      for (const original of [good, stored, plain]) {
        for (let pos = 0; pos < original.length; pos++) {
          for (const xor of [0x01, 0x80, 0xff]) {
            const data = Buffer.from(original);
            data[pos]! ^= xor;
            assert.ok(bothReject(data), `byte ${pos} ^ ${xor} went unnoticed`);
          }
        }
      }
    });

    it('detects truncation at every length and trailing garbage', () => {
      for (let len = 0; len < good.length; len++) {
        assert.ok(bothReject(good.subarray(0, len)), `truncation to ${len} went unnoticed`);
      }
      assert.ok(bothReject(Buffer.concat([good, Buffer.from([0])])));
    });

    it('rejects random garbage, with and without a valid-looking header', () => {
      const rnd = mulberry32(7);
      for (let n = 0; n < 2000; n++) {
        const data = Buffer.alloc(Math.floor(rnd() * 300));
        for (let i = 0; i < data.length; i++) data[i] = Math.floor(rnd() * 256);
        if (n % 2 === 0 && data.length >= 4) good.copy(data, 0, 0, 4);
        assert.ok(bothReject(data));
      }
    });

    it('rejects sections that pass the checksum but are malformed, and never fails otherwise', () => {
      // What a buggy or hostile encoder could write: re-frame mutated sections with a valid checksum.
      const indexStored = good.readUInt32LE(HEADER_SIZE + 6);
      const index = decompress(good.subarray(V2_PREFIX_SIZE, V2_PREFIX_SIZE + indexStored));
      const body = decompress(good.subarray(V2_PREFIX_SIZE + indexStored));
      const frame = (ix: Buffer, b: Buffer, count = 300, flags = FLAG_HAS_METADATA): Buffer => {
        const data = Buffer.concat([good.subarray(0, V2_PREFIX_SIZE), ix, b]);
        data[3] = 0;
        data.writeUInt32LE(count, 4);
        data.writeUInt32LE(b.length, 8);
        data[HEADER_SIZE] = 0;
        data[HEADER_SIZE + 1] = flags;
        data.writeUInt32LE(ix.length, HEADER_SIZE + 2);
        data.writeUInt32LE(ix.length, HEADER_SIZE + 6);
        data.writeUInt32LE(chunkChecksum(data), 12);
        return data;
      };
      assert.equal(decodeOrCorrupt(frame(index, body)), false, 'the unmutated sections decode');
      assert.equal(indexOrCorrupt(frame(index, body)), false, 'the unmutated index decodes');
      const rnd = mulberry32(11);
      const mutate = (b: Buffer): Buffer => {
        const m = Buffer.from(b);
        const flips = 1 + Math.floor(rnd() * 4);
        for (let f = 0; f < flips; f++) m[Math.floor(rnd() * m.length)] = Math.floor(rnd() * 256);
        return m;
      };
      let rejected = 0;
      for (let n = 0; n < 3000; n++) {
        const data = n % 2 === 0 ? frame(mutate(index), body) : frame(index, mutate(body));
        const indexRejected = indexOrCorrupt(data);
        if (decodeOrCorrupt(data)) rejected++;
        else assert.equal(indexRejected, false, 'a chunk that decodes has a readable index');
      }
      assert.ok(rejected > 0);
      for (let len = 0; len < index.length; len += 3) assert.ok(bothReject(frame(index.subarray(0, len), body)), `index cut to ${len}`);
      for (let len = 0; len < body.length; len += 7) assert.ok(decodeOrCorrupt(frame(index, body.subarray(0, len))), `body cut to ${len}`);
      assert.ok(bothReject(frame(Buffer.concat([index, Buffer.from([1])]), body)), 'index with a trailing byte');
      for (const count of [0, 1, 299, 301, 0xffffffff]) assert.ok(bothReject(frame(index, body, count)), `count ${count}`);
      for (const flags of [0x02, 0x81]) assert.ok(bothReject(frame(index, body, 300, flags)), `flags ${flags}`);
      assert.ok(decodeOrCorrupt(frame(index, body, 300, 0)), 'metadata flag unset for a chunk with metadata');
      // Stored lengths that disagree with the header, or a section codec that does not exist.
      const bad = [
        (d: Buffer) => d.writeUInt32LE(index.length + 1, HEADER_SIZE + 2),
        (d: Buffer) => d.writeUInt32LE(d.length, HEADER_SIZE + 6),
        (d: Buffer) => d.writeUInt32LE(index.length - 1, HEADER_SIZE + 6),
        (d: Buffer) => (d[HEADER_SIZE] = 7),
        (d: Buffer) => (d[HEADER_SIZE] = 1),
        (d: Buffer) => d.writeUInt32LE(0, 8),
      ];
      for (const [k, change] of bad.entries()) {
        const data = frame(index, body);
        change(data);
        data.writeUInt32LE(chunkChecksum(data), 12);
        assert.ok(decodeOrCorrupt(data), `header change ${k}`);
      }
    });
  });
}

describe('damaged chunks', () => {
  it('rejects timestamps that run past the largest int64, on the double and the BigInt path', () => {
    const max = (1n << 63n) - 1n;
    for (const [first, delta] of [
      [max - 5n, 6n],
      [max - 5n, 5n],
      [max - (1n << 60n), (1n << 60n) + 1n],
      [-(1n << 63n), (1n << 64n) - 1n],
    ] as const) {
      const index = new ByteWriter(64);
      index.bigUint(first >= 0n ? first << 1n : (-first << 1n) - 1n);
      index.uint(0);
      index.bigUint(delta);
      index.uint(1);
      index.uint(1);
      const body = Buffer.from([0, 0x61, 0x62]);
      const data = Buffer.alloc(V2_PREFIX_SIZE);
      data.set([0x4c, 0x43, 2, 0]);
      data.writeUInt32LE(2, 4);
      data.writeUInt32LE(body.length, 8);
      data.writeUInt32LE(index.pos, HEADER_SIZE + 2);
      data.writeUInt32LE(index.pos, HEADER_SIZE + 6);
      const chunk = Buffer.concat([data, index.view(), body]);
      chunk.writeUInt32LE(chunkChecksum(chunk), 12);
      const fits = first + delta <= max;
      assert.equal(bothReject(chunk), !fits, `first ${first} + delta ${delta}`);
      if (fits) assert.equal(decodeChunkIndex(chunk).ts(1), first + delta);
    }
  });

  it('rejects things that are not buffers', () => {
    for (const v of [undefined, null, 'LC', 42, {}, []]) {
      assert.throws(() => decodeChunk(v as unknown as Buffer), ChunkCorruptError);
      assert.throws(() => decodeChunkIndex(v as unknown as Buffer), ChunkCorruptError);
    }
  });
});
