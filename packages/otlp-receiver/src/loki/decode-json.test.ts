import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DecodeError } from '../core/decoded.js';
import { decodeLokiJson } from './decode.js';

const body = (line: string, labelValue = 'api') =>
  Buffer.from(JSON.stringify({ streams: [{ stream: { app: labelValue }, values: [['1700000000000000001', line, { user: labelValue }]] }] }));

test('Loki JSON push: ASCII, non-ASCII and escaped strings decode as JSON.parse gives them', () => {
  for (const [line, label] of [['plain ascii line', 'api'], ['grüße 日本 🙂', 'ü'], ['escaped \u00e9 "quote" \\ \n', 'x'], ['', '']]) {
    assert.deepEqual(decodeLokiJson(body(line!, label)), {
      streams: [{ labels: { app: label }, entries: [{ ts: 1700000000000000001n, line, metadata: { user: label } }] }],
      rejected: [],
    });
  }
});

test('Loki JSON push: invalid UTF-8 becomes U+FFFD as in a UTF-8 decode; bad JSON is a DecodeError', () => {
  const raw = Buffer.concat([Buffer.from('{"streams":[{"stream":{"a":"b"},"values":[["1","x'), Buffer.from([0xff]), Buffer.from('y"]]}]}')]);
  assert.equal(decodeLokiJson(raw).streams[0]!.entries[0]!.line, 'x\ufffdy');
  assert.throws(() => decodeLokiJson(Buffer.from('{"streams":[')), DecodeError);
});

test('Loki JSON push: timestamp strings read as BigInt(string) reads decimal digits, others refused', () => {
  const tsOf = (ts: unknown) => decodeLokiJson(Buffer.from(JSON.stringify({ streams: [{ stream: { a: 'b' }, values: [[ts, 'x']] }] }))).streams[0]!.entries[0]!.ts;
  for (const text of ['0', '7', '-0', '-5', '000123', '1700000000000000001', '9223372036854775807', '-9223372036854775808', '123456789', '1234567890', '999999999999999999999999', '1234567890123456789012345678']) {
    assert.equal(tsOf(text), BigInt(text), text);
  }
  assert.equal(tsOf(1700000000), 1700000000n);
  for (const bad of ['', '-', '12a4', ' 1', '1 ', '+1', '0x10', '1e9', '１２', '--1', 1.5, null]) {
    assert.throws(() => tsOf(bad), DecodeError, JSON.stringify(bad));
  }
});
