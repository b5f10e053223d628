import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeRecord, encodeRecord, RecordFormatError, type RecordStream } from './record.js';
import { hashStreamId, labelsError, formatSelector, nextStreamId, streamIdHex } from './labels.js';
import { DEFAULT_LIMITS } from './limits.js';

test('WAL records round-trip tenant, ids, labels, entries and metadata', () => {
  const streams: RecordStream[] = [
    { id: 0xfedcba9876543210n, labels: { app: 'api', 'ünï': 'cödé' }, entries: [
      { ts: -5n, line: '' },
      { ts: 1_700_000_000_123_456_789n, line: 'héllo 🌍', metadata: { trace_id: 'abc' } },
    ] },
    { id: 1n, labels: { a: 'b' }, entries: [{ ts: 0n, line: 'x'.repeat(70_000) }] },
  ];
  const buf = encodeRecord('tenant-1', streams);
  assert.deepEqual(decodeRecord(buf), { tenant: 'tenant-1', streams });
  assert.throws(() => decodeRecord(buf.subarray(0, buf.length - 3)), RecordFormatError);
});

test('a frozen metadata object shared by entries is written once and copied; each entry decodes with it', () => {
  const shared = Object.freeze({ detected_level: 'info', sevérity: 'ïnfo' });
  const other = Object.freeze({ detected_level: 'warn' });
  const entries = Array.from({ length: 50 }, (_, i) => ({ ts: BigInt(i), line: `line ${i}`, metadata: i % 3 === 0 ? other : shared }));
  // Past the initial scratch size, so a copy from before a regrowth is covered too.
  entries.push({ ts: 99n, line: 'y'.repeat(1 << 20), metadata: shared });
  entries.push({ ts: 100n, line: 'after', metadata: shared });
  const streams: RecordStream[] = [{ id: 7n, labels: { a: 'b' }, entries }];
  const decoded = decodeRecord(encodeRecord('t', streams));
  assert.deepEqual(decoded.streams[0]!.entries, entries.map((e) => ({ ts: e.ts, line: e.line, metadata: { ...e.metadata } })));
});

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
