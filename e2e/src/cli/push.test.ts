/** `lode push` against a real server: stdin and files, order kept, refusals and usage errors. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, type LodeServer } from '../support/server.js';
import { lines, runLode } from './run-lode.js';

let server: LodeServer;

before(async () => {
  server = await startServer({ args: ['--limits.max_line_size=100', '--limits.discover_service_name=', '--limits.discover_log_levels=false'] });
});
after(() => server.close());

test('files and stdin ("-") in order, empty lines skipped, small batches', async () => {
  const file = path.join(server.dataDir, '..', 'input.log');
  fs.writeFileSync(file, 'f1\n\nf2\r\nf3');
  const r = await runLode(['push', '--labels', '{app="p"}', '--batch-size', '2', file, '-'], { addr: server.addr, stdin: 's1\ns2\n' });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /5 lines \(10 bytes\) in 3 batches, 0 retries/);
  const q = await runLode(['query', '{app="p"}', '--forward', '-o', 'raw'], { addr: server.addr });
  assert.deepEqual(lines(q.stdout), ['f1', 'f2', 'f3', 's1', 's2']);
});

test('lines the server refuses: exit 1 with the reason, the rest is kept', async () => {
  const long = 'x'.repeat(200);
  const r = await runLode(['push', '--labels', '{app="r"}', '--batch-size', '1'], { addr: server.addr, stdin: `ok1\n${long}\nok2\n` });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /1 lines refused: server answered 400/);
  const q = await runLode(['query', '{app="r"}', '--forward', '-o', 'raw'], { addr: server.addr });
  assert.deepEqual(lines(q.stdout), ['ok1', 'ok2']);
});

test('usage errors exit 2', async () => {
  for (const args of [['push'], ['push', '--labels', 'app=x'], ['push', '--labels', '{a="b"}', '/no/such/file'], ['push', '--labels', '{a="b"}', '--flush-interval', 'soon']]) {
    const r = await runLode(args, { addr: server.addr, stdin: 'x\n' });
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
  }
});

test('an unreachable server: exit 1 after the retries', async () => {
  const r = await runLode(['push', '--labels', '{a="b"}', '--retries', '1', '--addr', 'http://127.0.0.1:9'], { stdin: 'x\n' });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /cannot reach lode .*gave up after 1 retries/);
});
