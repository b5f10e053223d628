/**
 * Syslog TCP ingest, which bench/ingest-http.js does not cover: starts a `lode serve` (fsync,
 * rate limits lifted as in ingest-http.js) on free loopback ports and drives it with
 * `lode bench ingest --protocol syslog-tcp --json`, whose run ends once index/stats counts every
 * line, so the rate is of lines made queryable.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Figure } from './figures.js';
import { runNode, type RunResult } from './run.js';

const LODE = 'packages/lode/bin/lode.js';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export async function runSyslog(root: string, lines: number, timeoutMs: number): Promise<RunResult> {
  const [httpPort, syslogPort] = [await freePort(), await freePort()];
  const dir = mkdtempSync(join(tmpdir(), 'lode-bench-syslog-'));
  const serveArgs = [
    'serve', '--data', join(dir, 'data'), '--durability', 'fsync',
    '--http-listen', `127.0.0.1:${httpPort}`, '--syslog-listen', `127.0.0.1:${syslogPort}`,
    '--otlp-http-listen', '127.0.0.1:0', '--otlp-grpc-listen', '127.0.0.1:0',
    '--limits.ingestion_rate_mb=100000', '--limits.ingestion_burst_size_mb=100000',
    '--limits.per_stream_rate_limit=100GiB', '--limits.per_stream_rate_limit_burst=100GiB',
  ];
  const server = spawn(process.execPath, [LODE, ...serveArgs], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    await new Promise<void>((resolve, reject) => {
      let log = '';
      const timer = setTimeout(() => reject(new Error(`lode serve did not start within 30 s:\n${log.slice(-2000)}`)), 30_000);
      const onData = (c: Buffer) => {
        log += c.toString();
        if (/"listener":"http"[^\n]*"msg":"listening"/.test(log) && /"listener":"syslog"[^\n]*"msg":"listening"/.test(log)) {
          clearTimeout(timer);
          resolve();
        }
      };
      server.stdout.on('data', onData);
      server.stderr.on('data', onData);
      server.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`lode serve exited with code ${code} before listening:\n${log.slice(-2000)}`));
      });
    });
    server.stdout.removeAllListeners('data').resume();
    server.stderr.removeAllListeners('data').resume();
    const benchArgs = ['bench', 'ingest', '--protocol', 'syslog-tcp', '--json', '--lines', String(lines), '--addr', `http://127.0.0.1:${httpPort}`, '--syslog-addr', `127.0.0.1:${syslogPort}`];
    const run = await runNode(root, LODE, benchArgs, timeoutMs);
    const shown = (args: string[]) => args.map((a) => a.replace(dir, '$TMP').replace(String(httpPort), '$HTTP_PORT').replace(String(syslogPort), '$SYSLOG_PORT')).join(' ');
    return { ...run, command: `node ${LODE} ${shown(serveArgs)} &\nnode ${LODE} ${shown(benchArgs)}` };
  } finally {
    if (server.exitCode === null) {
      const exited = new Promise((r) => server.once('exit', r));
      server.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Reads `lode bench ingest --json` (one protocol: a single result object). */
export function parseSyslog(stdout: string): Figure[] {
  let r: unknown;
  try {
    r = JSON.parse(stdout.trim().split('\n').at(-1) ?? '');
  } catch {
    throw new Error('lode bench ingest --json printed no JSON object on its last line');
  }
  const o = r as Record<string, unknown>;
  if (typeof o.linesPerSecond !== 'number' || typeof o.lines !== 'number') throw new Error(`lode bench ingest --json answered without linesPerSecond/lines: ${stdout.slice(0, 200)}`);
  if (typeof o.failedLines === 'number' && o.failedLines > 0) throw new Error(`${o.failedLines} of ${o.lines} syslog lines failed${typeof o.firstError === 'string' ? `: ${o.firstError}` : ''}`);
  const figures: Figure[] = [
    { name: 'syslog TCP (until queryable)', value: o.linesPerSecond, unit: 'lines/s', target: { op: '>=', value: 100_000 }, detail: `${o.lines.toLocaleString('en-US')} lines in ${Number(o.seconds).toFixed(2)} s, ${Number(o.mbPerSecond).toFixed(1)} MB/s` },
  ];
  if (typeof o.serverPeakRssBytes === 'number') {
    figures.push({ name: 'server peak RSS (syslog run)', value: o.serverPeakRssBytes / 1e6, unit: 'MB', target: { op: '<=', value: 500 }, detail: 'process_resident_memory_bytes from /metrics' });
  }
  return figures;
}
