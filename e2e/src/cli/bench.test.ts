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
