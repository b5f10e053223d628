import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DecodeError } from '../core/decoded.js';
import { decodeOtlpJson } from './decode.js';

const withSeverity = (...values: unknown[]) =>
  Buffer.from(JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: values.map((severityNumber) => ({ severityNumber, body: { stringValue: 'x' } })) }] }] }));

const severities = (body: Buffer) => decodeOtlpJson(body).resourceLogs![0]!.scopeLogs![0]!.logRecords!.map((r) => r.severityNumber ?? 0);

test('OTLP/JSON severityNumber: enum names, numbers and numeric strings', () => {
  assert.deepEqual(
    severities(withSeverity('SEVERITY_NUMBER_INFO', 'SEVERITY_NUMBER_WARN3', 'SEVERITY_NUMBER_FATAL4', 'SEVERITY_NUMBER_TRACE', 'SEVERITY_NUMBER_UNSPECIFIED', 17, '5')),
    [9, 15, 24, 1, 0, 17, 5],
  );
});

test('OTLP/JSON severityNumber: an unknown name is a decode error naming the value', () => {
  for (const bad of ['SEVERITY_NUMBER_LOUD', 'INFO', 'SEVERITY_NUMBER_INFO5', true]) {
    assert.throws(() => decodeOtlpJson(withSeverity(bad)), (e: unknown) => e instanceof DecodeError && e.message.includes(JSON.stringify(bad)));
  }
});
