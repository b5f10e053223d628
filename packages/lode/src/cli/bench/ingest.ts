/**
 * `lode bench ingest`: pushes generated lines over the Loki JSON push API with a few requests in
 * flight, and measures throughput and request latency (which includes the server's fsync).
 */
import { Pusher } from '../pusher.js';
import type { Connection } from '../client.js';
import type { Labels } from '../loki-types.js';
import { benchStreams, LineGenerator } from './generator.js';
import { progressBar } from './progress.js';
import { latency, type LatencySummary } from './summary.js';

export interface IngestOptions {
  lines: number;
  streams: number;
  batchSize: number;
  concurrency: number;
  seed: number;
  progress: boolean;
}

export interface IngestResult {
  lines: number;
  bytes: number;
  requests: number;
  failedLines: number;
  retries: number;
  seconds: number;
  linesPerSecond: number;
  mbPerSecond: number;
  requestMs: LatencySummary;
}

export async function benchIngest(conn: Connection, o: IngestOptions): Promise<IngestResult> {
  const streams = benchStreams(o.streams);
  const gen = new LineGenerator(o.seed);
  const pusher = new Pusher(conn, { labels: streams[0]!, maxRetries: 10 });
  const bar = progressBar(o.lines, 'lines', o.progress);
  const requestMs: number[] = [];
  let produced = 0;
  let streamIndex = 0;

  /** The next batch: consecutive lines spread round-robin over the streams. */
  const nextBatch = (): Array<{ stream: Labels; values: Array<[string, string]> }> | undefined => {
    const n = Math.min(o.batchSize, o.lines - produced);
    if (n <= 0) return undefined;
    produced += n;
    const byStream = new Map<number, Array<[string, string]>>();
    for (let i = 0; i < n; i++) {
      const s = streamIndex++ % streams.length;
      let values = byStream.get(s);
      if (!values) byStream.set(s, (values = []));
      values.push([pusher.stamp().toString(), gen.line()]);
    }
    return [...byStream].map(([s, values]) => ({ stream: streams[s]!, values }));
  };

  const started = performance.now();
  const worker = async () => {
    for (let batch = nextBatch(); batch; batch = nextBatch()) {
      const t0 = performance.now();
      await pusher.pushStreams(batch);
      requestMs.push(performance.now() - t0);
      bar.increment(batch.reduce((n, s) => n + s.values.length, 0));
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  bar.stop();
  const s = pusher.stats;
  return {
    lines: s.lines,
    bytes: s.bytes,
    requests: s.batches,
    failedLines: s.failedLines,
    retries: s.retries,
    seconds: Math.round(seconds * 1000) / 1000,
    linesPerSecond: Math.round(s.lines / seconds),
    mbPerSecond: Math.round((s.bytes / 1e6 / seconds) * 100) / 100,
    requestMs: latency(requestMs),
  };
}
