/** Runs the built `lode` command as a child process and collects what it printed. */
import { spawn } from 'node:child_process';
import { LODE_BIN } from '../support/server.js';

export interface LodeRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runLode(args: string[], opts: { addr?: string; stdin?: string; env?: Record<string, string> } = {}): Promise<LodeRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [LODE_BIN, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      // NO_COLOR keeps assertions independent of the terminal the tests run in.
      env: { ...process.env, NO_COLOR: '1', ...(opts.addr ? { LODE_ADDR: opts.addr } : {}), ...opts.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(opts.stdin ?? '');
  });
}

export function lines(text: string): string[] {
  return text.split('\n').filter((l) => l.length > 0);
}
