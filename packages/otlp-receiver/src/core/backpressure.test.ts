import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { ExportLogsServiceRequest } from '../otlp/schema.js';
import { startOtlpGrpc } from '../otlp/grpc-server.js';
import { startSyslog } from '../syslog/server.js';
import { otlpGrpcClient } from '../test-support/grpc-client.js';
import { serveIngestRoutes } from '../test-support/http.js';
import { realIngester, until } from '../test-support/store.js';

const nowNs = () => String(BigInt(Date.now()) * 1_000_000n);

function lokiJson(app: string, lines: string[]): string {
  const ts = BigInt(Date.now()) * 1_000_000n;
  return JSON.stringify({ streams: [{ stream: { app }, values: lines.map((l, i) => [String(ts + BigInt(i)), l]) }] });
}

const otlpRecord = (line: string) => ({
  resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'bp' } }] }, scopeLogs: [{ logRecords: [{ timeUnixNano: nowNs(), body: { stringValue: line } }] }] }],
});

test('past maxInflightBytes: Loki push and OTLP/HTTP answer 503 + Retry-After, gRPC RESOURCE_EXHAUSTED; all recover once drained', async () => {
  const t = await realIngester({ discover_service_name: [], discover_log_levels: false }, { maxInflightBytes: 4096 });
  const http = await serveIngestRoutes(t.options);
  const grpcSrv = await startOtlpGrpc({ ...t.options, listen: '127.0.0.1:0' });
  const grpcClient = otlpGrpcClient(grpcSrv.address);
  const push = (body: string) => fetch(`${http.url}/loki/api/v1/push`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  try {
    t.store.hold();
    // One body larger than the whole budget is let through when nothing else is in flight, and then fills it.
    const big = push(lokiJson('held', Array.from({ length: 50 }, (_, i) => `held line ${i} ${'x'.repeat(100)}`)));
    assert.ok(await until(() => t.store.waiting === 1), 'the big push reaches the store');
    assert.ok(t.ingester.budget.full);

    const refused = await push(lokiJson('late', ['late']));
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get('retry-after'), '1');
    assert.match(await refused.text(), /overloaded/);

    const otlp = await fetch(`${http.url}/otlp/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(otlpRecord('late otlp')) });
    assert.equal(otlp.status, 503);
    assert.equal(otlp.headers.get('retry-after'), '1');
    assert.equal(((await otlp.json()) as { code: number }).code, 14, 'google.rpc.Status UNAVAILABLE');

    const pb = ExportLogsServiceRequest.encode(ExportLogsServiceRequest.fromObject(otlpRecord('late grpc'))).finish();
    const exhausted = await grpcClient.export(pb);
    assert.equal(exhausted.err?.code, grpc.status.RESOURCE_EXHAUSTED);

    t.store.release();
    assert.equal((await big).status, 204);
    assert.equal(t.ingester.budget.inUse, 0, 'the held request gave its budget back');
    assert.equal((await push(lokiJson('late', ['late']))).status, 204);
    assert.equal((await grpcClient.export(pb)).err, null);
    const lines = t.store.entries('fake').map((e) => e.line);
    assert.equal(lines.length, 52);
    assert.ok(lines.includes('late') && lines.includes('late grpc') && !lines.includes('late otlp'));
    const requests = await t.registry.getSingleMetricAsString('lode_ingest_requests_total');
    assert.match(requests, /protocol="loki_json",status="503"} 1/);
    assert.match(requests, /protocol="otlp_http",status="503"} 1/);
    assert.match(requests, /protocol="otlp_grpc",status="RESOURCE_EXHAUSTED"} 1/);
  } finally {
    t.store.release();
    grpcClient.close();
    await grpcSrv.close();
    await http.close();
    await t.close();
  }
});

test('syslog: TCP stops reading while the budget is exhausted and resumes after; UDP datagrams are counted as dropped', async () => {
  const limit = 64 * 1024;
  const t = await realIngester({}, { maxInflightBytes: limit });
  const srv = await startSyslog({ ...t.options, listen: '127.0.0.1:0', tenant: 'net' });
  const port = Number(srv.address.slice(srv.address.lastIndexOf(':') + 1));
  const udp = dgram.createSocket('udp4');
  try {
    t.store.hold();
    const count = 4000;
    const pad = 'p'.repeat(1000);
    // Timestamps must be recent: the store refuses samples older than reject_old_samples_max_age.
    const stamp = new Date().toISOString();
    const payload = Array.from({ length: count }, (_, i) => `<13>1 ${stamp} h1 app - - - tcp ${i} ${pad}\n`).join('');
    const client = net.connect(port, '127.0.0.1');
    const closed = new Promise((r) => client.on('close', r));
    client.end(payload);

    assert.ok(await until(() => t.store.waiting === 1 && t.ingester.budget.full), 'the first batch is held and the budget fills');
    // Give the socket time to deliver everything it would if reading had not paused.
    await new Promise((r) => setTimeout(r, 300));
    const held = t.ingester.budget.inUse;
    assert.ok(held < payload.length / 4, `server paused reading: ${held} bytes taken of ${payload.length} sent`);

    for (let i = 0; i < 3; i++) await new Promise<void>((r, j) => udp.send(`<13>1 ${stamp} h1 app - - - udp ${i}`, port, '127.0.0.1', (e) => (e ? j(e) : r())));
    const dropped = async () => (await t.registry.getSingleMetric('lode_syslog_dropped_datagrams_total')!.get()).values.reduce((n, v) => n + v.value, 0);
    for (let i = 0; i < 300 && (await dropped()) < 3; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(await dropped(), 3);

    t.store.release();
    assert.ok(await until(() => t.store.entries('net').length === count, 10_000), 'reading resumed and every TCP message arrived');
    await closed;
    assert.ok(await until(() => t.ingester.budget.inUse === 0));
    const lines = t.store.entries('net').map((e) => e.line);
    assert.equal(new Set(lines).size, count);
    assert.ok(!lines.some((l) => l.startsWith('udp')));
  } finally {
    udp.close();
    t.store.release();
    await srv.close();
    await t.close();
  }
});
