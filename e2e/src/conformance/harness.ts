/**
 * What the conformance e2e tests share: where `../shared/conformance` is (resolved from the repo
 * root; the suites are never copied into the project), a real `lode serve` on a free HTTP port
 * with every other listener switched off (port 0), and running the suites' scripts as child
 * processes so their own pass/fail accounting is what the tests assert on.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../support/server.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** `../shared/conformance` next to the repo root, or undefined when this checkout has none. */
export const CONFORMANCE_DIR: string | undefined = (() => {
  const dir = path.resolve(REPO_ROOT, '../shared/conformance');
  return fs.existsSync(path.join(dir, 'diff.mjs')) ? dir : undefined;
})();

export const SKIP_REASON = CONFORMANCE_DIR
  ? false
  : `../shared/conformance (the LogQL conformance suites) is not present next to ${REPO_ROOT}`;

export interface RunningServer {
  url: string;
  stop(): Promise<void>;
}

/** Starts `lode serve` with a temp data dir and only the HTTP listener; resolves once it logs `listening`. */
export async function startLode(extraArgs: string[]): Promise<RunningServer> {
  const server = await startServer({ args: ['--log-level', 'info', ...extraArgs], ports: { otlpHttp: 0, otlpGrpc: 0, syslog: 0 } });
  return { url: server.addr, stop: () => server.close() };
}

export interface ScriptResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs one of the suite's scripts (path relative to `../shared/conformance`) to completion. */
export function runScript(script: string, args: string[]): Promise<ScriptResult> {
  if (!CONFORMANCE_DIR) throw new Error('conformance suites are absent');
  const child = spawn(process.execPath, [path.join(CONFORMANCE_DIR, script), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The `N passed, M failed` summary both suites end with. */
export function summary(stdout: string): { passed: number; failed: number } {
  const m = /(\d+) passed, (\d+) failed\s*$/.exec(stdout.trimEnd());
  if (!m) throw new Error(`no "N passed, M failed" summary in:\n${stdout.slice(-2000)}`);
  return { passed: Number(m[1]), failed: Number(m[2]) };
}

/** The suite's per-case failure lines, for an assertion message. */
export function failureLines(stdout: string, prefix: string): string {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith(prefix))
    .map((l) => l.slice(0, 300))
    .join('\n');
}
