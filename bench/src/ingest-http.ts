/**
 * Ingest throughput over HTTP against a real `lode serve` (fsync durability): Loki JSON push,
 * Loki protobuf+snappy push and OTLP/HTTP protobuf, each with several keep-alive clients sending
 * batches of 1,000 entries (~126-byte lines, seeded). Prints entries/s and MB/s per protocol and
 * the server's peak RSS. The generator runs in this process, on the same machine, and is counted.
 *
 *   node bench/dist/ingest-http.js [--seconds 10] [--clients 4] [--batch 1000] [--only loki_json,...] [--cpu-prof DIR]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import snappy from 'snappy';
import { SeededRandom } from '@lode/cli';
import { LokiPushRequestType, OtlpExportLogsServiceRequestType } from '@lode/otlp-receiver';

const LODE = fileURLToPath(new URL('../../packages/lode/bin/lode.js', import.meta.url));
const PROTOCOLS = ['loki_json', 'loki_protobuf', 'otlp_protobuf'] as const;
type Protocol = (typeof PROTOCOLS)[number];

interface Args {
  seconds: number;
  clients: number;
  batch: number;
  only: Protocol[];
  cpuProf?: string;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { seconds: 10, clients: 4, batch: 1000, only: [...PROTOCOLS] };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === '--seconds' || flag === '--clients' || flag === '--batch') {
      const n = Number(value);
      if (!Number.isInteger(n) || n <= 0) throw new Error(`${flag} must be a positive integer, got "${value}"`);
      args[flag.slice(2) as 'seconds' | 'clients' | 'batch'] = n;
    } else if (flag === '--only') {
      const list = value.split(',');
      for (const p of list) if (!(PROTOCOLS as readonly string[]).includes(p)) throw new Error(`--only: unknown protocol "${p}", use ${PROTOCOLS.join(', ')}`);
      args.only = list as Protocol[];
    } else if (flag === '--cpu-prof') {
      args.cpuProf = path.resolve(value);
    } else {
      throw new Error(`unknown option ${flag}`);
    }
  }
  return args;
}

const STREAMS = Array.from({ length: 10 }, (_, i) => ({ app: `app-${i % 5}`, pod: `pod-${i}`, env: 'bench' }));
const LEVELS = ['info', 'info', 'info', 'warn', 'error', 'debug'];
const PATHS = ['/api/v1/orders', '/api/v1/users', '/healthz', '/api/v1/cart/items', '/static/app.js'];

/** A pool of ~126-byte logfmt lines, cycled by the generator. */
function linePool(n: number): string[] {
  const r = new SeededRandom(42);
  return Array.from({ length: n }, () => {
    const line = `level=${r.pick(LEVELS)} method=GET path=${r.pick(PATHS)} status=${r.pick([200, 200, 201, 404, 500])} duration_ms=${r.int(900)} trace=${r.int(2 ** 48).toString(16)} user=u${r.int(10_000)}`;
    return line.padEnd(126, ' x').slice(0, 126);
  });
}

interface Body {
  data: Buffer;
  headers: Record<string, string>;
  path: string;
  lineBytes: number;
}

/** Builds one batch per protocol with fresh, strictly increasing timestamps. */
class Generator {
  private readonly lines = linePool(4096);
  private cursor = 0;
  private ts = BigInt(Date.now()) * 1_000_000n;

  constructor(private readonly batch: number) {}

  private take(): { stream: number; ts: bigint; line: string }[] {
    const out = new Array<{ stream: number; ts: bigint; line: string }>(this.batch);
    for (let i = 0; i < this.batch; i++) {
      out[i] = { stream: i % STREAMS.length, ts: this.ts++, line: this.lines[this.cursor++ & 4095]! };
    }
    return out;
  }

  next(protocol: Protocol): Body {
    const entries = this.take();
    let lineBytes = 0;
    for (const e of entries) lineBytes += e.line.length;
    const byStream = STREAMS.map(() => [] as typeof entries);
    for (const e of entries) byStream[e.stream]!.push(e);
    if (protocol === 'loki_json') {
      const streams = byStream.map((es, s) => ({ stream: STREAMS[s], values: es.map((e) => [String(e.ts), e.line]) }));
      return { data: Buffer.from(JSON.stringify({ streams })), headers: { 'content-type': 'application/json' }, path: '/loki/api/v1/push', lineBytes };
    }
    if (protocol === 'loki_protobuf') {
      const streams = byStream.map((es, s) => ({
        labels: `{${Object.entries(STREAMS[s]!).map(([k, v]) => `${k}="${v}"`).join(', ')}}`,
        entries: es.map((e) => ({ timestamp: { seconds: Number(e.ts / 1_000_000_000n), nanos: Number(e.ts % 1_000_000_000n) }, line: e.line })),
      }));
      const pb = LokiPushRequestType.encode(LokiPushRequestType.fromObject({ streams })).finish();
      // Copied out of the binding: its own 100+ KiB output buffer per call costs the generator more (page faults, GC) than compressing.
      const data = snappy.compressSync(Buffer.from(pb), { copyOutputData: true });
      return { data, headers: { 'content-type': 'application/x-protobuf' }, path: '/loki/api/v1/push', lineBytes };
    }
    const resourceLogs = byStream.map((es, s) => ({
      resource: { attributes: [{ key: 'service.name', value: { stringValue: STREAMS[s]!.app } }, { key: 'k8s.pod.name', value: { stringValue: STREAMS[s]!.pod } }] },
      scopeLogs: [{ scope: { name: 'bench' }, logRecords: es.map((e) => ({ timeUnixNano: e.ts.toString(), severityNumber: 9, body: { stringValue: e.line } })) }],
    }));
    const pb = OtlpExportLogsServiceRequestType.encode(OtlpExportLogsServiceRequestType.fromObject({ resourceLogs })).finish();
    return { data: Buffer.from(pb), headers: { 'content-type': 'application/x-protobuf' }, path: '/v1/logs', lineBytes };
  }
}

