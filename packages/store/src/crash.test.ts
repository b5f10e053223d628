import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Store } from './store.js';
import { tempDir } from './test-util.js';

// The child must be compiled JS: next to this file in dist/, or in ../dist when run from src/ via tsx.
const here = dirname(fileURLToPath(import.meta.url));
const CHILD = existsSync(join(here, 'crash-child.js')) ? join(here, 'crash-child.js') : join(here, '..', 'dist', 'crash-child.js');

const ROUNDS = 20;
const ENTRIES_PER_BATCH = 20;
const LINE = /^batch=(\d+) entry=(\d+) worker=\d$/;

/** Runs the child until a random moment after it is ready, SIGKILLs it, returns the acked batch ids. */
function crashRound(dir: string, firstId: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, dir, String(firstId)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acked: number[] = [];
    let buffered = '';
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop()!;
      for (const line of parts) {
        if (line === 'ready') setTimeout(() => child.kill('SIGKILL'), 10 + Math.random() * 120);
        else if (line.startsWith('ack ')) acked.push(Number(line.slice(4)));
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(acked);
      else reject(new Error(`crash child exited with ${code}: ${stderr}`));
    });
  });
}

test('kill -9 at random moments: every acknowledged entry is present exactly once', { timeout: 120_000 }, async () => {
  assert.ok(existsSync(CHILD), `build the store first (tsc -b packages/store): ${CHILD} is missing`);
  const { dir, cleanup } = tempDir();
  try {
    const acked = new Set<number>();
    for (let round = 0; round < ROUNDS; round++) {
      for (const id of await crashRound(dir, round * 1_000_000)) acked.add(id);
    }
    assert.ok(acked.size > 0, 'the child acknowledged nothing');

    const store = await Store.open({ dir });
    try {
      const seen = new Map<string, number>();
      const perBatch = new Map<number, number>();
      for (const e of store.entries('crash', { from: 0n, to: 1n << 62n, matchers: [{ name: 'app', op: '=', value: 'crash' }], direction: 'forward' })) {
        const m = LINE.exec(e.line);
        assert.ok(m, `garbled line: ${JSON.stringify(e.line)}`);
        seen.set(e.line, (seen.get(e.line) ?? 0) + 1);
        perBatch.set(Number(m[1]), (perBatch.get(Number(m[1])) ?? 0) + 1);
      }
      for (const [line, n] of seen) assert.equal(n, 1, `${line} is present ${n} times`);
      // One WAL record per append: a batch is all there or not at all.
      for (const [id, n] of perBatch) assert.equal(n, ENTRIES_PER_BATCH, `batch ${id} has ${n} of ${ENTRIES_PER_BATCH} entries`);
      for (const id of acked) assert.equal(perBatch.get(id), ENTRIES_PER_BATCH, `acknowledged batch ${id} is missing`);
    } finally {
      await store.close();
    }
  } finally {
    cleanup();
  }
});
