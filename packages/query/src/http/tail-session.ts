/**
 * One live-tail subscription, independent of the transport (WebSocket or SSE): a backfill of the
 * newest `limit` entries since `start`, then every entry appended afterwards that passes the
 * selector and the pipeline, in frames of Loki's shape. Entries wait `delay_for` before they are
 * sent so that late writers can still be sorted in. A client that reads slower than entries
 * arrive gets `dropped_entries` instead of an ever-growing buffer.
 */
import { compileMatchers, type LabelPredicate, type Labels, type LogStore, type TailBatch } from '@lode/store';
import type { LogQueryExpr } from '../logql/index.js';
import { compilePipeline, type Pipeline } from '../pipeline/index.js';

export interface TailRequest {
  expr: LogQueryExpr;
  /** Newest entries since this time are sent first, unix ns. */
  start: bigint;
  /** Backfill size and the most entries of one frame. */
  limit: number;
  /** How long live entries wait before they are sent, ms (≤ 5000). */
  delayMs: number;
}

/** What a transport provides: send one frame, and whether it still has room for more. */
export interface TailSink {
  send(frame: TailFrame): void;
  congested(): boolean;
}

export interface TailStream {
  stream: Labels;
  values: [string, string][];
}

export interface DroppedEntry {
  labels: Labels;
  timestamp: string;
}

export interface TailFrame {
  streams: TailStream[];
  dropped_entries?: DroppedEntry[];
}

interface Pending {
  ts: bigint;
  line: string;
  labels: Labels;
  key: string;
  /** Arrival order, the tie-break for equal timestamps. */
  seq: number;
  /** When it arrived, Date.now() ms: it is sent once it has waited `delay_for`. */
  arrivedMs: number;
}

/** Entries held for a client before newer ones are dropped. */
const MAX_PENDING = 10_000;
/** Dropped entries reported per frame; the rest are counted in the next frames. */
const MAX_DROPPED_REPORTED = 1_000;
const FLUSH_INTERVAL_MS = 100;

export class TailSession {
  private readonly pipeline: Pipeline;
  private readonly matches: LabelPredicate;
  private pending: Pending[] = [];
  private dropped: DroppedEntry[] = [];
  private seq = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly unsubscribe: (() => void)[] = [];
  /** Backfilled entries (`streamId ts line`), so a live copy of one of them is not sent twice. */
  private backfilled = new Set<string>();
  private backfillHorizon = 0n;
  private closed = false;

  constructor(
    private readonly store: LogStore,
    private readonly tenants: string[],
    private readonly req: TailRequest,
    private readonly sink: TailSink,
  ) {
    this.pipeline = compilePipeline(req.expr.pipeline);
    this.matches = compileMatchers(req.expr.matchers);
  }

  /** Subscribes, then sends the backfill; store reads are synchronous, so nothing falls between. */
  start(): void {
    for (const t of this.tenants) this.unsubscribe.push(this.store.tail(t, (batches) => this.onBatches(t, batches)));
    this.sendBackfill();
    this.timer = setInterval(() => this.flush(false), FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const u of this.unsubscribe) u();
    if (this.timer) clearInterval(this.timer);
    this.pending = [];
  }

  private labelsFor(labels: Labels, tenant: string): Labels {
    return this.tenants.length > 1 ? { ...labels, __tenant_id__: tenant } : labels;
  }

  private sendBackfill(): void {
    const now = BigInt(Date.now()) * 1_000_000n;
    if (this.req.start >= now) return;
    const newest: Pending[] = [];
    for (const tenant of this.tenants) {
      let taken = 0;
      const it = this.store.entries(tenant, {
        matchers: [...this.req.expr.matchers],
        from: this.req.start,
        to: now + 1n,
        direction: 'backward',
        lineContains: this.pipeline.requiredLiterals,
      });
      for (const e of it) {
        const r = this.pipeline.process(e.ts, e.line, undefined, e.stream.labels, e.metadata);
        if (!r) continue;
        this.backfilled.add(`${e.stream.id} ${e.ts} ${e.line}`);
        const labels = this.labelsFor(r.labels, tenant);
        newest.push({ ts: e.ts, line: r.line, labels, key: tenant + r.key, seq: this.seq++, arrivedMs: 0 });
        if (++taken >= this.req.limit) break;
      }
    }
    this.backfillHorizon = now;
    newest.sort((a, b) => (a.ts > b.ts ? -1 : a.ts < b.ts ? 1 : 0));
    const chosen = newest.slice(0, this.req.limit).reverse();
    if (chosen.length) this.sink.send(frameOf(chosen, []));
  }

  private onBatches(tenant: string, batches: TailBatch[]): void {
    if (this.closed) return;
    const now = Date.now();
    for (const b of batches) {
      if (!this.matches(b.stream.labels)) continue;
      for (const e of b.entries) {
        if (e.ts <= this.backfillHorizon && this.backfilled.has(`${b.stream.id} ${e.ts} ${e.line}`)) continue;
        const r = this.pipeline.process(e.ts, e.line, undefined, b.stream.labels, e.metadata ?? {});
        if (!r) continue;
        const labels = this.labelsFor(r.labels, tenant);
        if (this.pending.length >= MAX_PENDING) this.drop(labels, e.ts);
        else this.pending.push({ ts: e.ts, line: r.line, labels, key: tenant + r.key, seq: this.seq++, arrivedMs: now });
      }
    }
    if (this.req.delayMs === 0) this.flush(false);
  }

  private drop(labels: Labels, ts: bigint): void {
    if (this.dropped.length < MAX_DROPPED_REPORTED) this.dropped.push({ labels, timestamp: ts.toString() });
  }

  /** Sends what has waited `delay_for`, at most `limit` entries per frame, or drops it while the client is congested. */
  private flush(force: boolean): void {
    if (this.closed || (this.pending.length === 0 && this.dropped.length === 0)) return;
    const cutoff = force || this.req.delayMs === 0 ? Infinity : Date.now() - this.req.delayMs;
    const ready: Pending[] = [];
    const waiting: Pending[] = [];
    for (const p of this.pending) (p.arrivedMs <= cutoff ? ready : waiting).push(p);
    this.pending = waiting;
    if (this.sink.congested()) {
      for (const p of ready) this.drop(p.labels, p.ts);
      return;
    }
    ready.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : a.seq - b.seq));
    for (let i = 0; i < ready.length || this.dropped.length > 0; i += this.req.limit) {
      const dropped = this.dropped;
      this.dropped = [];
      this.sink.send(frameOf(ready.slice(i, i + this.req.limit), dropped));
      if (i + this.req.limit >= ready.length) break;
    }
  }
}

function frameOf(entries: Pending[], dropped: DroppedEntry[]): TailFrame {
  const streams = new Map<string, TailStream>();
  for (const e of entries) {
    let s = streams.get(e.key);
    if (!s) streams.set(e.key, (s = { stream: e.labels, values: [] }));
    s.values.push([e.ts.toString(), e.line]);
  }
  const frame: TailFrame = { streams: [...streams.values()] };
  if (dropped.length) frame.dropped_entries = dropped;
  return frame;
}
