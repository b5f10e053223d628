/**
 * `lode tail` against a real server, including a server restart on the same data dir and port
 * while it runs: it must reconnect and print every line exactly once.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { LODE_BIN, startServer, type LodeServer } from '../support/server.js';
import { lines, runLode } from './run-lode.js';

let server: LodeServer;

before(async () => {
  server = await startServer({ args: ['--limits.discover_service_name=', '--limits.discover_log_levels=false'] });
});
after(() => server.close());

async function push(text: string): Promise<void> {
  const r = await runLode(['push', '--labels', '{app="t"}', '-q'], { addr: server.addr, stdin: text });
  assert.equal(r.code, 0, r.stderr);
}

async function until(what: string, check: () => boolean, output: () => string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`timed out waiting for ${what}; output so far:\n${output()}`);
}

test('follows new lines and resumes after a server restart without repeats', async () => {
  // --since 1m: the first push may land before tail has subscribed; the backfill covers it.
  const child = spawn(process.execPath, [LODE_BIN, 'tail', '{app="t"}', '--since', '1m', '-o', 'raw', '--max-backoff', '300ms', '--addr', server.addr], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', r));
  const output = () => `stdout:\n${stdout}\nstderr:\n${stderr}\nserver:\n${server.output().slice(-2000)}`;
  try {
    await push('a1\na2\na3\n');
    await until('the first three lines', () => lines(stdout).length >= 3, output);

    await server.restart();
    await push('b1\nb2\n');
    await until('the lines pushed after the restart', () => lines(stdout).length >= 5, output);
    await push('b3\n');
    await until('one more live line', () => lines(stdout).length >= 6, output);

    assert.deepEqual(lines(stdout), ['a1', 'a2', 'a3', 'b1', 'b2', 'b3']);
    assert.match(stderr, /reconnecting in/);
  } finally {
    child.kill('SIGINT');
  }
  assert.equal(await exited, 0);
});

test('a metric query is refused: exit 1 with the reason', async () => {
  const r = await runLode(['tail', 'rate({app="t"}[1m])'], { addr: server.addr });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /400.*only supports log queries/);
});

test('an unreachable server on the first connection: exit 1', async () => {
  const r = await runLode(['tail', '{app="t"}', '--addr', 'http://127.0.0.1:9']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /cannot reach lode/);
});

test('usage errors: exit 2', async () => {
  assert.equal((await runLode(['tail', '{app="t"}', '--delay-for', '9'], { addr: server.addr })).code, 2);
  assert.equal((await runLode(['tail'], { addr: server.addr })).code, 2);
});
