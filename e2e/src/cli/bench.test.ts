/** `lode bench ingest|query` against a real server: summaries, --json, exit codes. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type LodeServer } from '../support/server.js';
import { lines, runLode } from './run-lode.js';

let server: LodeServer;

before(async () => {
  server = await startServer();
});
after(() => server.close());

test('bench ingest pushes every line and reports it (json and table)', async () => {
  const r = await runLode(['bench', 'ingest', '--lines', '3000', '--streams', '5', '--batch-size', '500', '--json'], { addr: server.addr });
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout) as { lines: number; requests: number; failedLines: number; linesPerSecond: number; requestMs: { p50: number } };
  assert.equal(s.lines, 3000);
  assert.equal(s.requests, 6);
  assert.equal(s.failedLines, 0);
  assert.ok(s.linesPerSecond > 0);
  const stats = await runLode(['stats', '{bench="lode"}', '-o', 'json'], { addr: server.addr });
  assert.equal((JSON.parse(stats.stdout) as { entries: number; streams: number }).entries, 3000);

  const table = await runLode(['bench', 'ingest', '--lines', '100', '--seed', '7'], { addr: server.addr });
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /^METRIC\s+VALUE\n/);
  assert.match(table.stdout, /lines pushed\s+100\n/);
});

/** Entries the server holds for a selector (index/stats through `lode stats`). */
async function entries(selector: string): Promise<number> {
  const r = await runLode(['stats', selector, '-o', 'json'], { addr: server.addr });
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as { entries: number }).entries;
}

test('bench ingest --protocol all: every line of every protocol arrives once, with server RSS', async () => {
  const lokiBefore = await entries('{bench="lode"}');
  const r = await runLode(
    ['bench', 'ingest', '--protocol', 'all', '--lines', '2000', '--streams', '6', '--batch-size', '300', '--syslog-addr', `127.0.0.1:${server.ports.syslog}`, '--json'],
    { addr: server.addr },
  );
  assert.equal(r.code, 0, r.stderr);
  const results = JSON.parse(r.stdout) as Array<{ protocol: string; lines: number; failedLines: number; requests: number; serverPeakRssBytes?: number }>;
  assert.deepEqual(results.map((x) => x.protocol), ['loki-json', 'loki-proto', 'otlp-proto', 'syslog-tcp']);
  for (const x of results) {
    assert.equal(x.lines, 2000, x.protocol);
    assert.equal(x.failedLines, 0, x.protocol);
    assert.equal(x.requests, 7, x.protocol);
    assert.ok((x.serverPeakRssBytes ?? 0) > 0, `${x.protocol}: server RSS read from /metrics`);
  }
  // Loki JSON and protobuf push the same stream labels; OTLP maps them to resource attributes; syslog to facility/hostname.
  assert.equal((await entries('{bench="lode"}')) - lokiBefore, 4000);
  assert.equal(await entries('{service_instance_id=~"i-[0-9]+"}'), 2000);
  assert.equal(await entries('{facility="local0"}'), 2000);

  const table = await runLode(['bench', 'ingest', '--protocol', 'otlp-proto', '--lines', '50'], { addr: server.addr });
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /protocol\s+otlp-proto\n/);
  assert.match(table.stdout, /server peak RSS MB\s+\d+\n/);
  assert.equal((await runLode(['bench', 'ingest', '--protocol', 'carrier-pigeon'], { addr: server.addr })).code, 2);
});

test('bench query runs every query and reports latency', async () => {
  const r = await runLode(['bench', 'query', '--runs', '2', '--json'], { addr: server.addr });
  assert.equal(r.code, 0, r.stderr);
  const rows = JSON.parse(r.stdout) as Array<{ query: string; runs: number; errors: number; linesProcessed: number }>;
  assert.equal(rows.length, 6);
  for (const row of rows) assert.equal(row.errors, 0, row.query);
  assert.ok(rows.some((row) => row.linesProcessed > 0));

  const t = await runLode(['bench', 'query', '--runs', '1', '--query', '{app="api"}'], { addr: server.addr });
  assert.match(lines(t.stdout)[0]!, /^QUERY\s+RUNS\s+ERRORS\s+P50 MS/);
});

test('a failing query makes bench exit 1; a bad mode exits 2', async () => {
  const r = await runLode(['bench', 'query', '--runs', '1', '--query', '{app="api"', '--json'], { addr: server.addr });
  assert.equal(r.code, 1);
  assert.equal((JSON.parse(r.stdout) as Array<{ errors: number }>)[0]!.errors, 1);
  assert.equal((await runLode(['bench', 'explode'], { addr: server.addr })).code, 2);
});
