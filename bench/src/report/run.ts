/**
 * Runs one benchmark as a child process of this Node binary, forwarding its progress (stderr) to
 * ours and capturing its stdout for parsing, with a time limit.
 */
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';

export interface RunResult {
  /** The command as a user would type it from the repository root. */
  command: string;
  stdout: string;
  stderrTail: string;
  exitCode: number | null;
  seconds: number;
  loadBefore: number[];
  loadAfter: number[];
  timedOut: boolean;
}

export function runNode(cwd: string, script: string, args: string[], timeoutMs: number): Promise<RunResult> {
  const command = ['node', script, ...args].join(' ');
  const loadBefore = loadavg();
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
    }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      stdout += s;
      process.stderr.write(s);
    });
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      stderr = (stderr + s).slice(-4000);
      process.stderr.write(s);
    });
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`could not start ${command}: ${e.message}`));
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ command, stdout, stderrTail: stderr, exitCode: code, seconds: (performance.now() - started) / 1000, loadBefore, loadAfter: loadavg(), timedOut });
    });
  });
}
