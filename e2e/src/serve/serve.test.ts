/**
 * `lode serve` as a process: readiness, its own metrics, graceful shutdown that keeps every
 * acknowledged line, configuration errors, and API keys guarding everything but /ready.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LODE_BIN, startServer } from '../support/server.js';

function pushBody(app: string, lines: string[]): string {
  const base = BigInt(Date.now()) * 1_000_000n;
  return JSON.stringify({
    streams: [{ stream: { app }, values: lines.map((line, i) => [String(base + BigInt(i)), line]) }],
  });
}

async function push(addr: string, body: string, headers: Record<string, string> = {}): Promise<number> {
  const res = await fetch(`${addr}/loki/api/v1/push`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body });
  await res.arrayBuffer();
  return res.status;
}

async function count(addr: string, app: string, headers: Record<string, string> = {}): Promise<number> {
  const q = new URLSearchParams({ query: `sum(count_over_time({app="${app}"}[1h]))`, time: String(Date.now() / 1000 + 1) });
  const res = await fetch(`${addr}/loki/api/v1/query?${q}`, { headers });
  const json = (await res.json()) as { data: { result: { value: [number, string] }[] } };
  return Number(json.data.result[0]?.value[1] ?? 0);
}

test('ready, metrics, and a graceful restart that keeps every acknowledged line', async () => {
  const server = await startServer();
  try {
    const ready = await fetch(`${server.addr}/ready`);
    assert.equal(ready.status, 200);
    assert.equal((await ready.text()).trim(), 'ready');

    const lines = Array.from({ length: 500 }, (_, i) => `level=info msg="line ${i}"`);
    assert.equal(await push(server.addr, pushBody('serve-e2e', lines)), 204);

    const metrics = await (await fetch(`${server.addr}/metrics`)).text();
    for (const name of ['lode_ingest_entries_total', 'lode_wal_fsync_duration_seconds_bucket', 'lode_head_entries', 'process_resident_memory_bytes']) {
      assert.match(metrics, new RegExp(`^${name}`, 'm'), `/metrics lacks ${name}`);
    }

    await server.restart();
    assert.match(server.output(), /"msg":"stopped"/, 'SIGTERM ends with a clean stop');
    assert.equal(await count(server.addr, 'serve-e2e'), 500);
  } finally {
    await server.close();
  }
});

test('configuration errors exit with code 2 and name the option', () => {
  const run = spawnSync(process.execPath, [LODE_BIN, 'serve', '--durability', 'sometimes'], { encoding: 'utf8' });
  assert.equal(run.status, 2);
  assert.match(run.stderr, /--durability: "sometimes" is not one of fsync, batch, none/);
});

test('with API keys, every endpoint but /ready needs a key of the right role', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lode-keys-'));
  const config = join(dir, 'lode.yaml');
  writeFileSync(
    config,
    ['api_keys:', '  - {key: writer-key-0001, tenant: acme, role: write}', '  - {key: reader-key-0001, tenant: acme, role: read}', ''].join('\n'),
  );
  const server = await startServer({ args: ['--config', config] });
  const writer = { Authorization: 'Bearer writer-key-0001' };
  const reader = { Authorization: 'Bearer reader-key-0001' };
  try {
    assert.equal((await fetch(`${server.addr}/ready`)).status, 200);
    assert.equal((await fetch(`${server.addr}/metrics`)).status, 401);
    assert.equal((await fetch(`${server.addr}/metrics`, { headers: reader })).status, 200);
    assert.equal(await push(server.addr, pushBody('keys', ['a', 'b'])), 401);
    assert.equal(await push(server.addr, pushBody('keys', ['a', 'b']), reader), 403);
    assert.equal(await push(server.addr, pushBody('keys', ['a', 'b']), writer), 204);
    assert.equal((await fetch(`${server.addr}/loki/api/v1/labels`)).status, 401);
    assert.equal(await count(server.addr, 'keys', reader), 2);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
