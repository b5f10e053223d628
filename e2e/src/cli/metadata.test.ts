/** `lode labels`, `lode series`, `lode stats` and tenancy/auth flags against a real server. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type LodeServer } from '../support/server.js';
import { lines, runLode } from './run-lode.js';

let server: LodeServer;

before(async () => {
  server = await startServer({ args: ['--multi-tenant', '--limits.discover_service_name=', '--limits.discover_log_levels=false'] });
  for (const [tenant, labels, n] of [['t1', '{app="a", env="prod"}', 3], ['t1', '{app="b", env="dev"}', 2], ['t2', '{app="c"}', 1]] as const) {
    const stdin = Array.from({ length: n }, (_, i) => `${labels} ${i}`).join('\n');
    const r = await runLode(['push', '--tenant', tenant, '--labels', labels, '-q'], { addr: server.addr, stdin });
    assert.equal(r.code, 0, r.stderr);
  }
});
after(() => server.close());

describe('lode labels', () => {
  test('names and values, per tenant', async () => {
    const names = await runLode(['labels', '--tenant', 't1'], { addr: server.addr });
    assert.equal(names.code, 0, names.stderr);
    assert.deepEqual(lines(names.stdout), ['app', 'env']);
    const values = await runLode(['labels', 'app'], { addr: server.addr, env: { LODE_TENANT: 't1' } });
    assert.deepEqual(lines(values.stdout), ['a', 'b']);
    const other = await runLode(['labels', 'app', '--tenant', 't2', '-o', 'json'], { addr: server.addr });
    assert.deepEqual(JSON.parse(other.stdout), ['c']);
  });

  test('no tenant on a multi-tenant server: exit 1 with the server\'s reason', async () => {
    const r = await runLode(['labels'], { addr: server.addr });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /401.*no org id/);
  });

  test('two names: usage error', async () => {
    const r = await runLode(['labels', 'a', 'b', '--tenant', 't1'], { addr: server.addr });
    assert.equal(r.code, 2);
  });
});

describe('lode series', () => {
  test('label sets, table and jsonl', async () => {
    const r = await runLode(['series', '{env=~".+"}', '--tenant', 't1'], { addr: server.addr });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(lines(r.stdout).sort(), ['{app="a", env="prod"}', '{app="b", env="dev"}']);
    const t = await runLode(['series', '{app="a"}', '{app="b"}', '--tenant', 't1', '--table'], { addr: server.addr });
    const out = lines(t.stdout);
    assert.match(out[0]!, /^app\s+env$/);
    assert.equal(out.length, 3);
    const j = await runLode(['series', '{app="a"}', '--tenant', 't1', '-o', 'jsonl'], { addr: server.addr });
    assert.deepEqual(JSON.parse(lines(j.stdout)[0]!), { app: 'a', env: 'prod' });
  });

  test('no selector: usage error', async () => {
    assert.equal((await runLode(['series', '--tenant', 't1'], { addr: server.addr })).code, 2);
  });
});

describe('lode stats', () => {
  test('table, raw and json', async () => {
    const r = await runLode(['stats', '{app=~"a|b"}', '--tenant', 't1'], { addr: server.addr });
    assert.equal(r.code, 0, r.stderr);
    const [header, row] = lines(r.stdout);
    assert.match(header!, /^STREAMS\s+CHUNKS\s+ENTRIES\s+BYTES$/);
    assert.match(row!, /^2\s+\d+\s+5\s+\d+$/);
    const raw = await runLode(['stats', '{app="c"}', '--tenant', 't2', '-o', 'raw'], { addr: server.addr });
    assert.match(raw.stdout, /^1 \d+ 1 \d+\n$/);
    const json = await runLode(['stats', '{app="a"}', '--tenant', 't1', '-o', 'json'], { addr: server.addr });
    assert.equal((JSON.parse(json.stdout) as { entries: number }).entries, 3);
  });
});
