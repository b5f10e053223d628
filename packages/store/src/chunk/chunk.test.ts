import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chunkChecksum, HEADER_SIZE, V2_PREFIX_SIZE } from './format.js';
import { ChunkCorruptError, decodeChunk, decodeChunkIndex, encodeChunk, type ChunkEncoding, type RawEntry } from './index.js';

const MIN_INT64 = -(1n << 63n);
const MAX_INT64 = (1n << 63n) - 1n;
const ENCODINGS: ChunkEncoding[] = ['lines', 'columnar'];

/** Encodes the entries in both encodings (at `level`) and checks that each reads back exactly. */
function roundTrip(entries: RawEntry[], level?: number): void {
  for (const encoding of ENCODINGS) roundTripIn(entries, encoding, level);
}

function roundTripIn(entries: RawEntry[], encoding: ChunkEncoding, level?: number): void {
  const encoded = encodeChunk(entries, { level, encoding });
  const chunk = decodeChunk(encoded.data);
  assert.equal(chunk.length, entries.length);
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    assert.equal(chunk.ts(i), e.ts, `ts of entry ${i}`);
    assert.equal(chunk.line(i), e.line, `line of entry ${i}`);
    assert.deepEqual(chunk.lineBytes(i), Buffer.from(e.line, 'utf8'));
    const md = e.metadata !== undefined && Object.keys(e.metadata).length > 0 ? e.metadata : {};
    assert.deepEqual(chunk.metadata(i), md, `metadata of entry ${i}`);
    assert.ok(Object.isFrozen(chunk.metadata(i)));
  }
  const bytes = entries.reduce((n, e) => n + Buffer.byteLength(e.line), 0);
  const index = decodeChunkIndex(encoded.data);
  assert.equal(index.length, entries.length);
  assert.deepEqual(index.timestamps, chunk.timestamps);
  assert.equal(index.hasMetadata, chunk.hasMetadata);
  assert.equal(index.hasMetadata, entries.some((e) => e.metadata !== undefined && Object.keys(e.metadata).length > 0));
  for (let i = 0; i < entries.length; i++) assert.equal(index.lineLength(i), Buffer.byteLength(entries[i]!.line), `length of entry ${i}`);
  assert.equal(index.linesBytes(0, entries.length), bytes);
  assert.deepEqual(encoded.stats, {
    minTs: entries[0]!.ts,
    maxTs: entries[entries.length - 1]!.ts,
    entries: entries.length,
    bytes,
  });
}

