/**
 * `lode bench ingest`: pushes generated lines over one protocol (Loki JSON push, Loki protobuf
 * push, OTLP/HTTP protobuf, or syslog over TCP) with a few requests or connections in flight, and
 * measures throughput, request latency (which includes the server's fsync) and the server's RSS.
 * Syslog has no acknowledgement, so its run ends when the server's index counts every line.
 */
import net from 'node:net';
import { Backoff, sleep } from '../backoff.js';
import { getJson, type Connection } from '../client.js';
import { ServerError } from '../errors.js';
import { retryAfterMs } from '../pusher.js';
import { lokiJson, lokiProto, otlpProto, syslogFrames, type Batch, type BatchStream, type BenchProtocol, type HttpBody } from './bodies.js';
import { benchStreams, LinePool } from './generator.js';
import { keepAlivePoster, type Poster } from './http-post.js';
import { progressBar } from './progress.js';
import { sampleRss } from './server-rss.js';
import { latency, type LatencySummary } from './summary.js';

export interface IngestOptions {
  protocol: BenchProtocol;
  lines: number;
  streams: number;
  batchSize: number;
  concurrency: number;
  seed: number;
  progress: boolean;
  /** host:port of the server's syslog listener (syslog-tcp only). */
  syslogAddr: string;
  maxRetries?: number;
}

export interface IngestResult {
  protocol: BenchProtocol;
  lines: number;
  bytes: number;
  /** HTTP requests, or syslog batches written. */
  requests: number;
  failedLines: number;
  retries: number;
  seconds: number;
  linesPerSecond: number;
  mbPerSecond: number;
  /** Per request; for syslog (no acknowledgements) the time to write one batch into the socket. */
  requestMs: LatencySummary;
  /** Peak `process_resident_memory_bytes` of the server during the run, when `/metrics` has it. */
  serverPeakRssBytes?: number;
  firstError?: string;
}

const HTTP_BODIES: Record<Exclude<BenchProtocol, 'syslog-tcp'>, (b: Batch) => HttpBody> = {
  'loki-json': lokiJson,
  'loki-proto': lokiProto,
  'otlp-proto': otlpProto,
};

/** Consecutive generated lines spread round-robin over the streams, batch by batch. */
class BatchSource {
  private readonly streams;
  private readonly pool;
  private produced = 0;
  private next = 0;
  /** The last timestamp given out: unix seconds and nanoseconds within them. */
  private seconds = 0;
  private nanos = 0;

  constructor(private readonly o: IngestOptions) {
    this.streams = benchStreams(o.streams);
    this.pool = new LinePool(o.seed);
  }

  /** Prepares the pool's byte forms the protocol's bodies copy from. */
  prepare(protocol: BenchProtocol): void {
    this.pool.prepare(protocol);
  }

  /** The last timestamp plus 1 ns, or now when that is later: strictly increasing, so lines keep their order. */
  private stamp(nowSeconds: number, nowNanos: number): void {
    if (nowSeconds > this.seconds || (nowSeconds === this.seconds && nowNanos > this.nanos)) {
      this.seconds = nowSeconds;
      this.nanos = nowNanos;
    } else if (++this.nanos === 1e9) {
      this.seconds++;
      this.nanos = 0;
    }
  }

  take(): { batch: Batch; lines: number; bytes: number } | undefined {
    const n = Math.min(this.o.batchSize, this.o.lines - this.produced);
    if (n <= 0) return undefined;
    this.produced += n;
    const pool = this.pool;
    const byStream: (BatchStream | undefined)[] = [];
    const streams: BatchStream[] = [];
    let bytes = 0;
    const now = Date.now();
    const nowSeconds = Math.floor(now / 1000);
    const nowNanos = (now % 1000) * 1e6;
    for (let j = 0; j < n; j++) {
      const i = this.next % pool.size;
      const s = this.next++ % this.streams.length;
      let part = byStream[s];
      if (!part) streams.push((byStream[s] = part = { labels: this.streams[s]!, lines: [], seconds: [], nanos: [] }));
      bytes += pool.utf8[i]!.length;
      this.stamp(nowSeconds, nowNanos);
      part.lines.push(i);
      part.seconds.push(this.seconds);
      part.nanos.push(this.nanos);
    }
    return { batch: { pool, streams }, lines: n, bytes };
  }
}

interface Tally {
  lines: number;
  bytes: number;
  requests: number;
  failedLines: number;
  retries: number;
  requestMs: number[];
  firstError?: string;
}

/** POSTs one body; 429, 5xx and unreachable servers are retried as `Retry-After` says (or backing off). */
async function post(postBody: Poster, body: HttpBody, maxRetries: number, tally: Tally): Promise<boolean> {
  const backoff = new Backoff(250, 30_000);
  for (let attempt = 0; ; attempt++) {
    let failure: ServerError;
    let waitMs: number | undefined;
    try {
      const res = await postBody(body.path, body.body, body.headers);
      if (res.status >= 200 && res.status < 300) return true;
      failure = new ServerError(`server answered ${res.status}${res.text ? `: ${res.text}` : ''}`, res.status);
      if (res.status !== 429 && res.status < 500) return fail(failure);
      waitMs = retryAfterMs(res.retryAfter);
    } catch (err) {
      if (!(err instanceof ServerError)) throw err;
      failure = err;
    }
    if (attempt >= maxRetries) return fail(new ServerError(`${failure.message} (gave up after ${attempt} retries)`, failure.status));
    tally.retries++;
    await sleep(waitMs ?? backoff.next());
  }
  function fail(err: ServerError): false {
    tally.firstError ??= err.message;
    return false;
  }
}