function post(agent: http.Agent, port: number, body: Body): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request({ agent, host: '127.0.0.1', port, method: 'POST', path: body.path, headers: { ...body.headers, 'content-length': body.data.length } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        if (res.statusCode === 200 || res.statusCode === 204) resolve();
        else reject(new Error(`${body.path} answered ${res.statusCode}: ${Buffer.concat(chunks).toString().slice(0, 300)}`));
      });
    });
    req.on('error', reject);
    req.end(body.data);
  });
}

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

interface Server {
  child: ChildProcess;
  http: number;
  otlpHttp: number;
  dir: string;
}

async function startServer(cpuProf: string | undefined): Promise<Server> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lode-bench-'));
  const [httpPort, otlpPort] = [await freePort(), await freePort()];
  const nodeArgs = cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${cpuProf}`] : [];
  const child = spawn(process.execPath, [
    ...nodeArgs, LODE, 'serve', '--data', path.join(dir, 'data'), '--durability', 'fsync',
    '--http-listen', `127.0.0.1:${httpPort}`, '--otlp-http-listen', `127.0.0.1:${otlpPort}`,
    '--otlp-grpc-listen', '127.0.0.1:0', '--syslog-listen', '127.0.0.1:0',
    // Measure throughput, not the default per-tenant limits (4 MB/s would cap every run).
    '--limits.ingestion_rate_mb=100000', '--limits.ingestion_burst_size_mb=100000',
    '--limits.per_stream_rate_limit=100GiB', '--limits.per_stream_rate_limit_burst=100GiB',
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`lode serve did not start:\n${output}`)), 20_000);
    const seen = new Set<string>();
    child.stdout!.on('data', (c: Buffer) => {
      output += c.toString();
      for (const m of output.matchAll(/"listener":"(\w+)"[^\n]*"msg":"listening"/g)) seen.add(m[1]!);
      if (seen.has('http') && seen.has('otlp_http')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    child.once('exit', (code) => reject(new Error(`lode serve exited with ${code}:\n${output}`)));
  });
  child.stdout!.resume();
  return { child, http: httpPort, otlpHttp: otlpPort, dir };
}

function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

interface Result {
  protocol: Protocol;
  entries: number;
  seconds: number;
  lineMB: number;
  wireMB: number;
  peakRssMb: number;
}

async function run(server: Server, protocol: Protocol, args: Args): Promise<Result> {
  const port = protocol === 'otlp_protobuf' ? server.otlpHttp : server.http;
  const agent = new http.Agent({ keepAlive: true, maxSockets: args.clients });
  const gen = new Generator(args.batch);
  let entries = 0;
  let lineBytes = 0;
  let wireBytes = 0;
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb(server.child.pid!))), 250);
  const start = performance.now();
  const deadline = start + args.seconds * 1000;
  const client = async () => {
    while (performance.now() < deadline) {
      const body = gen.next(protocol);
      await post(agent, port, body);
      entries += args.batch;
      lineBytes += body.lineBytes;
      wireBytes += body.data.length;
    }
  };
  try {
    await Promise.all(Array.from({ length: args.clients }, client));
  } finally {
    clearInterval(sampler);
    agent.destroy();
  }
  const seconds = (performance.now() - start) / 1000;
  return { protocol, entries, seconds, lineMB: lineBytes / 1e6, wireMB: wireBytes / 1e6, peakRssMb: Math.max(peak, rssMb(server.child.pid!)) };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const server = await startServer(args.cpuProf);
  const results: Result[] = [];
  try {
    for (const p of args.only) results.push(await run(server, p, args));
  } finally {
    const exited = new Promise((r) => server.child.once('exit', r));
    server.child.kill('SIGTERM');
    await exited;
    fs.rmSync(server.dir, { recursive: true, force: true });
  }
  console.log(`lode serve, durability fsync, ${args.clients} clients × ${args.batch}-entry batches, ${args.seconds}s per protocol, ${os.cpus().length} CPUs`);
  console.log(['protocol'.padEnd(14), 'entries/s'.padStart(10), 'line MB/s'.padStart(10), 'wire MB/s'.padStart(10), 'entries'.padStart(10), 'peak RSS MB'.padStart(12)].join(' '));
  for (const r of results) {
    console.log([
      r.protocol.padEnd(14),
      Math.round(r.entries / r.seconds).toLocaleString('en').padStart(10),
      (r.lineMB / r.seconds).toFixed(1).padStart(10),
      (r.wireMB / r.seconds).toFixed(1).padStart(10),
      r.entries.toLocaleString('en').padStart(10),
      r.peakRssMb.toFixed(0).padStart(12),
    ].join(' '));
  }
  if (args.cpuProf) console.log(`CPU profile of lode serve written to ${args.cpuProf}`);
}

main().catch((e: Error) => {
  console.error(e.message);
  process.exitCode = 1;
});
