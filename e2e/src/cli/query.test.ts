/** `lode push` then `lode query` / `lode instant` against a real server: formats, paging, exit codes. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type LodeServer } from '../support/server.js';
import { lines, runLode } from './run-lode.js';

const LABELS = ['--limits.discover_service_name=', '--limits.discover_log_levels=false'];
let server: LodeServer;

before(async () => {
  server = await startServer({ args: LABELS });
  const input = Array.from({ length: 250 }, (_, i) => `line ${i + 1}`).join('\n') + '\n';
  const push = await runLode(['push', '--labels', '{app="q", env="test"}', '--batch-size', '60'], { addr: server.addr, stdin: input });
  assert.equal(push.code, 0, push.stderr);
  assert.match(push.stderr, /250 lines .* in 5 batches/);
});
after(() => server.close());

describe('lode query', () => {
  test('default output: time, labels, line; newest first; --limit', async () => {
    const r = await runLode(['query', '{app="q"}', '--limit', '3'], { addr: server.addr });
    assert.equal(r.code, 0, r.stderr);
    const out = lines(r.stdout);
    assert.equal(out.length, 3);
    assert.match(out[0]!, /^\d{4}-\d\d-\d\dT[\d:.]+Z \{app="q", env="test"\} line 250$/);
    assert.ok(out[2]!.endsWith(' line 248'));
  });

  test('raw output with --forward', async () => {
    const r = await runLode(['query', '{app="q"}', '--limit', '2', '--forward', '-o', 'raw'], { addr: server.addr });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(lines(r.stdout), ['line 1', 'line 2']);
  });

  test('pages through batches without repeating or skipping lines', async () => {
    const r = await runLode(['query', '{app="q"}', '--limit', '240', '--batch', '50', '-o', 'raw'], { addr: server.addr });
    assert.equal(r.code, 0, r.stderr);
    const expected = Array.from({ length: 240 }, (_, i) => `line ${250 - i}`);
    assert.deepEqual(lines(r.stdout), expected);
  });

  test('jsonl: one object per entry', async () => {
    const r = await runLode(['query', '{app="q"} |= "line 7"', '--limit', '100', '-o', 'jsonl', '--forward'], { addr: server.addr });
    assert.equal(r.code, 0, r.stderr);
    const rows = lines(r.stdout).map((l) => JSON.parse(l) as { line: string; labels: Record<string, string>; ts: string; timestamp: string });
    assert.deepEqual(rows.map((x) => x.line), ['line 7', 'line 70', 'line 71', 'line 72', 'line 73', 'line 74', 'line 75', 'line 76', 'line 77', 'line 78', 'line 79']);
    assert.deepEqual(rows[0]!.labels, { app: 'q', env: 'test' });
    assert.match(rows[0]!.ts, /^\d{19}$/);
  });

  test('json: the streams result', async () => {
    const r = await runLode(['query', '{app="q"}', '--limit', '4', '-o', 'json'], { addr: server.addr });
    assert.equal(r.code, 0, r.stderr);
    const body = JSON.parse(r.stdout) as { resultType: string; result: Array<{ stream: Record<string, string>; values: string[][] }> };
    assert.equal(body.resultType, 'streams');
    assert.equal(body.result.length, 1);
    assert.deepEqual(body.result[0]!.values.map((v) => v[1]), ['line 250', 'line 249', 'line 248', 'line 247']);
  });

  test('metric query: aligned table, and jsonl samples', async () => {
    const r = await runLode(['query', 'sum by (env) (count_over_time({app="q"}[1h]))', '--step', '1h', '--since', '10m'], { addr: server.addr });
    assert.equal(r.code, 0, r.stderr);
    const [header, row] = lines(r.stdout);
    assert.match(header!, /^env\s+TIME\s+VALUE$/);
    assert.match(row!, /^test\s+\S+Z\s+250$/);
    assert.equal(header!.indexOf('VALUE'), row!.indexOf('250'));
    const j = await runLode(['query', 'sum(count_over_time({app="q"}[1h]))', '--step', '1h', '--since', '10m', '-o', 'jsonl'], { addr: server.addr });
    assert.equal(JSON.parse(lines(j.stdout)[0]!).value, '250');
  });

  test('exit code 1 with the server\'s message on a bad query', async () => {
    const r = await runLode(['query', '{app="q"'], { addr: server.addr });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /server answered 400: parse error/);
    assert.equal(r.stdout, '');
  });

  test('exit code 1 when the server cannot be reached', async () => {
    const r = await runLode(['query', '{app="q"}', '--addr', 'http://127.0.0.1:9']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /cannot reach lode at http:\/\/127\.0\.0\.1:9/);
  });

  test('exit code 2 on usage errors', async () => {
    for (const args of [['query'], ['query', '{a="b"}', '--limit', 'x'], ['query', '{a="b"}', '--bogus'], ['query', '{a="b"}', '-o', 'xml'], ['query', '{a="b"}', '--since', '5 minutes']]) {
      const r = await runLode(args, { addr: server.addr });
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /Run lode query --help/);
    }
  });

  test('--help prints usage and exits 0', async () => {
    const r = await runLode(['query', '--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /Usage: lode query/);
  });
});

describe('lode instant', () => {
  test('vector as a table and as json', async () => {
    const r = await runLode(['instant', 'count_over_time({app="q"}[1h])'], { addr: server.addr });
    assert.equal(r.code, 0, r.stderr);
    assert.match(lines(r.stdout)[1]!, /^q\s+test\s+\S+Z\s+250$/);
    const j = await runLode(['instant', 'vector(1)+vector(1)', '-o', 'json'], { addr: server.addr });
    const body = JSON.parse(j.stdout) as { resultType: string; result: Array<{ value: [number, string] }> };
    assert.equal(body.resultType, 'vector');
    assert.equal(body.result[0]!.value[1], '2');
  });

  test('a log query is refused by the server: exit 1', async () => {
    const r = await runLode(['instant', '{app="q"}'], { addr: server.addr });
    assert.equal(r.code, 1);
  });
});
