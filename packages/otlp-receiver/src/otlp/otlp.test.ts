import { test } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import { otlpGrpcClient } from '../test-support/grpc-client.js';
import { testIngester } from '../test-support/recording-store.js';
import { startOtlpHttp } from './http-server.js';
import { startOtlpGrpc } from './grpc-server.js';
import { ExportLogsServiceRequest, ExportLogsServiceResponse } from './schema.js';

const TRACE = '5b8efff798038103d269b633813fc60c';
const SPAN = 'eee19b7ec3c1b174';

/** One request in OTLP/JSON form (hex ids, int64 as strings). */
const jsonRequest = {
  resourceLogs: [
    {
      resource: {
        attributes: [
          { key: 'service.name', value: { stringValue: 'checkout' } },
          { key: 'k8s.pod.name', value: { stringValue: 'pod-1' } },
          { key: 'host.name', value: { stringValue: 'h1' } },
        ],
      },
      scopeLogs: [
        {
          scope: { name: 'my.lib', version: '1.2', attributes: [{ key: 'scope.attr', value: { boolValue: true } }] },
          logRecords: [
            {
              timeUnixNano: '1700000000000000001',
              observedTimeUnixNano: '1700000000000000009',
              severityNumber: 17,
              severityText: 'ERROR',
              body: { stringValue: 'payment failed' },
              attributes: [
                { key: 'http.status_code', value: { intValue: '502' } },
                { key: 'ratio', value: { doubleValue: 0.5 } },
                { key: 'req', value: { kvlistValue: { values: [{ key: 'id', value: { stringValue: 'r1' } }] } } },
                { key: '2fa', value: { stringValue: 'yes' } },
              ],
              traceId: TRACE,
              spanId: SPAN,
              flags: 1,
            },
            { observedTimeUnixNano: '1700000000000000100', body: { kvlistValue: { values: [{ key: 'a', value: { intValue: 1 } }] } } },
          ],
        },
      ],
    },
  ],
};

function assertMapped(entries: ReturnType<ReturnType<typeof testIngester>['store']['entries']>) {
  assert.equal(entries.length, 2);
  const [a, b] = entries;
  assert.deepEqual(a!.labels, { service_name: 'checkout', k8s_pod_name: 'pod-1' });
  assert.equal(a!.ts, 1700000000000000001n);
  assert.equal(a!.line, 'payment failed');
  assert.deepEqual(a!.metadata, {
    host_name: 'h1',
    scope_attr: 'true',
    scope_name: 'my.lib',
    scope_version: '1.2',
    http_status_code: '502',
    ratio: '0.5',
    req_id: 'r1',
    key_2fa: 'yes',
    severity_text: 'ERROR',
    severity_number: '17',
    trace_id: TRACE,
    span_id: SPAN,
    flags: '1',
    observed_timestamp: '1700000000000000009',
    detected_level: 'error',
  });
  assert.equal(b!.ts, 1700000000000000100n, 'falls back to the observed time');
  assert.equal(b!.line, '{"a":1}');
}

async function withHttp(fn: (url: string, t: ReturnType<typeof testIngester>) => Promise<void>, overrides = {}) {
  const t = testIngester(overrides);
  const srv = await startOtlpHttp({ ...t.options, listen: '127.0.0.1:0' });
  try {
    await fn(`http://${srv.address}/v1/logs`, t);
  } finally {
    await srv.close();
  }
}

test('OTLP/HTTP JSON maps resource, scope and record fields as Loki does', async () => {
  await withHttp(async (url, { store }) => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(jsonRequest) });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.deepEqual(await res.json(), {});
    assertMapped(store.entries());
  });
});

test('OTLP/HTTP protobuf with gzip gives the same mapping and a protobuf response', async () => {
  await withHttp(async (url, { store }) => {
    const asProtoObject = structuredClone(jsonRequest) as typeof jsonRequest & Record<string, unknown>;
    const rec = asProtoObject.resourceLogs[0]!.scopeLogs[0]!.logRecords[0]! as Record<string, unknown>;
    rec['traceId'] = Buffer.from(TRACE, 'hex');
    rec['spanId'] = Buffer.from(SPAN, 'hex');
    const body = zlib.gzipSync(ExportLogsServiceRequest.encode(ExportLogsServiceRequest.fromObject(asProtoObject)).finish());
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' }, body });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/x-protobuf');
    assertMapped(store.entries());
  });
});

test('OTLP/HTTP: undecodable body → 400 Status, refused records → partial success', async () => {
  await withHttp(async (url) => {
    let res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"resourceLogs":' });
    assert.equal(res.status, 400);
    assert.equal((await res.json() as { code: number }).code, 3);
    res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: Buffer.from([0x0a, 0xff, 0x01]) });
    assert.equal(res.status, 400);
    res = await fetch(url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' });
    assert.equal(res.status, 415);
    res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(jsonRequest) });
    const out = (await res.json()) as { partialSuccess: { rejectedLogRecords: string; errorMessage: string } };
    assert.equal(res.status, 200);
    assert.equal(out.partialSuccess.rejectedLogRecords, '2');
    assert.match(out.partialSuccess.errorMessage, /Max entry size '5' bytes exceeded/);
  }, { max_line_size: 5 });
});

test('OTLP/gRPC Export stores records and answers partial success', async () => {
  const t = testIngester({ max_line_size: 10 });
  const srv = await startOtlpGrpc({ ...t.options, listen: '127.0.0.1:0' });
  const client = otlpGrpcClient(srv.address);
  try {
    const req = ExportLogsServiceRequest.fromObject({
      resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] }, scopeLogs: [{ logRecords: [{ body: { stringValue: 'short' } }, { body: { stringValue: 'far too long a line' } }] }] }],
    });
    const ok = await client.export(ExportLogsServiceRequest.encode(req).finish());
    assert.equal(ok.err, null);
    const res = ExportLogsServiceResponse.toObject(ExportLogsServiceResponse.decode(ok.res!), { longs: Number }) as { partialSuccess?: { rejectedLogRecords: number } };
    assert.equal(res.partialSuccess?.rejectedLogRecords, 1);
    assert.deepEqual(t.store.entries().map((e) => [e.labels['service_name'], e.line]), [['svc', 'short']]);
    const bad = await client.export(Buffer.from([0x0a, 0xff]));
    assert.equal(bad.err?.code, grpc.status.INVALID_ARGUMENT);
  } finally {
    client.close();
    await srv.close();
  }
});

test('OTLP/HTTP JSON with severityNumber as an enum name maps severity_number and detected_level', async () => {
  await withHttp(async (url, { store }) => {
    const body = { resourceLogs: [{ scopeLogs: [{ logRecords: [{ severityNumber: 'SEVERITY_NUMBER_WARN', body: { stringValue: 'disk almost full' } }] }] }] };
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(res.status, 200);
    const [e] = store.entries();
    assert.equal(e!.metadata?.['severity_number'], '13');
    assert.equal(e!.metadata?.['detected_level'], 'warn');
  });
});
