import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter as HttpJsonExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPLogExporter as GrpcExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor, type LogRecordExporter } from '@opentelemetry/sdk-logs';
import { startLode, waitFor, type Lode } from './harness.js';

let lode: Lode;
before(async () => {
  lode = await startLode();
});
after(async () => {
  await lode.stop();
});

async function emitWith(exporter: LogRecordExporter, service: string, n: number): Promise<void> {
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': service, 'k8s.namespace.name': 'shop', 'host.name': 'node-1' }),
    processors: [new SimpleLogRecordProcessor({ exporter })],
  });
  const logger = provider.getLogger('e2e.scope', '1.0.0');
  for (let i = 0; i < n; i++) {
    logger.emit({
      body: `record ${i}`,
      severityNumber: SeverityNumber.WARN,
      severityText: 'WARN',
      attributes: { 'http.method': 'GET', attempt: i },
    });
  }
  await provider.forceFlush();
  await provider.shutdown();
}

for (const [name, make] of [
  ['otlp-http-json', () => new HttpJsonExporter({ url: `${lode.otlpHttp}/v1/logs` })],
  ['otlp-proto', () => new ProtoExporter({ url: `${lode.otlpHttp}/v1/logs` })],
  ['otlp-proto-3100', () => new ProtoExporter({ url: `${lode.http}/otlp/v1/logs` })],
  ['otlp-grpc', () => new GrpcExporter({ url: lode.otlpGrpc })],
] as const) {
  test(`${name}: every record arrives once with Loki's OTLP mapping`, async () => {
    await emitWith(make(), name, 5);
    const got = await waitFor(lode.http, `{service_name="${name}"}`, 5);
    assert.equal(got.length, 5);
    assert.deepEqual(got.map((e) => e.line).sort(), ['record 0', 'record 1', 'record 2', 'record 3', 'record 4']);
    const e = got.find((x) => x.line === 'record 3')!;
    assert.deepEqual(e.labels, { service_name: name, k8s_namespace_name: 'shop' });
    assert.equal(e.metadata['host_name'], 'node-1');
    assert.equal(e.metadata['http_method'], 'GET');
    assert.equal(e.metadata['attempt'], '3');
    assert.equal(e.metadata['scope_name'], 'e2e.scope');
    assert.equal(e.metadata['scope_version'], '1.0.0');
    assert.equal(e.metadata['severity_text'], 'WARN');
    assert.equal(e.metadata['severity_number'], '13');
    assert.equal(e.metadata['detected_level'], 'warn');
  });
}

test('OTLP/HTTP bad input: truncated protobuf and invalid JSON get 400, the server keeps serving', async () => {
  let res = await fetch(`${lode.otlpHttp}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: Buffer.from([0x0a, 0xff, 0x01]) });
  assert.equal(res.status, 400);
  res = await fetch(`${lode.otlpHttp}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"resourceLogs":[' });
  assert.equal(res.status, 400);
  res = await fetch(`${lode.otlpHttp}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  assert.equal(res.status, 200);
});
