import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StreamPush } from '@lode/store';
import { testIngester } from '../test-support/recording-store.js';

const stream = (labels: Record<string, string>, ...lines: string[]): StreamPush => ({
  labels,
  entries: lines.map((line, i) => ({ ts: BigInt(i + 1), line })),
});

test('a clean push is appended with service_name and detected_level added', async () => {
  const { store, ingester } = testIngester();
  const out = await ingester.push('t1', [stream({ app: 'api' }, 'level=info hello')], 'loki_json');
  assert.equal(out.status, 204);
  assert.equal(out.accepted, 1);
  const [e] = store.entries('t1');
  assert.deepEqual(e!.labels, { app: 'api', service_name: 'api' });
  assert.deepEqual(e!.metadata, { detected_level: 'info' });
});

test('discovery switched off keeps streams exactly as pushed', async () => {
  const { store, ingester } = testIngester({ discover_service_name: [], discover_log_levels: false });
  await ingester.push('t', [stream({ app: 'api' }, 'error!')], 'loki_json');
  const [e] = store.entries();
  assert.deepEqual(e!.labels, { app: 'api' });
  assert.equal(e!.metadata, undefined);
});

test('too long lines are rejected with Loki\'s text while the rest of the request is kept', async () => {
  const { store, ingester, registry } = testIngester({ max_line_size: 10, discover_service_name: [] });
  const out = await ingester.push('t', [stream({ a: '1' }, 'short', 'x'.repeat(11)), stream({ a: '2' }, 'ok')], 'loki_json');
  assert.equal(out.status, 400);
  assert.equal(out.accepted, 2);
  assert.equal(out.rejectedCount, 1);
  assert.equal(out.message, "Max entry size '10' bytes exceeded for stream '{a=\"1\"}' while adding an entry with length '11' bytes");
  assert.deepEqual(store.entries().map((e) => e.line), ['short', 'ok']);
  const metrics = await registry.getSingleMetricAsString('lode_discarded_samples_total');
  assert.match(metrics, /reason="line_too_long",tenant="t"} 1/);
});

test('max_line_size_truncate cuts lines at a character boundary instead', async () => {
  const { store, ingester } = testIngester({ max_line_size: 5, max_line_size_truncate: true });
  const out = await ingester.push('t', [stream({ a: '1' }, 'abcdéfgh')], 'loki_json');
  assert.equal(out.status, 204);
  assert.equal(store.entries()[0]!.line, 'abcd');
});

test('too many label names refuse the stream', async () => {
  const { ingester } = testIngester({ max_label_names_per_series: 2, discover_service_name: [] });
  const out = await ingester.push('t', [stream({ a: '1', b: '2', c: '3' }, 'x')], 'loki_json');
  assert.equal(out.status, 400);
  assert.equal(out.message, "entry for stream '{a=\"1\", b=\"2\", c=\"3\"}' has 3 label names; limit 2");
});

test('the tenant rate limit refuses the whole request with 429 and Retry-After', async () => {
  const { store, ingester } = testIngester({ ingestion_rate_mb: 0.0001, ingestion_burst_size_mb: 0.0001 });
  const big = 'x'.repeat(200);
  const out = await ingester.push('acme', [stream({ a: '1' }, big)], 'loki_json');
  assert.equal(out.status, 429);
  assert.equal(out.accepted, 0);
  assert.ok(out.retryAfterSeconds! >= 1);
  assert.match(out.message, /^Ingestion rate limit exceeded for user acme \(limit: 104 bytes\/sec\) while attempting to ingest '1' lines totaling '\d+' bytes/);
  assert.equal(store.appends.length, 0);
});

test('the active stream limit refuses new streams only', async () => {
  const { ingester } = testIngester({ max_global_streams_per_user: 1, discover_service_name: [] });
  assert.equal((await ingester.push('t', [stream({ a: '1' }, 'x')], 'loki_json')).status, 204);
  const out = await ingester.push('t', [stream({ a: '1' }, 'y'), stream({ a: '2' }, 'z')], 'loki_json');
  assert.equal(out.status, 429);
  assert.equal(out.accepted, 1);
  assert.match(out.message, /^Maximum active stream limit exceeded when trying to create stream \{a="2"\}/);
});

test('the per-stream rate limit refuses the entries beyond the burst', async () => {
  const { ingester } = testIngester({ per_stream_rate_limit: 1, per_stream_rate_limit_burst: 20, discover_service_name: [], discover_log_levels: false });
  const out = await ingester.push('t', [stream({ a: '1' }, 'x'.repeat(15), 'y'.repeat(15))], 'loki_json');
  assert.equal(out.status, 429);
  assert.equal(out.accepted, 1);
  assert.match(out.message, /^Per stream rate limit exceeded \(limit: 1B\/sec\) while attempting to ingest for stream '\{a="1"\}' totaling 15B/);
});

test('a stream without labels is refused', async () => {
  const { ingester } = testIngester();
  const out = await ingester.push('t', [stream({}, 'x')], 'loki_json');
  assert.equal(out.status, 400);
  assert.equal(out.message, 'error at least one label pair is required per stream');
});

test('received entries are counted per protocol and tenant', async () => {
  const { ingester, registry } = testIngester();
  await ingester.push('t9', [stream({ a: '1' }, 'x', 'y')], 'syslog');
  assert.match(await registry.getSingleMetricAsString('lode_ingest_entries_total'), /protocol="syslog",tenant="t9"} 2/);
});

test('rate limits count UTF-8 bytes of lines and metadata, not UTF-16 units', async () => {
  const MB = 1024 * 1024;
  const quiet = { discover_service_name: [], discover_log_levels: false };
  // 40 characters but 120 bytes: over a 100-byte burst, although `line.length` is only 40.
  const euros = '€'.repeat(40);
  const tenantLimited = testIngester({ ...quiet, ingestion_rate_mb: 100 / MB, ingestion_burst_size_mb: 100 / MB });
  let out = await tenantLimited.ingester.push('t', [stream({ a: '1' }, euros)], 'loki_json');
  assert.equal(out.status, 429);
  assert.match(out.message, /while attempting to ingest '1' lines totaling '120' bytes/);
  out = await tenantLimited.ingester.push('t', [stream({ a: '1' }, 'a'.repeat(90))], 'loki_json');
  assert.equal(out.status, 204, 'ASCII of the same budget passes');

  const streamLimited = testIngester({ ...quiet, per_stream_rate_limit: 1, per_stream_rate_limit_burst: 80 });
  const withMeta = stream({ a: '1' }, 'ü'.repeat(30));
  withMeta.entries[0]!.metadata = { 'ключ': 'значение' };
  out = await streamLimited.ingester.push('t', [withMeta], 'loki_json');
  assert.equal(out.status, 429, '60 line bytes + 24 metadata bytes exceed 80; UTF-16 units (30 + 12) would not');
  assert.match(out.message, /totaling 84B/);
});
