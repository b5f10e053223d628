/**
 * Starts and stops a real `lode serve` for every e2e test: free ports picked up front (port 0
 * disables a listener), a temp data dir, readiness taken from the `listening` log lines, a
 * restart on the same data dir and ports, and a crash (SIGKILL) that keeps the data dir for a
 * new server to recover from (reconnect and durability tests).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const LODE_BIN = fileURLToPath(new URL('../../../packages/lode/bin/lode.js', import.meta.url));
/** The `listener` name in lode's `listening` log line for each port. */
const LISTENERS: Record<keyof Ports, string> = { http: 'http', otlpHttp: 'otlp_http', otlpGrpc: 'otlp_grpc', syslog: 'syslog' };

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
  /** The temp dir the server owns; close() removes it. */
  root: string;
  dataDir: string;
  /** Everything the server printed so far (for failure messages). */
  output(): string;
  /** SIGTERM and wait for exit; the data dir is kept. */
  stop(): Promise<void>;
  /** stop() and start again on the same data dir and ports. */
  restart(): Promise<void>;
  /** stop() and delete the data dir. */
  close(): Promise<void>;
  /** SIGKILL (a crash) and wait for exit; the data dir is kept. */
  kill(): Promise<void>;
}

export interface StartOptions {
  /** Extra `lode serve` flags. */
  args?: string[];
  /** Ports to use instead of free ones; 0 switches that listener off. */
  ports?: Partial<Ports>;
  /** The root of an earlier, killed server to start on (its data is recovered) instead of a new temp dir. */
  root?: string;
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
  const expected = (Object.keys(LISTENERS) as (keyof Ports)[]).filter((k) => ports[k] !== 0).map((k) => LISTENERS[k]);
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
      if (expected.every((l) => listening.has(l))) {
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

export async function startServer(opts: StartOptions = {}): Promise<LodeServer> {
  const root = opts.root ?? fs.mkdtempSync(path.join(os.tmpdir(), 'lode-'));
  const dataDir = path.join(root, 'data');
  const given = opts.ports ?? {};
  const ports: Ports = {
    http: given.http ?? (await freePort()),
    otlpHttp: given.otlpHttp ?? (await freePort()),
    otlpGrpc: given.otlpGrpc ?? (await freePort()),
    syslog: given.syslog ?? (await freePort()),
  };
  const log = { text: '' };
  const args = opts.args ?? [];
  let child: ChildProcess | undefined;
  try {
    child = await spawnServer(dataDir, ports, args, log);
  } catch (err) {
    if (!opts.root) fs.rmSync(root, { recursive: true, force: true });
    throw err;
  }
  const end = async (signal: NodeJS.Signals) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill(signal);
    await exited;
    child = undefined;
  };
  const stop = () => end('SIGTERM');
  return {
    addr: `http://127.0.0.1:${ports.http}`,
    ports,
    root,
    dataDir,
    output: () => log.text,
    stop,
    kill: () => end('SIGKILL'),
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
