/**
 * Reads entries from the store for one selector, across the tenants of a query, in time order,
 * while keeping the query cancellable: the store's iterators are synchronous, so the scan checks
 * the caller's signal and the query deadline every few thousand entries and yields to the event
 * loop regularly (timers and client disconnects can only fire then).
 */
import type { ChunkHandle, Direction, EntryQuery, LogStore, Matcher, StoredEntry } from '@lode/store';
import { errors } from './errors.js';
import type { StatsCollector } from './stats.js';

export interface ScanContext {
  readonly store: LogStore;
  readonly tenants: readonly string[];
  readonly signal: AbortSignal | undefined;
  /** `performance.now()` after which the query fails with the timeout error; Infinity for none. */
  readonly deadline: number;
  readonly stats: StatsCollector;
}

export interface ScanRequest {
  readonly matchers: readonly Matcher[];
  readonly from: bigint;
  readonly to: bigint;
  readonly direction: Direction;
  readonly lineContains: readonly string[];
  /** A byte-level necessary condition for an entry to pass the pipeline (see EntryQuery.keep). */
  readonly keep?: EntryQuery['keep'];
}

/** Called per chunk (or in-memory block) with its tenant. */
export type ChunkVisitor = (chunk: ChunkHandle, tenant: string) => void;

/** Called per entry with its tenant; return `false` to stop the scan. */
export type EntryVisitor = (entry: StoredEntry, tenant: string, lineBytes: number) => boolean | void;

const CHECK_EVERY = 2048;
const YIELD_AFTER_MS = 25;

export class Scanner {
  private lastYield = performance.now();
  private readonly abort = new AbortController();

  constructor(private readonly ctx: ScanContext) {
    ctx.signal?.addEventListener('abort', () => this.abort.abort(), { once: true });
  }

  /** Throws the timeout or cancellation error if the query must stop; yields when due. */
  async checkpoint(): Promise<void> {
    const now = performance.now();
    if (now > this.ctx.deadline) {
      this.abort.abort();
      throw errors.timeout();
    }
    if (this.ctx.signal?.aborted) throw errors.canceled();
    if (now - this.lastYield > YIELD_AFTER_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      this.lastYield = performance.now();
      if (this.ctx.signal?.aborted) throw errors.canceled();
    }
  }

  /** Whether the store can list chunks for `scanChunks`. */
  get canScanChunks(): boolean {
    return typeof this.ctx.store.chunks === 'function';
  }

  /**
   * Visits the chunks of the selected streams in no time order (for aggregations whose result
   * does not depend on it); the visitor reports lines and bytes it read through `countRead`.
   * `decodeAhead` tells the store which coming chunks the visitor will open.
   */
  async scanChunks(req: Omit<ScanRequest, 'direction'>, visit: ChunkVisitor, decodeAhead?: EntryQuery['decodeAhead']): Promise<void> {
    const { store, tenants, stats } = this.ctx;
    if (!store.chunks) throw new Error('the store does not list chunks');
    if (this.ctx.signal?.aborted) throw errors.canceled();
    stats.subqueries++;
    for (const tenant of tenants) {
      const chunks = store.chunks(tenant, {
        matchers: [...req.matchers],
        from: req.from,
        to: req.to,
        direction: 'forward',
        lineContains: req.lineContains.length ? [...req.lineContains] : undefined,
        signal: this.abort.signal,
        ...(decodeAhead ? { decodeAhead } : {}),
      });
      for (const c of chunks) {
        visit(c, tenant);
        await this.checkpoint();
      }
    }
  }

  /** Adds lines read outside `scan` (chunk scans) to the query statistics. */
  countRead(lines: number, bytes: number): void {
    this.ctx.stats.linesProcessed += lines;
    this.ctx.stats.bytesProcessed += bytes;
  }

  async scan(req: ScanRequest, visit: EntryVisitor): Promise<void> {
    const { store, tenants, stats } = this.ctx;
    if (this.ctx.signal?.aborted) throw errors.canceled();
    stats.subqueries++;
    // Entries the store skips for `keep` were still read: they count as processed.
    const keep = req.keep;
    const counted: EntryQuery['keep'] =
      keep &&
      ((bytes, start, end, stream, metadata) => {
        if (keep(bytes, start, end, stream, metadata)) return true;
        stats.linesProcessed++;
        stats.bytesProcessed += end - start;
        return false;
      });
    const iterators = tenants.map((tenant) => ({
      tenant,
      it: store
        .entries(tenant, {
          matchers: [...req.matchers],
          from: req.from,
          to: req.to,
          direction: req.direction,
          lineContains: req.lineContains.length ? [...req.lineContains] : undefined,
          ...(counted ? { keep: counted } : {}),
          signal: this.abort.signal,
        })
        [Symbol.iterator](),
    }));
    let n = 0;
    const count = (e: StoredEntry): number => {
      const bytes = e.lineBytes !== undefined ? e.lineBytes.length : Buffer.byteLength(e.line);
      stats.linesProcessed++;
      stats.bytesProcessed += bytes;
      return bytes;
    };
    try {
      if (iterators.length === 1) {
        const { tenant, it } = iterators[0] as (typeof iterators)[number];
        for (let r = it.next(); !r.done; r = it.next()) {
          if (visit(r.value, tenant, count(r.value)) === false) return;
          if (++n % CHECK_EVERY === 0) await this.checkpoint();
        }
        return;
      }
      const heads = iterators.map(({ tenant, it }) => ({ tenant, it, cur: it.next() }));
      const forward = req.direction === 'forward';
      for (;;) {
        let best = -1;
        for (let i = 0; i < heads.length; i++) {
          const h = heads[i] as (typeof heads)[number];
          if (h.cur.done) continue;
          if (best < 0) {
            best = i;
            continue;
          }
          const b = (heads[best] as (typeof heads)[number]).cur.value as StoredEntry;
          const ts = (h.cur.value as StoredEntry).ts;
          if (forward ? ts < b.ts : ts > b.ts) best = i;
        }
        if (best < 0) return;
        const h = heads[best] as (typeof heads)[number];
        const e = h.cur.value as StoredEntry;
        h.cur = h.it.next();
        if (visit(e, h.tenant, count(e)) === false) return;
        if (++n % CHECK_EVERY === 0) await this.checkpoint();
      }
    } finally {
      for (const { it } of iterators) it.return?.();
    }
  }
}
