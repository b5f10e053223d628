import type { Entry, Labels, StreamPush } from '@lode/store';
import type { Ingester } from './ingester.js';
import type { IngestProtocol } from './types.js';

interface Pending {
  streams: Map<string, StreamPush>;
  bytes: number;
  entries: number;
  waiters: (() => void)[];
}

const newPending = (): Pending => ({ streams: new Map(), bytes: 0, entries: 0, waiters: [] });

/**
 * Collects entries of message-at-a-time sources (syslog, files) into pushes. One push is in
 * flight at a time; what arrives meanwhile forms the next batch, so batches grow with load and
 * the store's group commit sees few large appends instead of many tiny ones. Bytes held count
 * against the ingester's in-flight budget until appended. A source should stop reading while
 * `full` (a whole batch waits behind the one in flight) and resume on `onRoom`: parsed entries
 * take several times their line bytes on the heap, so an unbounded backlog costs far more RSS
 * than the budget's byte count suggests.
 */
export class PushBatcher {
  private pending = newPending();
  private inFlight: Promise<void> | undefined;
  private scheduled = false;
  private readonly roomListeners: (() => void)[] = [];

  constructor(
    private readonly ingester: Ingester,
    private readonly tenant: string,
    private readonly protocol: IngestProtocol,
    private readonly maxBatchEntries = 10_000,
  ) {}

  /** A full batch is waiting behind the one in flight. */
  get full(): boolean {
    return this.inFlight !== undefined && this.pending.entries >= this.maxBatchEntries;
  }

  /** Calls `listener` whenever a push finishes (the batcher is no longer `full`). */
  onRoom(listener: () => void): void {
    this.roomListeners.push(listener);
  }

  /** Queues one entry; `key` identifies the label set (callers cache it per stream). */
  add(labels: Labels, key: string, entry: Entry): void {
    let s = this.pending.streams.get(key);
    if (!s) {
      s = { labels, entries: [] };
      this.pending.streams.set(key, s);
    }
    s.entries.push(entry);
    const size = entry.line.length + 64;
    this.pending.bytes += size;
    this.pending.entries++;
    this.ingester.budget.acquire(size);
    if (this.pending.entries >= this.maxBatchEntries && !this.inFlight) this.startFlush();
    else this.schedule();
  }

  /** Resolves once everything added so far has been appended (or refused). */
  flushed(): Promise<void> {
    if (this.pending.entries === 0) return this.inFlight ?? Promise.resolve();
    const done = new Promise<void>((resolve) => this.pending.waiters.push(resolve));
    this.schedule();
    return done;
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (!this.inFlight) this.startFlush();
    });
  }

  private startFlush(): void {
    if (this.pending.entries === 0) return;
    const batch = this.pending;
    this.pending = newPending();
    this.inFlight = this.pushBatch(batch).finally(() => {
      this.inFlight = undefined;
      if (this.pending.entries > 0) this.startFlush();
      for (const listener of this.roomListeners) listener();
    });
  }

  private async pushBatch(batch: Pending): Promise<void> {
    try {
      const outcome = await this.ingester.push(this.tenant, [...batch.streams.values()], this.protocol);
      this.ingester.metrics.requests.inc({ protocol: this.protocol, status: String(outcome.status) });
      if (outcome.status !== 204) {
        this.ingester.logger.warn({ tenant: this.tenant, protocol: this.protocol, rejected: outcome.rejectedCount, reason: outcome.message.split('\n')[0] }, 'entries refused');
      }
    } catch (err) {
      this.ingester.metrics.requests.inc({ protocol: this.protocol, status: '500' });
      this.ingester.logger.error({ err, tenant: this.tenant, protocol: this.protocol, entries: batch.entries }, 'append failed; entries lost');
    } finally {
      this.ingester.budget.release(batch.bytes);
      for (const w of batch.waiters) w();
    }
  }
}
