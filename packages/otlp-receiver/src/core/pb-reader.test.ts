import { test } from 'node:test';
import assert from 'node:assert/strict';
import protobuf from 'protobufjs';
import { DecodeError } from './decoded.js';
import { PbReader, WIRE_FIXED32, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT } from './pb-reader.js';

test('PbReader reads what protobufjs writes: varints of every width, fixed, double, strings', () => {
  const w = protobuf.Writer.create();
  w.uint32(300).int32(-5).int64('-9007199254740993').uint64('18446744073709551615').int64(1_700_000_000).bool(true);
  w.fixed32(0xdeadbeef).fixed64('1700000000123456789').double(-1.5).string('héllo').bytes(Buffer.from([1, 2, 3]));
  const r = new PbReader(Buffer.from(w.finish()));
  assert.equal(r.uint32(), 300);
  assert.equal(r.int32(), -5);
  assert.equal(r.int64(), -9007199254740993n);
  assert.equal(r.uint64(), 18446744073709551615n);
  assert.equal(r.int64(), 1_700_000_000n);
  assert.equal(r.bool(), true);
  assert.equal(r.fixed32(), 0xdeadbeef);
  assert.equal(r.fixed64(), 1700000000123456789n);
  assert.equal(r.double(), -1.5);
  assert.equal(r.string(), 'héllo');
  assert.deepEqual([...r.bytes()], [1, 2, 3]);
  assert.equal(r.more(), false);
});

test('PbReader skips each wire type', () => {
  const w = protobuf.Writer.create();
  w.uint32(1 << 20).fixed64(1).string('skip me').fixed32(7).uint32(42);
  const r = new PbReader(Buffer.from(w.finish()));
  for (const wt of [WIRE_VARINT, WIRE_FIXED64, WIRE_LEN, WIRE_FIXED32]) r.skip(wt);
  assert.equal(r.uint32(), 42);
});

test('PbReader: truncated and malformed input throws DecodeError with the offset', () => {
  const cases: [Buffer, (r: PbReader) => unknown, RegExp][] = [
    [Buffer.from([0x80, 0x80]), (r) => r.uint32(), /truncated varint at byte 2/],
    [Buffer.alloc(11, 0xff), (r) => r.uint64(), /varint longer than 10 bytes/],
    [Buffer.from([0x05, 0x61]), (r) => r.string(), /length 5 runs past the end/],
    [Buffer.from([1, 2, 3]), (r) => r.fixed32(), /truncated fixed32/],
    [Buffer.from([1, 2, 3]), (r) => r.fixed64(), /truncated fixed64/],
    [Buffer.from([1]), (r) => r.skip(3), /unsupported wire type 3/],
  ];
  for (const [buf, read, message] of cases) {
    assert.throws(() => read(new PbReader(buf)), (e: unknown) => e instanceof DecodeError && message.test(e.message));
  }
});

test('PbReader stays inside a sub-message end', () => {
  const r = new PbReader(Buffer.from([0x02, 0x61, 0x62, 0x63]), 0, 2);
  assert.throws(() => r.fixed32(), DecodeError);
});
