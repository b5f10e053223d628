import { test } from 'node:test';
import assert from 'node:assert/strict';
import protobuf from 'protobufjs';
import { DEFAULT_LIMITS } from '@lode/store';
import { DecodeError } from '../core/decoded.js';
import { PbReader } from '../core/pb-reader.js';
import { decodeOtlpProto } from './decode.js';
import { mapOtlpLogs } from './map.js';
import { ExportLogsServiceRequest, type ExportRequest } from './schema.js';

const str = (s: string) => ({ stringValue: s });

/** A request using every field and value kind the mapper reads. */
const RICH = {
  resourceLogs: [
    {
      resource: { attributes: [{ key: 'service.name', value: str('checkout') }, { key: 'host.name', value: str('h1') }, { key: 'k8s.pod.name', value: str('pod-1') }] },
      schemaUrl: 'https://opentelemetry.io/schemas/1.21.0',
      scopeLogs: [
        {
          scope: { name: 'lib', version: '1.2.3', attributes: [{ key: 'scope.attr', value: { boolValue: true } }] },
          logRecords: [
            {
              timeUnixNano: '1700000000123456789',
              observedTimeUnixNano: '1700000000999999999',
              severityNumber: 17,
              severityText: 'ERROR',
              body: str('payment declined'),
              attributes: [
                { key: 'http.status', value: { intValue: '-42' } },
                { key: 'ratio', value: { doubleValue: 0.25 } },
                { key: 'raw', value: { bytesValue: Buffer.from('hi') } },
                { key: 'tags', value: { arrayValue: { values: [str('a'), { intValue: 7 }] } } },
                { key: 'user', value: { kvlistValue: { values: [{ key: 'id', value: str('u1') }, { key: 'geo', value: { kvlistValue: { values: [{ key: 'cc', value: str('DE') }] } } }] } } },
              ],
              droppedAttributesCount: 3,
              flags: 1,
              traceId: Buffer.from('0102030405060708090a0b0c0d0e0f10', 'hex'),
              spanId: Buffer.from('0102030405060708', 'hex'),
              eventName: 'checkout.failed',
            },
            { observedTimeUnixNano: '1700000001000000000', body: { kvlistValue: { values: [{ key: 'msg', value: str('map body') }] } } },
            { body: { intValue: '9007199254740993' } },
          ],
        },
      ],
    },
    { resource: {}, scopeLogs: [{ logRecords: [{ timeUnixNano: '5', body: str('no resource attributes') }] }] },
  ],
};

const encoded = () => Buffer.from(ExportLogsServiceRequest.encode(ExportLogsServiceRequest.fromObject(RICH)).finish());
const NOW = 1_800_000_000_000_000_000n;

test('OTLP protobuf: the wire reader maps exactly as protobufjs decoding does', () => {
  const body = encoded();
  const viaProtobufjs = ExportLogsServiceRequest.decode(body) as unknown as ExportRequest;
  const expected = mapOtlpLogs(viaProtobufjs, DEFAULT_LIMITS, NOW);
  const actual = mapOtlpLogs(decodeOtlpProto(body), DEFAULT_LIMITS, NOW);
  assert.deepEqual(actual, expected);
  // Spot checks so a shared mistake in both paths would still show.
  const first = actual.streams[0]!.entries[0]!;
  assert.equal(first.ts, 1700000000123456789n);
  assert.equal(first.metadata!['http_status'], '-42');
  assert.equal(first.metadata!['user_geo_cc'], 'DE');
  assert.equal(first.metadata!['trace_id'], '0102030405060708090a0b0c0d0e0f10');
  assert.equal(actual.streams[0]!.entries[2]!.line, '9007199254740993');
  assert.equal(actual.streams[1]!.entries[0]!.ts, 5n);
  assert.equal(actual.records, 4);
});

test('OTLP protobuf: every truncation and some garbage are DecodeErrors naming the body', () => {
  const body = encoded();
  // Cut inside the first resourceLogs field: a cut between top-level fields is a valid message.
  const top = new PbReader(body);
  top.uint32();
  const firstEnd = top.delimited();
  for (let cut = 1; cut < firstEnd; cut++) {
    assert.throws(() => decodeOtlpProto(body.subarray(0, cut)), (e: unknown) => e instanceof DecodeError && e.message.startsWith('invalid OTLP protobuf body: '), `cut at ${cut}`);
  }
  assert.throws(() => decodeOtlpProto(Buffer.from('not protobuf at all')), DecodeError);
});

test('OTLP protobuf: absurdly deep value nesting is refused, not a stack overflow', () => {
  // Written by hand: protobufjs itself refuses to build such a message.
  const field = (tag: number, inner: Uint8Array) => protobuf.Writer.create().uint32(tag).bytes(inner).finish();
  let value = field(0x0a, Buffer.from('leaf'));
  for (let i = 0; i < 200; i++) value = field(0x2a, field(0x0a, value)); // AnyValue.array_value{values}
  const body = Buffer.from(field(0x0a, field(0x12, field(0x12, field(0x2a, value)))));
  assert.throws(() => decodeOtlpProto(body), (e: unknown) => e instanceof DecodeError && /nested deeper than 64/.test(e.message));
});
