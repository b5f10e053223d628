import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openAndReplay, tempDir } from './test-helpers.js';

// Same extension as this file: .ts under tsx, .js when compiled; execArgv carries the loader.
const child = fileURLToPath(new URL(`./crash-child${import.meta.url.slice(-3)}`, import.meta.url));

/** Runs the child until it has acknowledged `acks` records, then SIGKILLs it; returns lsn → size of every ack. */
function runAndKill(dir: string, acks: number): Promise<Map<bigint, number>> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [...process.execArgv, child, dir, 'fsync'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acked = new Map<bigint, number>();
    let buffered = '';
    let stderr = '';
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        const [lsn, size] = line.split(' ');
        acked.set(BigInt(lsn!), Number(size));
      }
      if (acked.size >= acks) p.kill('SIGKILL');
    });
    p.on('error', reject);
    p.on('exit', (_code, signal) => (signal === 'SIGKILL' ? resolve(acked) : reject(new Error(`crash child exited on its own: ${stderr}`))));
  });
}

test('kill -9 during group-committed appends: every acknowledged record is replayed, none twice', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const acked = new Map<bigint, number>();
    for (let round = 0; round < 3; round++) {
      for (const [lsn, size] of await runAndKill(dir, 300)) acked.set(lsn, size);
      const r = await openAndReplay({ dir });
      const seen = new Map(r.records.map((x) => [x.lsn, x.payload]));
      for (let i = 1; i < r.records.length; i++) assert.ok(r.records[i]!.lsn > r.records[i - 1]!.lsn, 'strictly increasing LSNs');
      for (const [lsn, size] of acked) {
        const p = seen.get(lsn);
        assert.ok(p, `acknowledged lsn ${lsn} missing after crash round ${round}`);
        assert.equal(p.length, size);
        assert.equal(p[0], size & 0xff);
      }
      assert.equal(r.report.corrupt, 0);
      await r.wal.close();
    }
  } finally {
    cleanup();
  }
});
