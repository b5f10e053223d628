import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const LODE = fileURLToPath(new URL('../../../packages/lode/bin/lode.js', import.meta.url));

export interface Lode {
  http: string;
  otlpHttp: string;
  otlpGrpc: string;
  syslogPort: number;
  dataDir: string;
  /** SIGTERM (graceful drain), then removes the data dir. */
  stop(): Promise<void>;
  /** SIGKILL, keeping the data dir so a new server can be started on it (`startLode([], {dataDir})`). */
  kill(): Promise<void>;
}

export interface StartOptions {
  /** Reuse this temp dir (from an earlier, killed server) instead of creating one. */
  dataDir?: string;
}

/** A free TCP port that is also free for UDP (syslog binds both). Port 0 disables a lode listener, so tests pick ports. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** Starts the real `lode serve` in a temp dir and waits for its `listening` lines. */
export async function startLode(extraArgs: string[] = [], opts: StartOptions = {}): Promise<Lode> {
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'lode-'));
  const [http, otlpHttp, otlpGrpc, syslog] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const child: ChildProcess = spawn(process.execPath, [
    LODE, 'serve', '--data', path.join(dataDir, 'data'),
    '--http-listen', `127.0.0.1:${http}`, '--otlp-http-listen', `127.0.0.1:${otlpHttp}`,
    '--otlp-grpc-listen', `127.0.0.1:${otlpGrpc}`, '--syslog-listen', `127.0.0.1:${syslog}`,
    ...extraArgs,
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  const listening = new Set<string>();
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`lode serve did not start:\n${output}`)), 15_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      for (const line of output.split('\n')) {
        try {
          const rec = JSON.parse(line) as { msg?: string; listener?: string };
          if (rec.msg === 'listening' && rec.listener) listening.add(rec.listener);
        } catch {
          // partial line
        }
      }
      if (['http', 'otlp_http', 'otlp_grpc', 'syslog'].every((l) => listening.has(l))) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    child.once('exit', (code) => reject(new Error(`lode serve exited with ${code}:\n${output}`)));
  });
  return {
    http: `http://127.0.0.1:${http}`,
    otlpHttp: `http://127.0.0.1:${otlpHttp}`,
    otlpGrpc: `http://127.0.0.1:${otlpGrpc}`,
    syslogPort: syslog,
    dataDir,
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
    async kill() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    },
  };
}

export interface QueriedEntry {
  labels: Record<string, string>;
  metadata: Record<string, string>;
  ts: string;
  line: string;
}

/** Every entry of a selector in the last hour (categorized labels), via the Loki query API. */
export async function queryAll(base: string, selector: string, headers: Record<string, string> = {}): Promise<QueriedEntry[]> {
  const u = new URL('/loki/api/v1/query_range', base);
  u.searchParams.set('query', selector);
  u.searchParams.set('limit', '5000');
  u.searchParams.set('start', String((Date.now() - 3600_000) * 1e6));
  u.searchParams.set('end', String((Date.now() + 60_000) * 1e6));
  const res = await fetch(u, { headers: { 'X-Loki-Response-Encoding-Flags': 'categorize-labels', ...headers } });
  if (res.status !== 200) throw new Error(`query ${selector}: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { data: { result: { stream: Record<string, string>; values: [string, string, { structuredMetadata?: Record<string, string> }?][] }[] } };
  return body.data.result.flatMap((s) => s.values.map(([ts, line, extra]) => ({ labels: s.stream, metadata: extra?.structuredMetadata ?? {}, ts, line })));
}

/** Polls until `n` entries match (ingest acks before queries see them only with durability off). */
export async function waitFor(base: string, selector: string, n: number): Promise<QueriedEntry[]> {
  let got: QueriedEntry[] = [];
  for (let i = 0; i < 100; i++) {
    got = await queryAll(base, selector);
    if (got.length >= n) return got;
    await new Promise((r) => setTimeout(r, 50));
  }
  return got;
}
