import { test } from 'node:test';
import assert from 'node:assert/strict';
import { columnEntries, decodeRecord, encodeRecord, RecordFormatError, type RecordStream } from './record.js';
import { hashStreamId, labelsError, formatSelector, nextStreamId, streamIdHex } from './labels.js';
import { DEFAULT_LIMITS } from './limits.js';

test('WAL records round-trip tenant, ids, labels, entries and metadata', () => {
  const streams: RecordStream[] = [
    { id: 0xfedcba9876543210n, labels: { app: 'api', 'ünï': 'cödé' }, entries: [
      { ts: -5n, line: '' },
      { ts: 1_700_000_000_123_456_789n, line: 'héllo 🌍', metadata: { trace_id: 'abc' } },
      { ts: -(1n << 63n), line: 'lone \ud800 surrogate' },
    ] },
    { id: 1n, labels: { a: 'b' }, entries: [{ ts: (1n << 63n) - 1n, line: 'x'.repeat(70_000) }] },
    { id: 2n, labels: {}, entries: [] },
  ];
  const rec = encodeRecord('tenant-1', streams);
  const lone = streams[0]!.entries[2]!;
  assert.deepEqual(decodeRecord(rec.payload), {
    tenant: 'tenant-1',
    streams: streams.map((s) => ({ ...s, entries: s.entries.map((e) => (e === lone ? { ...e, line: 'lone \ufffd surrogate' } : e)) })),
  });
  for (let cut = 1; cut < rec.payload.length; cut += 997) assert.throws(() => decodeRecord(rec.payload.subarray(0, rec.payload.length - cut)), RecordFormatError);
  rec.release();
  assert.throws(() => encodeRecord('t', [{ id: 1n, labels: {}, entries: [{ ts: 1n << 63n, line: 'x' }] }]), RangeError);
});

test('a record\'s columns are each stream\'s timestamps, UTF-8 lengths and line bytes', () => {
  const streams: RecordStream[] = [
    { id: 3n, labels: { app: 'a' }, entries: [{ ts: 10n, line: 'ab' }, { ts: 5n, line: 'ü€' }] },
    { id: 4n, labels: { app: 'b' }, entries: [{ ts: 7n, line: '' }, { ts: 8n, line: 'xyz', metadata: { k: 'v' } }] },
  ];
  const rec = encodeRecord('t', streams);
  assert.deepEqual(
    rec.columns.map((c) => ({ ts: [...c.ts], lengths: [...c.lengths], lines: Buffer.from(c.lines).toString() })),
    [
      { ts: [10n, 5n], lengths: [2, 5], lines: 'abü€' },
      { ts: [7n, 8n], lengths: [0, 3], lines: 'xyz' },
    ],
  );
  assert.equal(rec.columns[0]!.refs, undefined);
  assert.deepEqual([...rec.columns[1]!.refs!], [0, 1]);
  assert.equal(rec.columns[1]!.metadata[0], streams[1]!.entries[1]!.metadata, 'the appended object itself');
  assert.deepEqual(rec.columns.map(columnEntries), streams.map((s) => s.entries));
  rec.release();
});

test('record buffers are reused after release without touching records still held', () => {
  const make = (tag: string, n: number): RecordStream[] => [
    { id: 1n, labels: { tag }, entries: Array.from({ length: n }, (_, i) => ({ ts: BigInt(i), line: `${tag} ${i} ${'z'.repeat(i % 300)}` })) },
  ];
  const held = encodeRecord('t', make('held', 2000));
  const heldCopy = Buffer.from(held.payload);
  for (let round = 0; round < 20; round++) {
    const streams = make(`r${round}`, 100 + round * 150);
    const rec = encodeRecord('t', streams);
    assert.deepEqual(decodeRecord(rec.payload).streams, streams);
    rec.release();
  }
  assert.deepEqual(held.payload, heldCopy);
});

