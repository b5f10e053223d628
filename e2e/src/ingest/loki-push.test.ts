import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import winston from 'winston';
import LokiTransport from 'winston-loki';
import { startLode, waitFor, type Lode } from './harness.js';

let lode: Lode;
before(async () => {
  lode = await startLode();
});
after(async () => {
  await lode.stop();
});

test('winston-loki (protobuf + snappy): every line arrives once with its labels', async () => {
  const errors: Error[] = [];
  const transport = new LokiTransport({ host: lode.http, labels: { app: 'winston-e2e' }, json: false, batching: true, interval: 0.2, onConnectionError: (e: unknown) => errors.push(e as Error) });
  const logger = winston.createLogger({ transports: [transport] });
  for (let i = 0; i < 10; i++) logger.error(`winston line ${i}`);
  const got = await waitFor(lode.http, '{app="winston-e2e"}', 10);
  logger.close();
  assert.deepEqual(errors, []);
  assert.equal(got.length, 10);
  assert.deepEqual(new Set(got.map((e) => e.line)).size, 10);
  assert.equal(got[0]!.labels['service_name'], 'winston-e2e');
  assert.equal(got[0]!.metadata['detected_level'], 'error');
});

test('JSON push with structured metadata; partial acceptance and bad input texts', async () => {
  const now = BigInt(Date.now()) * 1_000_000n;
  const push = (body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
    fetch(`${lode.http}/loki/api/v1/push`, { method: 'POST', headers, body });
  let res = await push(JSON.stringify({ streams: [{ stream: { app: 'json-e2e', env: 'test' }, values: [[String(now), 'first', { trace_id: 't1' }], [String(now + 1n), 'second']] }] }));
  assert.equal(res.status, 204);
  res = await push(JSON.stringify({ streams: [{ stream: { 'bad-label': 'x' }, values: [[String(now), 'nope']] }, { stream: { app: 'json-e2e', env: 'test' }, values: [[String(now + 2n), 'third']] }] }));
  assert.equal(res.status, 400);
  assert.match(await res.text(), /Error parsing labels/);
  res = await push('{"streams":[');
  assert.equal(res.status, 400);
  res = await push('x', { 'content-type': 'text/plain' });
  assert.equal(res.status, 415);
  const got = await waitFor(lode.http, '{app="json-e2e"}', 3);
  assert.deepEqual(got.map((e) => e.line).sort(), ['first', 'second', 'third']);
  assert.equal(got.find((e) => e.line === 'first')!.metadata['trace_id'], 't1');
});
