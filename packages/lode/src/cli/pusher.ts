/**
 * Sends log lines to `/loki/api/v1/push` as JSON in batches, one request at a time so lines
 * arrive in order. 429, 5xx and unreachable servers are retried, waiting as long as
 * `Retry-After` says (or backing off); other refusals are reported and counted, not retried.
 */
import { errorOf, send, type Connection } from './client.js';
import { Backoff, sleep } from './backoff.js';
import { ServerError } from './errors.js';
import type { Labels } from './loki-types.js';

export interface PushStats {
  lines: number;
  bytes: number;
  batches: number;
  retries: number;
  failedBatches: number;
  failedLines: number;
}

export interface PusherOptions {
  /** Stream labels for push(); pushStreams() carries its own. */
  labels: Labels;
  maxRetries: number;
  /** Called with every refusal that will not be retried. */
  onRejected?: (err: ServerError, lines: number) => void;
  onRetry?: (why: string, waitMs: number) => void;
}

/** `Retry-After` as seconds or an HTTP date → milliseconds, if present and sane. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export class Pusher {
  readonly stats: PushStats = { lines: 0, bytes: 0, batches: 0, retries: 0, failedBatches: 0, failedLines: 0 };
  private lastTs = 0n;

  constructor(
    private readonly conn: Connection,
    private readonly opts: PusherOptions,
  ) {}

  /** A strictly increasing nanosecond timestamp near now, so lines keep their input order. */
  stamp(): bigint {
    const now = BigInt(Date.now()) * 1_000_000n;
    this.lastTs = now > this.lastTs ? now : this.lastTs + 1n;
    return this.lastTs;
  }

  /** Pushes one batch of `[ts, line]` pairs of the configured stream. */
  push(values: Array<[string, string]>): Promise<boolean> {
    return this.pushStreams([{ stream: this.opts.labels, values }]);
  }

  /** Pushes one batch of streams; resolves once it is stored or given up on. */
  async pushStreams(streams: Array<{ stream: Labels; values: Array<[string, string]> }>): Promise<boolean> {
    const body = JSON.stringify({ streams });
    let bytes = 0;
    let lines = 0;
    for (const s of streams) {
      lines += s.values.length;
      for (const [, line] of s.values) bytes += Buffer.byteLength(line);
    }
    const backoff = new Backoff(250, 30_000);
    for (let attempt = 0; ; attempt++) {
      let failure: ServerError;
      let waitMs: number | undefined;
      try {
        const res = await send(this.conn, '/loki/api/v1/push', { method: 'POST', body, headers: { 'Content-Type': 'application/json' } });
        if (res.ok) {
          await res.arrayBuffer();
          this.stats.batches++;
          this.stats.lines += lines;
          this.stats.bytes += bytes;
          return true;
        }
        failure = await errorOf(res);
        if (res.status !== 429 && res.status < 500) return this.reject(failure, lines);
        waitMs = retryAfterMs(res.headers.get('retry-after'));
      } catch (err) {
        if (!(err instanceof ServerError)) throw err;
        failure = err;
      }
      if (attempt >= this.opts.maxRetries) return this.reject(new ServerError(`${failure.message} (gave up after ${attempt} retries)`, failure.status), lines);
      const wait = waitMs ?? backoff.next();
      this.stats.retries++;
      this.opts.onRetry?.(failure.message, wait);
      await sleep(wait);
    }
  }

  private reject(err: ServerError, lines: number): false {
    this.stats.failedBatches++;
    this.stats.failedLines += lines;
    this.opts.onRejected?.(err, lines);
    return false;
  }
}
