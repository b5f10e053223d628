/**
 * Prometheus remote-write (protocol 1.0): recorded samples as a snappy-compressed
 * `prometheus.WriteRequest`. Batches are queued and retried like notifications, and never
 * hold up evaluation.
 */
import protobuf from 'protobufjs';
import { compressSync } from 'snappy';
import type { RulerLogger } from './logger.js';
import type { RulerMetrics } from './metrics.js';

// The subset of prometheus/prompb/{remote,types}.proto that a sample writer needs.
const PROTO = `
syntax = "proto3";
package prometheus;
message WriteRequest { repeated TimeSeries timeseries = 1; }
message TimeSeries { repeated Label labels = 1; repeated Sample samples = 2; }
message Label { string name = 1; string value = 2; }
message Sample { double value = 1; int64 timestamp = 2; }
`;

const WriteRequest = protobuf.parse(PROTO).root.lookupType('prometheus.WriteRequest');

export interface RemoteSeries {
  /** Includes `__name__`. */
  labels: Readonly<Record<string, string>>;
  value: number;
  timestampMs: number;
}

/** Encodes a WriteRequest body (snappy block format), labels sorted by name as the protocol requires. */
export function encodeWriteRequest(series: readonly RemoteSeries[]): Buffer {
  const message = WriteRequest.fromObject({
    timeseries: series.map((s) => ({
      labels: Object.keys(s.labels)
        .sort()
        .map((name) => ({ name, value: s.labels[name] })),
      samples: [{ value: s.value, timestamp: s.timestampMs }],
    })),
  });
  return compressSync(WriteRequest.encode(message).finish());
}

export interface RemoteWriterOptions {
  maxAttempts?: number;
  /** Samples held before the oldest are dropped. */
  capacity?: number;
  /** First retry delay, doubled per attempt up to 10 s. */
  backoffMs?: number;
}

export class RemoteWriter {
  private queue: RemoteSeries[] = [];
  /** Samples of the batch being sent, counted in the queue-length gauge. */
  private inFlight = 0;
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly maxAttempts: number;
  private readonly capacity: number;
  private readonly backoffMs: number;
  private readonly metricLabels: { url: string };

  constructor(
    private readonly url: string,
    private readonly logger: RulerLogger,
    private readonly metrics: RulerMetrics,
    opts: RemoteWriterOptions = {},
  ) {
    this.maxAttempts = opts.maxAttempts ?? 5;
    this.capacity = opts.capacity ?? 100_000;
    this.backoffMs = opts.backoffMs ?? 250;
    this.metricLabels = { url };
    // Zero-valued series from the start, so rate() and alerts on them work before the first failure.
    for (const c of [metrics.remoteWriteSent, metrics.remoteWriteFailed, metrics.remoteWriteDropped]) c.inc(this.metricLabels, 0);
    this.updateQueueGauge();
  }

  write(series: RemoteSeries[]): void {
    if (this.stopped || series.length === 0) return;
    this.queue.push(...series);
    if (this.queue.length > this.capacity) {
      const dropped = this.queue.length - this.capacity;
      this.queue.splice(0, dropped);
      this.metrics.remoteWriteDropped.inc(this.metricLabels, dropped);
      this.logger.warn({ url: this.url, dropped }, 'ruler: remote-write queue full, dropped the oldest samples');
    }
    this.updateQueueGauge();
    this.running ??= this.drain().finally(() => (this.running = undefined));
  }

  private updateQueueGauge(): void {
    this.metrics.remoteWriteQueue.set(this.metricLabels, this.queue.length + this.inFlight);
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0 && !this.stopped) {
      const batch = this.queue.splice(0, 2000);
      this.inFlight = batch.length;
      const ok = await this.send(batch);
      this.inFlight = 0;
      (ok ? this.metrics.remoteWriteSent : this.metrics.remoteWriteFailed).inc(this.metricLabels, batch.length);
      this.updateQueueGauge();
    }
  }

  /** Delivers one batch with retries; false once it is given up. */
  private async send(batch: RemoteSeries[]): Promise<boolean> {
    const body = encodeWriteRequest(batch);
    let delay = this.backoffMs;
    let lastError = '';
    for (let attempt = 1; attempt <= this.maxAttempts && !this.stopped; attempt++) {
      try {
        const res = await fetch(this.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-protobuf',
            'content-encoding': 'snappy',
            'x-prometheus-remote-write-version': '0.1.0',
            'user-agent': 'lode-ruler',
          },
          body,
          signal: AbortSignal.timeout(10_000),
        });
        const text = await res.text();
        if (res.ok) return true;
        lastError = `HTTP ${res.status}: ${text.slice(0, 200)}`;
        // Remote-write: 4xx (other than 429) means the data is refused for good.
        if (res.status < 500 && res.status !== 429) break;
      } catch (err) {
        lastError = (err as Error).message;
      }
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 10_000);
    }
    this.logger.warn({ url: this.url, samples: batch.length, err: lastError }, 'ruler: remote write failed, samples dropped');
    return false;
  }

  idle(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
    if (this.queue.length > 0) this.metrics.remoteWriteDropped.inc(this.metricLabels, this.queue.length);
    this.queue = [];
    this.updateQueueGauge();
  }
}