test('a frozen metadata object shared by entries is listed once; each entry decodes with it', () => {
  const shared = Object.freeze({ detected_level: 'info', sevérity: 'ïnfo' });
  const other = Object.freeze({ detected_level: 'warn' });
  const entries = Array.from({ length: 50 }, (_, i) => ({ ts: BigInt(i), line: `line ${i}`, metadata: i % 3 === 0 ? other : shared }));
  // Past the first record buffer's size, so a buffer regrowth is covered too.
  entries.push({ ts: 99n, line: 'y'.repeat(1 << 20), metadata: shared });
  entries.push({ ts: 100n, line: 'after', metadata: shared });
  const unfrozen = { ts: 101n, line: 'own', metadata: { own: 'yes' } };
  const streams: RecordStream[] = [{ id: 7n, labels: { a: 'b' }, entries: [...entries, unfrozen, { ts: 102n, line: 'bare' }] }];
  const rec = encodeRecord('t', streams);
  const decoded = decodeRecord(rec.payload);
  assert.deepEqual(decoded.streams[0]!.entries, [
    ...entries.map((e) => ({ ts: e.ts, line: e.line, metadata: { ...e.metadata } })),
    { ts: 101n, line: 'own', metadata: { own: 'yes' } },
    { ts: 102n, line: 'bare' },
  ]);
  const text = rec.payload.toString('latin1');
  assert.equal(text.split('sev').length - 1, 1, 'the shared object is written once');
  rec.release();
});

test('version 1 records (WALs written before the columnar layout) still decode', () => {
  const entries = [
    { ts: -5n, line: '' },
    { ts: 1_700_000_000_123_456_789n, line: 'héllo 🌍', metadata: { trace_id: 'abc', detected_level: 'info' } },
  ];
  const v1 = recordV1('tenant-1', [{ id: 0xfedcba9876543210n, labels: { app: 'api', 'ünï': 'cödé' }, entries }, { id: 1n, labels: {}, entries: [{ ts: 3n, line: 'x' }] }]);
  assert.deepEqual(decodeRecord(v1), {
    tenant: 'tenant-1',
    streams: [
      { id: 0xfedcba9876543210n, labels: { app: 'api', 'ünï': 'cödé' }, entries },
      { id: 1n, labels: {}, entries: [{ ts: 3n, line: 'x' }] },
    ],
  });
  assert.throws(() => decodeRecord(v1.subarray(0, v1.length - 2)), RecordFormatError);
  assert.throws(() => decodeRecord(Buffer.from([9, 0, 0])), /unknown WAL record version 9/);
});

/** The version 1 layout, written as the encoder before the columnar one did (see record.ts). */
function recordV1(tenant: string, streams: RecordStream[]): Buffer {
  const parts: Buffer[] = [];
  const u16 = (n: number) => parts.push(Buffer.from([n & 0xff, n >>> 8]));
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    parts.push(b);
  };
  const str = (s: string, prefix: 2 | 4) => {
    const b = Buffer.from(s, 'utf8');
    if (prefix === 2) u16(b.length);
    else u32(b.length);
    parts.push(b);
  };
  const labels = (l: Record<string, string>) => {
    u16(Object.keys(l).length);
    for (const [k, v] of Object.entries(l)) {
      str(k, 2);
      str(v, 4);
    }
  };
  parts.push(Buffer.from([1]));
  str(tenant, 2);
  u32(streams.length);
  for (const s of streams) {
    const id = Buffer.alloc(8);
    id.writeBigUInt64LE(s.id);
    parts.push(id);
    labels(s.labels);
    u32(s.entries.length);
    for (const e of s.entries) {
      const ts = Buffer.alloc(8);
      ts.writeBigInt64LE(e.ts);
      parts.push(ts);
      str(e.line, 4);
      labels(e.metadata ?? {});
    }
  }
  return Buffer.concat(parts);
}

test('stream ids are stable 64-bit hashes of the sorted label set; probing is deterministic', () => {
  const a = hashStreamId(formatSelector({ b: '2', a: '1' }));
  assert.equal(a, hashStreamId(formatSelector({ a: '1', b: '2' })));
  assert.match(streamIdHex(a), /^[0-9a-f]{16}$/);
  assert.equal(nextStreamId((1n << 64n) - 1n), 0n);
});

test('label validation follows Loki', () => {
  assert.equal(labelsError({ a: 'b' }, DEFAULT_LIMITS), undefined);
  const many = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`l${i}`, 'v']));
  assert.match(labelsError(many, DEFAULT_LIMITS)!, /has 16 label names; limit 15/);
  assert.match(labelsError({ ['n'.repeat(1025)]: 'v' }, DEFAULT_LIMITS)!, /has label name too long/);
  assert.match(labelsError({ a: '\ud800' }, DEFAULT_LIMITS)!, /UTF-8/);
});