async function pushHttp(conn: Connection, o: IngestOptions, source: BatchSource, encode: (b: Batch) => HttpBody, tally: Tally): Promise<void> {
  const poster = keepAlivePoster(conn, o.concurrency);
  const bar = progressBar(o.lines, `lines ${o.protocol}`, o.progress);
  const worker = async () => {
    for (let next = source.take(); next; next = source.take()) {
      const t0 = performance.now();
      const ok = await post(poster, encode(next.batch), o.maxRetries ?? 10, tally);
      tally.requestMs.push(performance.now() - t0);
      tally.requests++;
      if (ok) {
        tally.lines += next.lines;
        tally.bytes += next.bytes;
      } else tally.failedLines += next.lines;
      bar.increment(next.lines);
    }
  };
  try {
    await Promise.all(Array.from({ length: o.concurrency }, worker));
  } finally {
    bar.stop();
  }
}

/** Selector of the streams syslog-tcp writes (facility local0, HOSTNAME = the stream's instance). */
const SYSLOG_SELECTOR = '{facility="local0", hostname=~"i-[0-9]+"}';

async function syslogEntries(conn: Connection): Promise<number> {
  const end = BigInt(Date.now() + 60_000) * 1_000_000n;
  const start = end - 3n * 3600n * 1_000_000_000n;
  const body = (await getJson(conn, '/loki/api/v1/index/stats', { query: SYSLOG_SELECTOR, start: start.toString(), end: end.toString() })) as { entries?: unknown };
  if (typeof body.entries !== 'number') throw new ServerError(`index/stats answered without "entries": ${JSON.stringify(body).slice(0, 200)}`);
  return body.entries;
}

function connect(addr: string): Promise<net.Socket> {
  const m = /^\[?([^\]]*)\]?:(\d+)$/.exec(addr);
  if (!m) throw new ServerError(`--syslog-addr must be host:port, got "${addr}"`);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: m[1]!, port: Number(m[2]) }, () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', (err) => reject(new ServerError(`cannot reach syslog at ${addr}: ${(err as NodeJS.ErrnoException).code ?? err.message}`)));
  });
}

/** Longest wait for the server to count the last syslog lines once nothing new arrives. */
const SYSLOG_SETTLE_MS = 30_000;

/** `before`: the lines the index counted before the run. */
async function pushSyslog(conn: Connection, o: IngestOptions, source: BatchSource, before: number, tally: Tally): Promise<void> {
  const bar = progressBar(o.lines, `lines ${o.protocol}`, o.progress);
  let sent = 0;
  const worker = async () => {
    const socket = await connect(o.syslogAddr);
    for (let next = source.take(); next; next = source.take()) {
      const t0 = performance.now();
      if (!socket.write(syslogFrames(next.batch))) await new Promise((r) => socket.once('drain', r));
      tally.requestMs.push(performance.now() - t0);
      tally.requests++;
      tally.bytes += next.bytes;
      sent += next.lines;
      bar.increment(next.lines);
    }
    await new Promise<void>((resolve) => socket.end(resolve));
  };
  try {
    await Promise.all(Array.from({ length: o.concurrency }, worker));
  } finally {
    bar.stop();
  }
  // No acknowledgements in syslog: the run ends when the index holds every line sent.
  let stored = 0;
  let lastChange = performance.now();
  for (;;) {
    const now = (await syslogEntries(conn)) - before;
    if (now !== stored) lastChange = performance.now();
    stored = now;
    if (stored >= sent || performance.now() - lastChange > SYSLOG_SETTLE_MS) break;
    await sleep(20);
  }
  tally.lines = Math.min(stored, sent);
  tally.failedLines = sent - tally.lines;
  if (tally.failedLines > 0) tally.firstError ??= `${tally.failedLines} of ${sent} syslog lines never became queryable`;
}

export async function benchIngest(conn: Connection, o: IngestOptions): Promise<IngestResult> {
  const tally: Tally = { lines: 0, bytes: 0, requests: 0, failedLines: 0, retries: 0, requestMs: [] };
  // Set up before the clock starts: generating the line pool is not part of what is measured.
  const source = new BatchSource(o);
  const encode = o.protocol === 'syslog-tcp' ? undefined : HTTP_BODIES[o.protocol];
  source.prepare(o.protocol);
  const syslogBefore = encode ? 0 : await syslogEntries(conn);
  const rss = sampleRss(conn);
  const started = performance.now();
  try {
    if (encode) await pushHttp(conn, o, source, encode, tally);
    else await pushSyslog(conn, o, source, syslogBefore, tally);
  } catch (err) {
    await rss.stop();
    throw err;
  }
  const seconds = (performance.now() - started) / 1000;
  const peakRss = await rss.stop();
  return {
    protocol: o.protocol,
    lines: tally.lines,
    bytes: tally.bytes,
    requests: tally.requests,
    failedLines: tally.failedLines,
    retries: tally.retries,
    seconds: Math.round(seconds * 1000) / 1000,
    linesPerSecond: Math.round(tally.lines / seconds),
    mbPerSecond: Math.round((tally.bytes / 1e6 / seconds) * 100) / 100,
    requestMs: latency(tally.requestMs),
    ...(peakRss !== undefined ? { serverPeakRssBytes: peakRss } : {}),
    ...(tally.firstError ? { firstError: tally.firstError } : {}),
  };
}