describe('chunk round trip', () => {
  it('keeps lines, timestamps and metadata of plain entries', () => {
    const base = 1_700_000_000_000_000_000n;
    const entries: RawEntry[] = [];
    for (let i = 0; i < 500; i++) {
      entries.push({
        ts: base + BigInt(i) * 1_000_003n,
        line: `level=info msg="request served" path=/api/v1/items/${i} status=${200 + (i % 3)} duration_ms=${i % 97}`,
        metadata: i % 4 === 0 ? undefined : { trace_id: (i * 2654435761).toString(16), 'service.name': 'checkout' },
      });
    }
    roundTrip(entries);
    roundTrip(entries, 1);
    roundTrip(entries, 3);
  });

  it('keeps unicode, empty lines and newlines inside lines', () => {
    roundTrip([
      { ts: 1n, line: '' },
      { ts: 2n, line: 'héllo wörld — ☃ 𝄞 日本語のログ' },
      { ts: 3n, line: '' },
      { ts: 4n, line: 'first\nsecond\r\nthird\u0000nul' },
      { ts: 5n, line: '🙂'.repeat(1000), metadata: { 'ключ': 'значение', emoji: '🚀', empty: '' } },
    ]);
  });

  it('keeps equal timestamps in their order', () => {
    const entries = Array.from({ length: 50 }, (_, i) => ({ ts: 42n, line: `same time #${i}` }));
    roundTrip(entries);
  });

  it('keeps extreme timestamps: negative, zero, year 2262, the whole int64 range', () => {
    roundTrip([
      { ts: MIN_INT64, line: 'min' },
      { ts: -1n, line: 'minus one' },
      { ts: 0n, line: 'epoch' },
      { ts: 2n ** 40n + 3n, line: 'delta above 32 bits' },
      { ts: 2n ** 53n + 2n ** 40n + 4n, line: 'delta above 53 bits' },
      { ts: MAX_INT64, line: 'max' },
    ]);
    roundTrip([{ ts: 9_223_372_036_854_775_000n, line: 'year 2262' }, { ts: MAX_INT64, line: 'last ns' }]);
    roundTrip([{ ts: MAX_INT64, line: 'one entry at the end of time' }]);
  });

  it('keeps deltas at the edge of the fast (53-bit) delta path and across the 32-bit word boundary', () => {
    const safe = 2n ** 53n - 1n;
    roundTrip([{ ts: -(2n ** 32n) - 1n, line: 'a' }, { ts: 2n ** 32n - 1n, line: 'b' }, { ts: 2n ** 32n, line: 'c' }, { ts: 2n ** 32n + safe, line: 'd' }]);
    roundTrip([{ ts: -1n, line: 'a' }, { ts: safe, line: 'b' }, { ts: 2n ** 54n, line: 'c' }]);
    const ms = 1_000_000n;
    roundTrip(Array.from({ length: 100 }, (_, i) => ({ ts: 2n ** 32n * 3n - 50n * ms + BigInt(i) * ms, line: `ms ${i}` })));
  });

  it('keeps timestamps stamped in whole ms, µs and seconds (scaled deltas)', () => {
    for (const unit of [1_000n, 1_000_000n, 1_000_000_000n]) {
      const entries = Array.from({ length: 300 }, (_, i) => ({ ts: -5n * unit + BigInt(i * i) * unit, line: `tick ${i}` }));
      roundTrip(entries);
    }
    roundTrip([{ ts: 0n, line: 'a' }, { ts: 7n * 10n ** 18n, line: 'b' }, { ts: 9n * 10n ** 18n, line: 'c' }]);
  });

  it('keeps metadata dictionary-encoded across entries, including awkward names', () => {
    const entries: RawEntry[] = [];
    for (let i = 0; i < 200; i++) {
      const md: Record<string, string> = { 'service.name': 'api', pod: `api-${i % 5}` };
      if (i % 7 === 0) Object.defineProperty(md, '__proto__', { value: 'not a prototype', enumerable: true, writable: true, configurable: true });
      if (i % 11 === 0) md['constructor'] = 'x';
      if (i % 13 === 0) md[`unique_${i}`] = `v${i}`;
      entries.push({ ts: BigInt(i), line: `line ${i}`, metadata: i % 3 === 0 ? {} : md });
    }
    roundTrip(entries);
    const chunk = decodeChunk(encodeChunk(entries).data);
    const withProto = chunk.metadata(7);
    assert.equal(Object.getPrototypeOf(withProto), Object.prototype);
    assert.equal(Object.getOwnPropertyDescriptor(withProto, '__proto__')?.value, 'not a prototype');
  });

  it('encodes shared frozen metadata objects exactly like per-entry copies', () => {
    const info = Object.freeze({ detected_level: 'info', 'service.name': 'api' });
    const warn = Object.freeze({ detected_level: 'warn' });
    const pick = [info, info, warn, undefined, info, { detected_level: 'info', trace_id: 'abc' }, warn, warn, info];
    const shared: RawEntry[] = pick.map((metadata, i) => ({ ts: BigInt(i), line: `line ${i}`, metadata }));
    const copied: RawEntry[] = pick.map((metadata, i) => ({ ts: BigInt(i), line: `line ${i}`, metadata: metadata && { ...metadata } }));
    roundTrip(shared);
    for (const encoding of ENCODINGS) assert.deepEqual(encodeChunk(shared, { encoding }).data, encodeChunk(copied, { encoding }).data);
    const bad = Object.freeze({ n: 1 as unknown as string });
    assert.throws(() => encodeChunk([{ ts: 1n, line: 'a', metadata: info }, { ts: 2n, line: 'b', metadata: bad }]), /metadata "n"/);
  });

  it('stores bodies that do not compress without zstd and still decodes them', () => {
    const entries = [{ ts: 1n, line: 'x' }];
    for (const encoding of ENCODINGS) assert.equal(encodeChunk(entries, { encoding }).data[3], 0, `a one-byte line is stored, not compressed (${encoding})`);
    roundTrip(entries);
  });

  for (const [encoding, version] of [['lines', 2], ['columnar', 3]] as const) {
    it(`reads the index without decompressing the body (${encoding})`, () => {
      const entries = Array.from({ length: 400 }, (_, i) => ({ ts: BigInt(i) * 1_000_000n, line: `GET /items/${i} 200 ${i % 17}ms` }));
      const data = encodeChunk(entries, { encoding }).data;
      assert.equal(data[2], version, `written in format version ${version}`);
      // Destroy the body's zstd frame but keep the checksum valid: the index still reads.
      const indexEnd = V2_PREFIX_SIZE + data.readUInt32LE(HEADER_SIZE + 6);
      assert.ok(indexEnd < data.length - 8);
      data.fill(0xee, indexEnd, indexEnd + 8);
      data.writeUInt32LE(chunkChecksum(data), 12);
      const index = decodeChunkIndex(data);
      assert.equal(index.length, 400);
      assert.equal(index.ts(399), 399_000_000n);
      assert.equal(index.linesBytes(0, 2), Buffer.byteLength(entries[0]!.line) + Buffer.byteLength(entries[1]!.line));
      assert.throws(() => decodeChunk(data), ChunkCorruptError);
    });
  }

  it('does not keep references to the encoded buffer', () => {
    for (const encoding of ENCODINGS) {
      const encoded = encodeChunk([{ ts: 1n, line: 'ab 12', metadata: { k: 'v' } }], { encoding });
      const copy = Buffer.from(encoded.data);
      const chunk = decodeChunk(copy);
      const index = decodeChunkIndex(copy);
      copy.fill(0);
      assert.equal(chunk.line(0), 'ab 12');
      assert.deepEqual(chunk.metadata(0), { k: 'v' });
      assert.equal(index.ts(0), 1n);
      assert.equal(index.lineLength(0), 5);
    }
  });

  it('refuses entries that break the contract', () => {
    assert.throws(() => encodeChunk([]), RangeError);
    assert.throws(() => encodeChunk([{ ts: 2n, line: 'a' }, { ts: 1n, line: 'b' }]), /sort entries/);
    assert.throws(() => encodeChunk([{ ts: MAX_INT64 + 1n, line: 'a' }]), RangeError);
    assert.throws(() => encodeChunk([{ ts: 1 as unknown as bigint, line: 'a' }]), RangeError);
    assert.throws(() => encodeChunk([{ ts: 1n, line: 'a', metadata: { k: 5 as unknown as string } }]), TypeError);
    assert.throws(() => encodeChunk([{ ts: 1n, line: 'a' }], { level: 0 }), RangeError);
    assert.throws(() => encodeChunk([{ ts: 1n, line: 'a' }], { encoding: 'rows' as ChunkEncoding }), /encoding "rows"/);
  });

  it('rejects entry indexes outside the chunk', () => {
    const chunk = decodeChunk(encodeChunk([{ ts: 1n, line: 'a' }]).data);
    assert.throws(() => chunk.line(1), RangeError);
    assert.throws(() => chunk.ts(-1), RangeError);
    assert.throws(() => chunk.metadata(0.5), RangeError);
  });
});

describe('lowerBound', () => {
  it('finds the first entry at or after a time, with runs of equal timestamps', () => {
    const times = [-5n, 0n, 0n, 0n, 3n, 7n, 7n, 100n, MAX_INT64];
    const chunk = decodeChunk(encodeChunk(times.map((ts, i) => ({ ts, line: String(i) }))).data);
    const expected = (t: bigint): number => {
      const i = times.findIndex((x) => x >= t);
      return i === -1 ? times.length : i;
    };
    for (const t of [MIN_INT64, -6n, -5n, -4n, -1n, 0n, 1n, 3n, 4n, 7n, 8n, 100n, 101n, MAX_INT64 - 1n, MAX_INT64]) {
      assert.equal(chunk.lowerBound(t), expected(t), `lowerBound(${t})`);
    }
    assert.equal(chunk.lowerBound(MAX_INT64 + 10n), times.length);
  });
});
