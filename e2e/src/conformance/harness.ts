/**
 * What the conformance e2e tests share: where `../shared/conformance` is (resolved from the repo
 * root; the suites are never copied into the project), a real `lode serve` on a free HTTP port
 * with every other listener switched off (port 0), and running the suites' scripts as child
 * processes so their own pass/fail accounting is what the tests assert on.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const LODE_BIN = path.join(REPO_ROOT, 'packages/lode/bin/lode.js');

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

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Starts `lode serve` with a temp data dir; resolves once the HTTP listener logs `listening`. */
export async function startLode(extraArgs: string[]): Promise<RunningServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lode-conformance-'));
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      LODE_BIN, 'serve', '--data', dataDir,
      '--http-listen', `127.0.0.1:${port}`,
      '--otlp-http-listen', '127.0.0.1:0', '--otlp-grpc-listen', '127.0.0.1:0', '--syslog-listen', '127.0.0.1:0',
      '--log-level', 'info',
      ...extraArgs,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await waitListening(child, (chunk) => (output += chunk));
  } catch (err) {
    await stop();
    throw new Error(`lode serve did not start: ${(err as Error).message}\n${output}`);
  }
  return { url: `http://127.0.0.1:${port}`, stop };
}

function waitListening(child: ChildProcess, onOutput: (s: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let pending = '';
    const timer = setTimeout(() => reject(new Error('no "listening" line within 30 s')), 30_000);
    const onData = (buf: Buffer): void => {
      const text = buf.toString();
      onOutput(text);
      pending += text;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.startsWith('{')) continue;
        try {
          const rec = JSON.parse(line) as { listener?: string; msg?: string };
          if (rec.listener === 'http' && rec.msg === 'listening') {
            clearTimeout(timer);
            resolve();
          }
        } catch {
          // not one of lode's JSON log lines
        }
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code}`));
    });
  });
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
