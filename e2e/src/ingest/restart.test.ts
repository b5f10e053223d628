import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { queryAll, startLode } from './harness.js';

const CLIENTS = 4;
const BATCH = 20;
/** Kill once this many batches were acknowledged; stays under the 5000-entry query limit. */
const KILL_AFTER_BATCHES = 60;

/**
 * DESIGN.md "Durability and failure rules": kill -9 at any moment, restart on the same data dir,
 * every acknowledged entry is queryable, none twice. Pushes are still running when the kill lands.
 */
test('SIGKILL during ingest, restart on the same data: every acknowledged entry is there exactly once', async () => {
  const first = await startLode(['--durability', 'fsync']);
  const dataDir = first.dataDir;
  const acked = new Set<string>();
  let ackedBatches = 0;
  let killed = false;
  try {
    const client = async (c: number) => {
      for (let b = 0; !killed; b++) {
        const ts = BigInt(Date.now()) * 1_000_000n;
        const lines = Array.from({ length: BATCH }, (_, i) => `c${c} b${b} e${i}`);
        const body = JSON.stringify({ streams: [{ stream: { app: 'restart-e2e', client: String(c) }, values: lines.map((l, i) => [String(ts + BigInt(i)), l]) }] });
        try {
          const res = await fetch(`${first.http}/loki/api/v1/push`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
          if (res.status !== 204) throw new Error(`push answered ${res.status}: ${await res.text()}`);
          for (const l of lines) acked.add(l);
          ackedBatches++;
        } catch (e) {
          if (!killed) throw e;
        }
      }
    };
    const clients = Array.from({ length: CLIENTS }, (_, c) => client(c));
    while (ackedBatches < KILL_AFTER_BATCHES) await new Promise((r) => setTimeout(r, 5));
    killed = true;
    await first.kill();
    await Promise.all(clients);
  } catch (e) {
    await first.stop();
    throw e;
  }

  const second = await startLode([], { dataDir });
  try {
    const got = await queryAll(second.http, '{app="restart-e2e"}');
    const seen = new Map<string, number>();
    for (const e of got) seen.set(e.line, (seen.get(e.line) ?? 0) + 1);
    const missing = [...acked].filter((l) => !seen.has(l));
    const twice = [...seen].filter(([, n]) => n > 1).map(([l]) => l);
    assert.deepEqual(missing, [], 'acknowledged entries lost');
    assert.deepEqual(twice, [], 'entries stored twice');
    assert.ok(acked.size >= KILL_AFTER_BATCHES * BATCH);
    // Unacknowledged batches may or may not have made it, but only whole lines that were sent.
    for (const line of seen.keys()) assert.match(line, /^c\d b\d+ e\d+$/);

    const after = await fetch(`${second.http}/loki/api/v1/push`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ streams: [{ stream: { app: 'restart-e2e', client: 'after' }, values: [[String(BigInt(Date.now()) * 1_000_000n), 'after restart']] }] }),
    });
    assert.equal(after.status, 204, 'the restarted server keeps ingesting');
  } finally {
    await second.stop();
    assert.ok(!fs.existsSync(dataDir));
  }
});
