#!/usr/bin/env node
// Runs every compiled test (`dist/**/*.test.js` of each workspace) with Node's built-in runner.
// Arguments are substrings that select test files, e.g. `npm test -- wal`.
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const roots = ['packages/store', 'packages/otlp-receiver', 'packages/query', 'packages/lode', 'packages/grafana-datasource', 'e2e', 'bench'];

function testsUnder(dir) {
  let found = [];
  let items;
  try {
    items = readdirSync(dir, { withFileTypes: true });
  } catch {
    return found;
  }
  for (const item of items) {
    const path = join(dir, item.name);
    if (item.isDirectory() && item.name !== 'node_modules') found = found.concat(testsUnder(path));
    else if (item.isFile() && item.name.endsWith('.test.js')) found.push(path);
  }
  return found;
}

const filters = process.argv.slice(2);
const files = roots
  .flatMap((r) => testsUnder(join(root, r, 'dist')))
  .filter((f) => filters.length === 0 || filters.some((s) => relative(root, f).includes(s)))
  .sort();
if (files.length === 0) {
  console.error('no test files found: run `npm run build` first');
  process.exit(1);
}
const run = spawnSync(process.execPath, ['--test', '--test-concurrency=2', '--test-timeout=600000', ...files], { stdio: 'inherit', cwd: root });
process.exit(run.status ?? 1);
