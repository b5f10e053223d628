/**
 * Real Alertmanager and Prometheus (Debian's `prometheus-alertmanager` and `prometheus`
 * packages) started on loopback ports with temp config and data, for the ruler's e2e tests.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../support/server.js';

export interface External {
  url: string;
  output(): string;
  close(): Promise<void>;
}

/** The path of a binary on PATH, or undefined. */
export function which(bin: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

async function waitReady(url: string, child: ChildProcess, log: { text: string }): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url}: process exited with ${child.exitCode}:\n${log.text}`);
    try {
      if ((await fetch(`${url}/-/ready`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} not ready within 20s:\n${log.text}`);
}

async function run(bin: string, args: (port: number, dir: string) => string[], files: Record<string, string>): Promise<External> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lode-ext-'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  const port = await freePort();
  const log = { text: '' };
  const child = spawn(bin, args(port, dir), { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (c: Buffer) => (log.text += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (log.text += c.toString()));
  const url = `http://127.0.0.1:${port}`;
  const close = async (): Promise<void> => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitReady(url, child, log);
  } catch (err) {
    await close();
    throw err;
  }
  return { url, output: () => log.text, close };
}

/** Alertmanager routing everything to `webhookUrl` at once, resolutions included. */
export function startAlertmanager(bin: string, webhookUrl: string): Promise<External> {
  const config = [
    'route:',
    '  receiver: hook',
    '  group_by: [alertname]',
    '  group_wait: 0s',
    '  group_interval: 1s',
    '  repeat_interval: 1h',
    'receivers:',
    '- name: hook',
    '  webhook_configs:',
    `  - url: ${webhookUrl}`,
    '    send_resolved: true',
    '',
  ].join('\n');
  return run(
    bin,
    (port, dir) => [
      `--config.file=${path.join(dir, 'am.yml')}`,
      `--storage.path=${dir}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    { 'am.yml': config },
  );
}

/** Prometheus with no scrape targets and the remote-write receiver on. */
export function startPrometheus(bin: string): Promise<External> {
  return run(
    bin,
    (port, dir) => [
      `--config.file=${path.join(dir, 'prom.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'tsdb')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-remote-write-receiver',
      '--log.level=warn',
    ],
    { 'prom.yml': 'global:\n  scrape_interval: 1m\n' },
  );
}
