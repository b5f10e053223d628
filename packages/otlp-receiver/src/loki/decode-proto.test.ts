import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DecodeError } from '../core/decoded.js';
import { decodeLokiProto } from './decode.js';
import { PushRequestType } from './schema.js';

const encode = (streams: unknown[]) => Buffer.from(PushRequestType.encode(PushRequestType.fromObject({ streams })).finish());

test('Loki protobuf push: the wire reader yields what protobufjs encoded', () => {
  const body = encode([
    {
      labels: '{app="api", env="prod"}',
      hash: 12345,
      entries: [
        { timestamp: { seconds: 1700000000, nanos: 123456789 }, line: 'first', structuredMetadata: [{ name: 'trace_id', value: 'abc' }, { name: 'user', value: 'ü' }] },
        { timestamp: { seconds: 1700000001 }, line: '' },
        { line: 'no timestamp' },
      ],
    },
    { labels: '{app="web"}', entries: [{ timestamp: { seconds: 1, nanos: 2 }, line: 'x' }] },
  ]);
  assert.deepEqual(decodeLokiProto(body), {
    streams: [
      {
        labels: { app: 'api', env: 'prod' },
        entries: [
          { ts: 1700000000123456789n, line: 'first', metadata: { trace_id: 'abc', user: 'ü' } },
          { ts: 1700000001000000000n, line: '' },
          { ts: 0n, line: 'no timestamp' },
        ],
      },
      { labels: { app: 'web' }, entries: [{ ts: 1000000002n, line: 'x' }] },
    ],
    rejected: [],
  });
});

test('Loki protobuf push: a bad selector refuses that stream only', () => {
  const decoded = decodeLokiProto(encode([{ labels: '{app=~"x"}', entries: [{ line: 'a' }] }, { labels: '{ok="1"}', entries: [{ line: 'b' }] }]));
  assert.equal(decoded.streams.length, 1);
  assert.equal(decoded.rejected.length, 1);
  assert.equal(decoded.rejected[0]!.reason, 'invalid_labels');
});

test('Loki protobuf push: truncated or garbage bodies are DecodeErrors, never crashes', () => {
  const good = encode([{ labels: '{app="api"}', entries: [{ timestamp: { seconds: 1700000000 }, line: 'a line of text' }] }]);
  for (let cut = 1; cut < good.length; cut++) {
    assert.throws(() => decodeLokiProto(good.subarray(0, cut)), (e: unknown) => e instanceof DecodeError && e.message.startsWith('invalid protobuf push body: '), `cut at ${cut}`);
  }
  for (const garbage of [Buffer.from('{"streams":[]}'), Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]), Buffer.from([0x00, 0x01])]) {
    assert.throws(() => decodeLokiProto(garbage), DecodeError);
  }
});

test('Loki protobuf push: timestamps from any int64 seconds and int32 nanos, as BigInt arithmetic gives them', () => {
  const cases: Array<[string, number]> = [
    ['0', 0], ['1', 999_999_999], ['1700000000', 5], ['562949953421311', 1], ['562949953421312', 7], ['4398046511103', 0],
    ['9223372036854775807', 0], ['-1', 0], ['-62135596800', 0], ['-9223372036854775808', 0], ['1700000000', -5],
  ];
  const body = encode([{ labels: '{app="t"}', entries: cases.map(([seconds, nanos]) => ({ timestamp: { seconds, nanos }, line: seconds })) }]);
  const got = decodeLokiProto(body).streams[0]!.entries.map((e) => e.ts);
  assert.deepEqual(got, cases.map(([s, n]) => BigInt(s) * 1_000_000_000n + BigInt(n)));
  // A Timestamp given twice merges field by field (protobuf: later scalars win).
  const twice = Buffer.concat([
    Buffer.from([0x0a, 0x13, 0x0a, 0x09, 0x7b, 0x61, 0x70, 0x70, 0x3d, 0x22, 0x74, 0x22, 0x7d, 0x12, 0x06]),
    Buffer.from([0x0a, 0x02, 0x08, 0x05, 0x0a, 0x00]),
  ]);
  assert.equal(decodeLokiProto(twice).streams[0]!.entries[0]!.ts, 5_000_000_000n);
});
