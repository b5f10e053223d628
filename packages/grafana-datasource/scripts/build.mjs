#!/usr/bin/env node
// Builds the whole plugin into dist/ (the directory Grafana loads):
//   1. tsc: shared + backend + tests → dist/node/ (type-checks them; tests run from there)
//   2. webpack: frontend → dist/module.js (AMD, as @grafana/create-plugin lays it out) + plugin.json, img, README
//   3. esbuild: backend → dist/node/backend.cjs (one file)
//   4. Node SEA + postject: dist/gpx_lode_<os>_<arch> (single executable, Grafana needs no Node)
//   5. esbuild: the browser test page (src/browser/harness.tsx) → dist/node/browser/harness.js, for the Chromium test
// `--only=frontend|backend` runs part of it. Steps print their duration.
import { execFileSync } from 'node:child_process';
import { copyFileSync, chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const pkgDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(pkgDir, 'dist');
const require = createRequire(import.meta.url);
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);

async function step(name, fn) {
  const t0 = performance.now();
  await fn();
  console.log(`[grafana-datasource] ${name}: ${((performance.now() - t0) / 1000).toFixed(1)}s`);
}

function run(cmd, args) {
  execFileSync(cmd, args, { cwd: pkgDir, stdio: 'inherit' });
}

/** Grafana names backend executables <executable>_<os>_<arch>, with Go's os/arch names. */
function executableName() {
  const arch = { x64: 'amd64', arm64: 'arm64' }[process.arch] ?? process.arch;
  const os = process.platform === 'win32' ? 'windows' : process.platform;
  return `gpx_lode_${os}_${arch}${os === 'windows' ? '.exe' : ''}`;
}

async function buildNode() {
  run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.node.json']);
}

async function buildFrontend() {
  const { default: webpack } = await import('webpack');
  const { default: config } = await import('./webpack.config.mjs');
  await new Promise((resolve, reject) =>
    webpack(config, (err, stats) => {
      if (err) return reject(err);
      if (stats.hasErrors()) return reject(new Error(stats.toString({ all: false, errors: true, errorDetails: true })));
      if (stats.hasWarnings()) console.warn(stats.toString({ all: false, warnings: true }));
      resolve();
    }),
  );
}

async function typecheckFrontend() {
  run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json']);
}

async function bundleBackend() {
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: [join(pkgDir, 'src/backend/main.ts')],
    outfile: join(dist, 'node/backend.cjs'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'warning',
    legalComments: 'none',
    // ws's optional native helpers cannot load inside a single executable; skipping them avoids a startup warning.
    define: { 'process.env.WS_NO_BUFFER_UTIL': '"1"', 'process.env.WS_NO_UTF_8_VALIDATE': '"1"' },
  });
}

/**
 * @grafana/ui's ESM files import react-use's CommonJS build (`react-use/lib/x`); esbuild gives .mjs importers
 * Node's interop (default = module.exports), so the hook would not be a function. Use react-use's ESM build.
 */
const reactUseEsm = {
  name: 'react-use-esm',
  setup(build) {
    build.onResolve({ filter: /^react-use\/lib\// }, (args) =>
      build.resolve(args.path.replace('/lib/', '/esm/'), { kind: args.kind, resolveDir: args.resolveDir }),
    );
  },
};

/** One IIFE with React and @grafana/ui inside (Grafana is not there to provide them), loaded by a plain HTML page. */
async function bundleHarness() {
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: [join(pkgDir, 'src/browser/harness.tsx')],
    outfile: join(dist, 'node/browser/harness.js'),
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2020',
    jsx: 'automatic',
    minify: true,
    logLevel: 'warning',
    legalComments: 'none',
    define: { 'process.env.NODE_ENV': '"production"' },
    // @grafana/ui styles itself with emotion; the stylesheets some dependencies import (monaco's icons) are not needed.
    loader: { '.css': 'empty', '.svg': 'dataurl', '.png': 'dataurl' },
    plugins: [reactUseEsm],
  });
}

async function packageExecutable() {
  const work = join(pkgDir, 'build');
  mkdirSync(work, { recursive: true });
  const blob = join(work, 'sea-prep.blob');
  const seaConfig = join(work, 'sea-config.json');
  writeFileSync(
    seaConfig,
    JSON.stringify({ main: join(dist, 'node/backend.cjs'), output: blob, disableExperimentalSEAWarning: true, useCodeCache: false }),
  );
  run(process.execPath, ['--experimental-sea-config', seaConfig]);
  const exe = join(dist, executableName());
  copyFileSync(process.execPath, exe);
  chmodSync(exe, 0o755);
  const { inject } = require('postject');
  await inject(exe, 'NODE_SEA_BLOB', readFileSync(blob), { sentinelFuse: 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2' });
}

const t0 = performance.now();
if (!only) rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
if (!only || only === 'backend') {
  await step('tsc (shared, backend, tests)', buildNode);
  await step('esbuild backend bundle', bundleBackend);
  await step(`single executable ${executableName()}`, packageExecutable);
}
if (!only || only === 'frontend') {
  await step('tsc frontend type-check', typecheckFrontend);
  await step('webpack frontend', buildFrontend);
  await step('esbuild browser test harness', bundleHarness);
}
console.log(`[grafana-datasource] build done in ${((performance.now() - t0) / 1000).toFixed(1)}s`);
