/**
 * What a new user does, from the committed repository: clone, `npm install`, `npm start`, push
 * with `lode push`, read back with `lode query`, stop. Slow (npm install and a full build, several
 * minutes); `LODE_SKIP_NEW_USER_TEST=1` skips it while iterating locally. CI always runs it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../support/server.js';
import { lines, runLode } from './run-lode.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const skipped = process.env.LODE_SKIP_NEW_USER_TEST === '1';

test('fresh clone: npm install, npm start, lode push, lode query', { skip: skipped && 'LODE_SKIP_NEW_USER_TEST=1', timeout: 20 * 60_000 }, async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lode-new-user-'));
  const clone = path.join(root, 'lode');
  try {
    execFileSync('git', ['clone', '-q', REPO, clone], { stdio: 'inherit' });
    execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: clone, stdio: ['ignore', 'ignore', 'inherit'], timeout: 15 * 60_000 });

    const http = await freePort();
    const env = {
      ...process.env,
      LODE_HTTP_LISTEN: `127.0.0.1:${http}`,
      LODE_OTLP_HTTP_LISTEN: `127.0.0.1:${await freePort()}`,
      LODE_OTLP_GRPC_LISTEN: `127.0.0.1:${await freePort()}`,
      LODE_SYSLOG_LISTEN: `127.0.0.1:${await freePort()}`,
    };
    // detached: npm runs lode under a shell, so the whole process group is signalled on stop.
    const server = spawn('npm', ['start'], { cwd: clone, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    server.stdout.on('data', (c: Buffer) => (output += c.toString()));
    server.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise((r) => server.once('exit', r));
    try {
      for (let i = 0; i < 300 && !/"listener":"http".*"msg":"listening"/.test(output); i++) await new Promise((r) => setTimeout(r, 100));
      assert.match(output, /"listener":"http"/, `npm start did not start lode:\n${output}`);

      const lode = path.join(clone, 'packages/lode/bin/lode.js');
      const addr = `http://127.0.0.1:${http}`;
      const push = spawnSyncLode(lode, ['push', '--labels', '{app="hello"}'], addr, 'hello\nworld\n');
      assert.equal(push.code, 0, push.stderr);
      const query = await runLode(['query', '{app="hello"}', '--forward', '-o', 'raw', '--addr', addr]);
      assert.equal(query.code, 0, query.stderr);
      assert.deepEqual(lines(query.stdout), ['hello', 'world']);
      assert.ok(fs.existsSync(path.join(clone, 'data')), 'npm start keeps its data in ./data');
    } finally {
      process.kill(-server.pid!, 'SIGTERM');
      await exited;
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

/** Runs the clone's own `lode`, not the checkout's. */
function spawnSyncLode(bin: string, args: string[], addr: string, stdin: string): { code: number | null; stderr: string } {
  try {
    execFileSync(process.execPath, [bin, ...args, '--addr', addr], { input: stdin, stdio: ['pipe', 'ignore', 'pipe'] });
    return { code: 0, stderr: '' };
  } catch (err) {
    const e = err as { status: number | null; stderr?: Buffer };
    return { code: e.status, stderr: e.stderr?.toString() ?? '' };
  }
}
