import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import type { ApiKey } from './types.js';
import { ExportLogsServiceRequest } from '../otlp/schema.js';
import { startOtlpGrpc } from '../otlp/grpc-server.js';
import { startOtlpHttp } from '../otlp/http-server.js';
import { otlpGrpcClient } from '../test-support/grpc-client.js';
import { serveIngestRoutes } from '../test-support/http.js';
import { testIngester } from '../test-support/recording-store.js';

const apiKeys: ApiKey[] = [
  { key: 'w-key', tenant: 'team-w', role: 'write' },
  { key: 'r-key', tenant: 'team-r', role: 'read' },
  { key: 'a-key', tenant: 'team-a', role: 'admin' },
];
const bearer = (key?: string): Record<string, string> => (key ? { authorization: `Bearer ${key}` } : {});
const now = () => String(BigInt(Date.now()) * 1_000_000n);
const otlpObject = (line: string) => ({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ timeUnixNano: now(), body: { stringValue: line } }] }] }] });

test('API keys on Loki push and OTLP/HTTP (3100 and 4318): write and admin accepted as their tenant, read 403, missing or unknown 401', async () => {
  const { store, options } = testIngester({}, { apiKeys, multiTenant: true });
  const main = await serveIngestRoutes(options);
  const otlp = await startOtlpHttp({ ...options, listen: '127.0.0.1:0' });
  const lokiPush = (line: string, key?: string) =>
    fetch(`${main.url}/loki/api/v1/push`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-scope-orgid': 'ignored-with-keys', ...bearer(key) },
      body: JSON.stringify({ streams: [{ stream: { app: 'a' }, values: [[now(), line]] }] }),
    });
  const otlpPush = (url: string, line: string, key?: string) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...bearer(key) }, body: JSON.stringify(otlpObject(line)) });
  try {
    assert.equal((await lokiPush('loki write', 'w-key')).status, 204);
    assert.equal((await lokiPush('loki admin', 'a-key')).status, 204);
    const readOnly = await lokiPush('loki read', 'r-key');
    assert.equal(readOnly.status, 403);
    assert.match(await readOnly.text(), /role "read" may not write/);
    const missing = await lokiPush('loki none');
    assert.equal(missing.status, 401);
    assert.match(await missing.text(), /missing bearer token/);
    assert.equal((await lokiPush('loki wrong', 'nope')).status, 401);

    for (const url of [`${main.url}/otlp/v1/logs`, `http://${otlp.address}/v1/logs`]) {
      assert.equal((await otlpPush(url, `otlp write ${url}`, 'w-key')).status, 200);
      const denied = await otlpPush(url, 'otlp read', 'r-key');
      assert.equal(denied.status, 403);
      assert.equal(((await denied.json()) as { code: number }).code, 7, 'PERMISSION_DENIED status body');
      const anon = await otlpPush(url, 'otlp none');
      assert.equal(anon.status, 401);
      assert.equal(((await anon.json()) as { code: number }).code, 16, 'UNAUTHENTICATED status body');
    }

    assert.deepEqual(store.entries('team-w').map((e) => e.line).sort(), ['loki write', `otlp write ${main.url}/otlp/v1/logs`, `otlp write http://${otlp.address}/v1/logs`].sort());
    assert.deepEqual(store.entries('team-a').map((e) => e.line), ['loki admin']);
    assert.equal(store.entries().length, 4, 'nothing refused was stored');
  } finally {
    await otlp.close();
    await main.close();
  }
});

test('API keys on OTLP/gRPC: write accepted, read PERMISSION_DENIED, missing UNAUTHENTICATED', async () => {
  const { store, options } = testIngester({}, { apiKeys });
  const srv = await startOtlpGrpc({ ...options, listen: '127.0.0.1:0' });
  const client = otlpGrpcClient(srv.address);
  const body = (line: string) => ExportLogsServiceRequest.encode(ExportLogsServiceRequest.fromObject(otlpObject(line))).finish();
  try {
    assert.equal((await client.export(body('grpc write'), bearer('w-key'))).err, null);
    assert.equal((await client.export(body('grpc read'), bearer('r-key'))).err?.code, grpc.status.PERMISSION_DENIED);
    assert.equal((await client.export(body('grpc none'))).err?.code, grpc.status.UNAUTHENTICATED);
    assert.equal((await client.export(body('grpc wrong'), bearer('zzz'))).err?.code, grpc.status.UNAUTHENTICATED);
    assert.deepEqual(store.entries().map((e) => [e.line, store.appends[0]!.tenant]), [['grpc write', 'team-w']]);
  } finally {
    client.close();
    await srv.close();
  }
});
