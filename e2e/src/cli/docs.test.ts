/** docs/configuration.md must match the option table it is generated from. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { LODE_BIN } from '../support/server.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

test('docs/configuration.md is up to date with the option table', () => {
  const r = spawnSync(process.execPath, ['scripts/gen-config-docs.mjs', '--check'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});

test('docs/lode.example.yaml is accepted by lode serve', () => {
  const r = spawnSync(process.execPath, [LODE_BIN, 'serve', '--config', 'docs/lode.example.yaml', '--help'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});

test('lode --help lists every client command', () => {
  const r = spawnSync(process.execPath, [LODE_BIN, '--help'], { encoding: 'utf8' });
  assert.equal(r.status, 0);
  for (const c of ['query', 'instant', 'labels', 'series', 'stats', 'tail', 'push', 'bench']) assert.match(r.stdout, new RegExp(`\\b${c}\\b`));
});
