/**
 * Chunks in format version 1 (one compressed body with every column) stay readable: they are on
 * disk from before version 2. The fixtures were written by the version 1 encoder (commit a1476b8);
 * further version 1 chunks are framed here from the sections of version 2 chunks, which hold the
 * same columns in the same encoding.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compress, decompress } from 'zstd-napi';
import { chunkChecksum, HEADER_SIZE, V2_PREFIX_SIZE } from './format.js';
import { ChunkCorruptError, decodeChunk, decodeChunkIndex, encodeChunk, type RawEntry } from './index.js';

/** 40 entries from `fixtureEntries`, zstd body. */
const V1_ZSTD = Buffer.from(
  'TEMBASgAAABhBwAA41p3Gii1L/1gYQa1BwBiiSMpkMU5P6O72HRR5C/wLu63P8m2m8u0lf2Y2dlm7U9SJiBuy4wmK1fuJGXu7u7u7t3d3d3dzMzMzJxAHAwFyZsnlW5auOvCzWiqE6JZ5CW1mqxBUwPimFh11cmiGrWYlU2EjmwidGQT377HLHzbv9Iv//ovhWWPqF2UiX6pqqCMRfbPMxBASaAIAAR0A9sWNyCQk4LSAYaAToiBROhADCRCB2JCAjoQExLQCTGQgE6IgUSgcwrEmAoSpUCHVBAzCiREBZ1QIAZUkPgEgp6gW7KlVN6SXcrylqxSmvKSFQWLcYMdMm6wQ8YdbMgalxrKK9r9OC8=',
  'base64',
);
/** [{ ts: -5n, line: 'tiny' }, { ts: 7n, line: '' }], stored body. */
const V1_STORED = Buffer.from('TEMBAAIAAAAKAAAABC+e/AkADAQAAHRpbnk=', 'base64');

function fixtureEntries(): RawEntry[] {
  const entries: RawEntry[] = [];
  for (let i = 0; i < 40; i++) {
    entries.push({
      ts: 1_700_000_000_000_000_000n + BigInt(i) * 1_000_000n,
      line: `level=info msg="v1 fixture" i=${i} ünï ☃`,
      metadata: i % 3 === 0 ? { trace_id: `t${i % 5}`, env: 'prod' } : undefined,
    });
  }
  return entries;
}

/** The version 1 bytes of the entries: the version 2 index and body back to back in one body. */
function encodeV1(entries: RawEntry[], zstd = true): Buffer {
  const v2 = encodeChunk(entries, { encoding: 'lines' }).data;
  const indexEnd = V2_PREFIX_SIZE + v2.readUInt32LE(HEADER_SIZE + 6);
  const section = (b: Buffer, codec: number) => (codec === 1 ? decompress(b) : b);
  const raw = Buffer.concat([section(v2.subarray(V2_PREFIX_SIZE, indexEnd), v2[HEADER_SIZE]!), section(v2.subarray(indexEnd), v2[3]!)]);
  return frameV1(zstd ? compress(raw) : raw, raw.length, entries.length, zstd ? 1 : 0);
}

function frameV1(stored: Buffer, rawLength: number, count: number, codec: number): Buffer {
  const header = Buffer.from([0x4c, 0x43, 1, codec, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  header.writeUInt32LE(count, 4);
  header.writeUInt32LE(rawLength, 8);
  const data = Buffer.concat([header, stored]);
  data.writeUInt32LE(chunkChecksum(data), 12);
  return data;
}

function assertHolds(data: Buffer, entries: RawEntry[]): void {
  const chunk = decodeChunk(data);
  const index = decodeChunkIndex(data);
  assert.equal(chunk.length, entries.length);
  assert.equal(index.length, entries.length);
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    assert.equal(chunk.ts(i), e.ts);
    assert.equal(index.ts(i), e.ts);
    assert.equal(chunk.line(i), e.line);
    assert.equal(index.lineLength(i), Buffer.byteLength(e.line));
    assert.deepEqual(chunk.metadata(i), e.metadata ?? {});
  }
  const hasMetadata = entries.some((e) => e.metadata !== undefined);
  assert.equal(chunk.hasMetadata, hasMetadata);
  assert.equal(index.hasMetadata, hasMetadata);
}

/** Decoding must either succeed or throw ChunkCorruptError; returns whether it threw. */
function decodeOrCorrupt(data: Buffer): boolean {
  try {
    const chunk = decodeChunk(data);
    for (let i = 0; i < chunk.length; i++) {
      chunk.line(i);
      chunk.metadata(i);
    }
    decodeChunkIndex(data);
    return false;
  } catch (err) {
    assert.ok(err instanceof ChunkCorruptError, `expected ChunkCorruptError, got ${String(err)}`);
    return true;
  }
}

describe('format version 1 chunks', () => {
  it('decode as the version 1 encoder wrote them', () => {
    assertHolds(V1_ZSTD, fixtureEntries());
    assertHolds(V1_STORED, [{ ts: -5n, line: 'tiny' }, { ts: 7n, line: '' }]);
  });

  it('framed from version 2 sections decode like their version 2 chunk', () => {
    assert.deepEqual(encodeV1(fixtureEntries()), V1_ZSTD, 'the framing reproduces the version 1 encoder');
    const entries = Array.from({ length: 700 }, (_, i) => ({ ts: BigInt(i * i) * 1000n, line: `req ${i} ${'x'.repeat(i % 50)}` }));
    assertHolds(encodeV1(entries), entries);
    assertHolds(encodeV1(entries, false), entries);
  });

  it('detect a changed byte at every position, truncation and trailing garbage', () => {
    for (const original of [V1_ZSTD, V1_STORED]) {
      for (let pos = 0; pos < original.length; pos++) {
        for (const xor of [0x01, 0x80, 0xff]) {
          const data = Buffer.from(original);
          data[pos]! ^= xor;
          assert.ok(decodeOrCorrupt(data), `byte ${pos} ^ ${xor} went unnoticed`);
        }
      }
      for (let len = 0; len < original.length; len++) assert.ok(decodeOrCorrupt(original.subarray(0, len)), `truncation to ${len}`);
      assert.ok(decodeOrCorrupt(Buffer.concat([original, Buffer.from([0])])));
    }
  });

  it('reject bodies that pass the checksum but are malformed, and never fail otherwise', () => {
    const body = decompress(V1_ZSTD.subarray(HEADER_SIZE));
    const frame = (b: Buffer, count = 40): Buffer => frameV1(b, b.length, count, 0);
    assert.equal(decodeOrCorrupt(frame(body)), false, 'the unmutated body decodes');
    let state = 11;
    const rnd = (): number => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state / 4294967296;
    };
    let rejected = 0;
    for (let n = 0; n < 3000; n++) {
      const b = Buffer.from(body);
      const flips = 1 + Math.floor(rnd() * 4);
      for (let f = 0; f < flips; f++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
      if (decodeOrCorrupt(frame(b))) rejected++;
    }
    assert.ok(rejected > 0);
    for (let len = 0; len < body.length; len += 3) assert.ok(decodeOrCorrupt(frame(body.subarray(0, len))), `cut to ${len}`);
    for (const count of [0, 1, 39, 41, 0xffffffff]) assert.ok(decodeOrCorrupt(frame(body, count)), `count ${count}`);
  });
});
