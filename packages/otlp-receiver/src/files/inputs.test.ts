import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { testIngester } from '../test-support/recording-store.js';
import { globToRegExp } from './glob.js';
import { startFileInputs } from './inputs.js';

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 300 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
}

test('glob patterns', () => {
  assert.ok(globToRegExp('/a/*.log').test('/a/x.log'));
  assert.ok(!globToRegExp('/a/*.log').test('/a/b/x.log'));
  assert.ok(globToRegExp('/a/**/*.log').test('/a/b/c/x.log'));
  assert.ok(globToRegExp('/a/**/*.log').test('/a/x.log'));
  assert.ok(globToRegExp('/a/{x,y}.log*').test('/a/y.log.1'));
});

test('files: follow appends, rename and truncate rotation, restart without loss or repeats', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lode-'));
  const log = path.join(dir, 'app.log');
  const stateDir = path.join(dir, 'state');
  const { store, options: base } = testIngester();
  const lines = () => store.entries().map((e) => e.line);
  const opts = { ...base, inputs: [{ paths: [path.join(dir, '*.log')], labels: { job: 'app' }, tenant: 't1' }], stateDir, pollIntervalMs: 20 };
  try {
    fs.writeFileSync(log, 'one\ntwo\n');
    let inputs = await startFileInputs(opts);
    await until(() => lines().length === 2);
    fs.appendFileSync(log, 'three\r\n');
    await until(() => lines().length === 3);
    // Rename rotation: the old file is drained through its handle, the new one read from 0.
    fs.appendFileSync(log, 'four\n');
    fs.renameSync(log, path.join(dir, 'app.log.1'));
    fs.writeFileSync(log, 'five\n');
    await until(() => lines().length === 5);
    // Truncate rotation.
    await new Promise((r) => setTimeout(r, 60));
    fs.truncateSync(log, 0);
    fs.writeFileSync(log, 'six\n');
    await until(() => lines().length === 6);
    await inputs.close();
    // Written while down; read once after restart, nothing repeated.
    fs.appendFileSync(log, 'seven\n');
    inputs = await startFileInputs(opts);
    await until(() => lines().length === 7);
    await new Promise((r) => setTimeout(r, 100));
    await inputs.close();
    assert.deepEqual([...lines()].sort(), ['five', 'four', 'one', 'seven', 'six', 'three', 'two']);
    const first = store.entries()[0]!;
    assert.deepEqual(first.labels, { job: 'app', filename: log, service_name: 'app' });
    assert.equal(store.appends[0]!.tenant, 't1');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('files: multi-line entries grouped by a start pattern', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lode-'));
  const log = path.join(dir, 'java.log');
  const { store, options: base } = testIngester();
  try {
    fs.writeFileSync(log, '2024-01-01 ERROR boom\n\tat a.b(C.java:1)\n\tat d.e(F.java:2)\n2024-01-01 INFO ok\n');
    const inputs = await startFileInputs({
      ...base,
      inputs: [{ paths: [log], labels: { job: 'java' }, multiline: { start: '^\\d{4}-\\d{2}-\\d{2}' } }],
      stateDir: path.join(dir, 'state'),
      pollIntervalMs: 20,
    });
    await until(() => store.entries().length === 2);
    await inputs.close();
    assert.deepEqual(store.entries().map((e) => e.line), ['2024-01-01 ERROR boom\n\tat a.b(C.java:1)\n\tat d.e(F.java:2)', '2024-01-01 INFO ok']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
