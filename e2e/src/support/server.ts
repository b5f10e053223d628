/**
 * Starts and stops a real `lode serve` for e2e tests: free ports picked up front (port 0 would
 * disable a listener), a temp data dir, readiness taken from the `listening` log lines, and a
 * restart on the same data dir and ports (for reconnect and durability tests).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const LODE_BIN = fileURLToPath(new URL('../../../packages/lode/bin/lode.js', import.meta.url));
const LISTENERS = ['http', 'otlp_http', 'otlp_grpc', 'syslog'] as const;

export interface Ports {
  http: number;
  otlpHttp: number;
  otlpGrpc: number;
  syslog: number;
}

export interface LodeServer {
  /** Base URL of the Loki API, e.g. http://127.0.0.1:41234. */
  addr: string;
  ports: Ports;
  dataDir: string;
  /** Everything the server printed so far (for failure messages). */
  output(): string;
  /** SIGTERM and wait for exit; the data dir is kept. */
  stop(): Promise<void>;
  /** stop() and start again on the same data dir and ports. */
  restart(): Promise<void>;
  /** stop() and delete the data dir. */
  close(): Promise<void>;
}

/** A free TCP port (also used for syslog UDP, which is free in practice when TCP is). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function spawnServer(dataDir: string, ports: Ports, extraArgs: string[], log: { text: string }): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      LODE_BIN, 'serve', '--data', dataDir,
      '--http-listen', `127.0.0.1:${ports.http}`, '--otlp-http-listen', `127.0.0.1:${ports.otlpHttp}`,
      '--otlp-grpc-listen', `127.0.0.1:${ports.otlpGrpc}`, '--syslog-listen', `127.0.0.1:${ports.syslog}`,
      ...extraArgs,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const listening = new Set<string>();
  let pending = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`lode serve did not start within 20s:\n${log.text}`)), 20_000);
    const onExit = (code: number | null) => fail(new Error(`lode serve exited with ${code}:\n${log.text}`));
    function fail(err: Error) {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(err);
    }
    child.stdout!.on('data', (chunk: Buffer) => {
      log.text += chunk.toString();
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        try {
          const rec = JSON.parse(line) as { msg?: string; listener?: string };
          if (rec.msg === 'listening' && rec.listener) listening.add(rec.listener);
        } catch {
          // not a JSON log line; kept in the log for diagnostics
        }
      }
      if (LISTENERS.every((l) => listening.has(l))) {
        clearTimeout(timer);
        child.off('exit', onExit);
        resolve();
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (log.text += chunk.toString()));
    child.once('exit', onExit);
  });
  return child;
}

export async function startServer(opts: { args?: string[] } = {}): Promise<LodeServer> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lode-'));
  const dataDir = path.join(root, 'data');
  const ports: Ports = { http: await freePort(), otlpHttp: await freePort(), otlpGrpc: await freePort(), syslog: await freePort() };
  const log = { text: '' };
  const args = opts.args ?? [];
  let child: ChildProcess | undefined = await spawnServer(dataDir, ports, args, log);
  const stop = async () => {
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    child = undefined;
  };
  return {
    addr: `http://127.0.0.1:${ports.http}`,
    ports,
    dataDir,
    output: () => log.text,
    stop,
    async restart() {
      await stop();
      child = await spawnServer(dataDir, ports, args, log);
    },
    async close() {
      await stop();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}
