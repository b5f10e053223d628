/**
 * The store: append (validate → one WAL record → head), background flush of cut head blocks to
 * LMDB chunks, replay on open, and the read API (delegated to read.ts) over head + chunks.
 *
 * Visibility: entries enter the head only AFTER their WAL record is durable, and strictly in LSN
 * order (a small reorder queue). Why after: an append whose WAL write fails must leave nothing
 * behind, and a reader must never see an entry that a crash could then lose. Why LSN order: a
 * stream's persisted `flushedLsn` claims "every record ≤ this LSN is in LMDB"; if a later record
 * could reach the head (and a chunk) before an earlier one, replay would skip the earlier one.
 * Replay re-inserts a record's entries only for streams whose flushedLsn is below the record's
 * LSN, and chunk + flushedLsn are committed in one LMDB txn, so nothing is ever inserted twice.
 */
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type {
  AppendResult,
  ChunkHandle,
  ChunkSummary,
  Entry,
  EntryQuery,
  IndexStats,
  Labels,
  LogStore,
  Matcher,
  Rejection,
  SelectQuery,
  StoredEntry,
  StreamPush,
  StreamRef,
  TailBatch,
  TimeRange,
} from './model.js';
import { DEFAULT_LIMITS, type LimitsFor } from './limits.js';
import { Wal } from './wal/index.js';
import { ChunkEncoderPool } from './chunk/index.js';
import { ChunkDecoderPool } from './chunk/decode-pool.js';
import type { PoolEncoded } from './chunk/encoder-pool.js';
import { openDbs, PRESENT, type Dbs, type StreamRecord } from './db.js';
import { chunkKey, decodeChunkMeta, encodeChunkMeta, parseChunkKey, postingKey, streamKey, tenantOfKey } from './keys.js';
import { assertValidTenant, canonicalLabels, formatSelector, hashStreamId, labelsError, nextStreamId } from './labels.js';
import { columnEntries, decodeRecord, encodeRecord, type EncodedRecord, type RecordColumns, type RecordStream } from './record.js';
import { HeadBlock } from './head.js';
import { StreamState, TenantState } from './streams.js';
import { admissionBounds, refuseEntry } from './validate.js';
import { iterateEntries, summarize } from './read.js';
import { chunkHandles } from './chunk-handles.js';
import { indexStats } from './index-stats.js';
import { runMaintenance, type MaintenanceContext } from './maintenance.js';
import type { MaintenanceReport, StoreMetrics, StoreOptions } from './options.js';
import { StoreClosedError } from './errors.js';

const KiB = 1024;
const MINUTE = 60_000;

interface PendingAppend {
  lsn: bigint;
  ready: boolean;
  error: unknown;
  tenant: TenantState;
  /**
   * The WAL record; its columns go into the heads (and to live tail), then its buffer is reused.
   * The entry objects are not kept: they need not outlive encoding (young garbage is cheap;
   * objects alive across the fsync wait are copied by every scavenge in between).
   */
  record: EncodedRecord;
  states: StreamState[];
  resolve: () => void;
  reject: (err: unknown) => void;
}

interface FlushJob {
  stream: StreamState;
  block: HeadBlock;
}

/** A batch of flush jobs whose chunks are being encoded (in job order). */
interface EncodingBatch {
  jobs: FlushJob[];
  encoded: Promise<PoolEncoded[]>;
}

/** Blocks per LMDB transaction. */
const FLUSH_BATCH = 32;

export class Store implements LogStore {
  private readonly tenants = new Map<string, TenantState>();
  private readonly limitsFor: LimitsFor;
  private readonly now: () => number;
  private readonly chunkTarget: number;
  private readonly maxChunkAge: number;
  private readonly idlePeriod: number;
  private readonly pendingQueue: PendingAppend[] = [];
  private pendingHead = 0;
  private readonly flushQueue: FlushJob[] = [];
  private flushing: Promise<void> | undefined;
  private maintaining: Promise<MaintenanceReport> | undefined;
  private readonly tailListeners = new Map<string, Set<(b: TailBatch[]) => void>>();
  private readonly timers: NodeJS.Timeout[] = [];
  private closed = false;
  /** Line bytes of cut blocks not yet in LMDB, and the budget past which appends wait. */
  private queuedFlushBytes = 0;
  private readonly maxQueuedFlushBytes: number;
  /** Appends held back by the budget: woken after every commit (and when the flush loop ends) to check again. */
  private flushWaiters: (() => void)[] = [];
  private replaying = false;
  private nextSeq: bigint;
  readonly counters = { chunksWritten: 0, chunks: 0, chunkBytes: 0, chunkStoredBytes: 0, corruptChunks: 0, chunksDecoded: 0 };

  private constructor(
    private readonly opts: StoreOptions,
    readonly dbs: Dbs,
    private wal: Wal,
    nextSeq: bigint,
    private readonly encoder: ChunkEncoderPool,
    private readonly decoder: ChunkDecoderPool,
  ) {
    this.limitsFor = opts.limits ?? (() => DEFAULT_LIMITS);
    this.now = opts.now ?? Date.now;
    this.chunkTarget = opts.chunkTargetBytes ?? 256 * KiB;
    this.maxChunkAge = opts.maxChunkAgeMs ?? 120 * MINUTE;
    this.idlePeriod = opts.chunkIdlePeriodMs ?? 30 * MINUTE;
    this.nextSeq = nextSeq;
    this.maxQueuedFlushBytes = opts.maxQueuedFlushBytes ?? 64 * 1024 * 1024;
  }

  static async open(opts: StoreOptions): Promise<Store> {
    // First, so bad options fail before anything is opened (threads start on the first flush).
    const encoder = new ChunkEncoderPool(opts.encodeWorkers ?? 1, { level: opts.chunkCompressionLevel, encoding: opts.chunkEncoding });
    const decoder = new ChunkDecoderPool(opts.decodeWorkers ?? 1);
    mkdirSync(opts.dir, { recursive: true });
    const dbs = openDbs(join(opts.dir, 'index'), opts.mapSize ?? 64 * 1024 * 1024 * 1024);
    const nextSeq = BigInt((dbs.meta.get('nextChunkSeq') as string | undefined) ?? '1');
    const now = (opts.now ?? Date.now)();
    const tenants = new Map<string, TenantState>();
    let maxFlushed = 0n;
    for (const { key, value } of dbs.streams.getRange({})) {
      const tenant = tenantOfKey(key);
      const id = key.readBigUInt64BE(1 + key[0]);
      const labels = canonicalLabels(value.labels);
      const s = new StreamState(tenant, id, labels, formatSelector(labels), BigInt(value.flushedLsn), now);
      if (s.flushedLsn > maxFlushed) maxFlushed = s.flushedLsn;
      if (value.minTs !== undefined && value.maxTs !== undefined) s.extendSpan(BigInt(value.minTs), BigInt(value.maxTs));
      let t = tenants.get(tenant);
      if (!t) tenants.set(tenant, (t = new TenantState(tenant)));
      t.add(s);
      s.postingsPersisted = true;
      if (!s.hasData) t.unindex(s);
    }
    const hooks = opts.hooks ?? {};
    let wal: Wal;
    try {
      wal = await Wal.open({
        dir: join(opts.dir, 'wal'),
        durability: opts.durability ?? 'fsync',
        batchIntervalMs: opts.batchIntervalMs,
        segmentBytes: opts.walSegmentBytes,
        lsnFloor: maxFlushed,
        onCorrupt: hooks.onWalCorrupt,
        onSync: hooks.onWalSync ? (seconds) => hooks.onWalSync!(seconds) : undefined,
      });
    } catch (err) {
      await dbs.env.close();
      throw err;
    }
    const store = new Store(opts, dbs, wal, nextSeq, encoder, decoder);
    for (const [name, t] of tenants) store.tenants.set(name, t);
    store.scanChunkIndex();
    store.replaying = true;
    await wal.replay((lsn, payload) => store.replayRecord(lsn, payload));
    store.replaying = false;
    for (const t of store.tenants.values()) {
      for (const s of t.byId.values()) {
        s.acceptedMaxTs = s.hasData ? s.maxTs : undefined;
        if (s.head.bytes >= store.chunkTarget) store.cut(s);
      }
    }
    store.startTimers();
    return store;
  }

  /** Totals, per-stream chunk totals and chunk spans from the chunk index (keys and 20-byte values only). */
  private scanChunkIndex(): void {
    for (const { key, value } of this.dbs.chunkIndex.getRange({})) {
      const parts = parseChunkKey(key);
      const meta = decodeChunkMeta(parts.minTs, value);
      this.counters.chunks++;
      this.counters.chunkBytes += meta.bytes;
      this.counters.chunkStoredBytes += meta.storedBytes;
      const s = this.tenants.get(tenantOfKey(key))?.byId.get(parts.id);
      if (!s) continue;
      s.addChunk(meta.minTs, meta.maxTs, meta.entries, meta.bytes);
      if (meta.maxTs - meta.minTs > s.maxChunkSpan) s.maxChunkSpan = meta.maxTs - meta.minTs;
    }
  }

  private replayRecord(lsn: bigint, payload: Buffer): void {
    const rec = decodeRecord(payload);
    const t = this.tenant(rec.tenant);
    const now = this.now();
    for (const rs of rec.streams) {
      let s = t.byId.get(rs.id);
      if (!s) {
        const labels = canonicalLabels(rs.labels);
        s = new StreamState(rec.tenant, rs.id, labels, formatSelector(labels), -1n, now);
        t.add(s);
      }
      if (lsn <= s.flushedLsn) continue;
      this.insert(t, s, rs.entries, lsn, now);
    }
  }

  private startTimers(): void {
    const check = this.opts.flushCheckIntervalMs ?? 10_000;
    const t1 = setInterval(() => this.cutAged(), check);
    t1.unref();
    this.timers.push(t1);
    const every = this.opts.maintenanceIntervalMs ?? 10 * MINUTE;
    if (every > 0) {
      const t2 = setInterval(() => {
        this.maintain().catch((err) => this.backgroundError(err));
      }, every);
      t2.unref();
      this.timers.push(t2);
    }
  }

  private tenant(name: string): TenantState {
    let t = this.tenants.get(name);
    if (!t) this.tenants.set(name, (t = new TenantState(name)));
    return t;
  }

  private backgroundError(err: unknown): void {
    const e = err instanceof Error ? err : new Error(String(err));
    if (this.opts.hooks?.onBackgroundError) this.opts.hooks.onBackgroundError(e);
    else process.emitWarning(`lode store background job failed: ${e.message}`);
  }

  // ---------------------------------------------------------------- append

  async append(tenant: string, streams: StreamPush[]): Promise<AppendResult> {
    if (this.closed) throw new StoreClosedError();
    assertValidTenant(tenant);
    if (!Array.isArray(streams)) throw new TypeError('append() takes an array of streams');
    const limits = this.limitsFor(tenant);
    const now = this.now();
    const bounds = admissionBounds(limits, now);
    /** Lines of at most this many UTF-16 units are within max_line_size whatever their UTF-8 length (≤ 3 bytes a unit). */
    const fastLineChars = bounds.maxLineBytes > 0 ? Math.floor(bounds.maxLineBytes / 3) : Infinity;
    const t = this.tenant(tenant);
    const rejected: Rejection[] = [];
    const records: RecordStream[] = [];
    const states: StreamState[] = [];
    let accepted = 0;

    for (const push of streams) {
      const entries: Entry[] = Array.isArray(push?.entries) ? push.entries : [];
      const labels: Labels = push?.labels && typeof push.labels === 'object' ? push.labels : {};
      const labelErr = labelsError(labels, limits);
      if (labelErr) {
        if (entries.length > 0) rejected.push({ stream: formatSelector(labels), reason: 'invalid_labels', count: entries.length, message: labelErr });
        continue;
      }
      if (entries.length === 0) continue;
      const selector = formatSelector(labels);
      const s = this.streamFor(t, selector, labels, limits.max_global_streams_per_user, now);
      if (!s) {
        rejected.push({
          stream: selector,
          reason: 'stream_limit',
          count: entries.length,
          message: `Maximum active stream limit exceeded, reduce the number of active streams (reduce labels or reduce label values), or contact your Loki administrator to see if the limit can be increased, user: '${tenant}'`,
        });
        continue;
      }
      let kept: Entry[] | undefined;
      let newest = s.acceptedMaxTs;
      let byReason: Map<string, Rejection> | undefined;
      let validMetadata: Labels | undefined;
      for (let i = 0; i < entries.length; i++) {
        const e = entries[i];
        // An entry in time order, whose line cannot be too long and whose metadata was already
        // found valid, passes every check of refuseEntry: accepted here without the call.
        const ts = e.ts;
        const md = e.metadata;
        if (
          typeof ts === 'bigint' &&
          typeof e.line === 'string' &&
          e.line.length <= fastLineChars &&
          (newest === undefined || ts >= newest) &&
          ts <= bounds.newest &&
          (bounds.oldest === undefined || ts >= bounds.oldest) &&
          (md === undefined || md === validMetadata || bounds.validMetadata.has(md))
        ) {
          validMetadata = md;
          newest = ts;
          if (kept) kept.push(e);
          continue;
        }
        const r = refuseEntry(e, selector, newest, bounds, limits);
        if ('reason' in r && r.reason !== undefined) {
          if (!kept) kept = entries.slice(0, i);
          byReason ??= new Map();
          const prev = byReason.get(r.reason);
          if (prev) prev.count++;
          else byReason.set(r.reason, { stream: selector, reason: r.reason, count: 1, message: r.message });
          continue;
        }
        const entry = r as Entry;
        if (newest === undefined || entry.ts > newest) newest = entry.ts;
        if (kept) kept.push(entry);
        else if (entry !== e) {
          kept = entries.slice(0, i);
          kept.push(entry);
        }
      }
      if (byReason) for (const r of byReason.values()) rejected.push(r);
      const keep = kept ?? entries;
      if (keep.length === 0) continue;
      s.acceptedMaxTs = newest;
      s.pending++;
      records.push({ id: s.id, labels: s.labels, entries: keep });
      states.push(s);
      accepted += keep.length;
    }
    if (accepted === 0) return { accepted, rejected };
    // Backpressure: when chunk encoding falls behind, appends wait instead of growing memory.
    while (this.queuedFlushBytes > this.maxQueuedFlushBytes && this.flushing) {
      await new Promise<void>((resolve) => this.flushWaiters.push(resolve));
    }

    let appended: { lsn: bigint; durable: Promise<void> };
    let record: EncodedRecord;
    try {
      record = encodeRecord(tenant, records);
      appended = this.wal.append(record.payload);
    } catch (err) {
      for (const s of states) s.pending--;
      throw err;
    }
    // Returned, not awaited here: a suspended append would keep `streams` and `records`, so every
    // entry object, alive across the fsync wait (copied by each scavenge meanwhile).
    return this.whenInserted(appended, record, t, states).then(() => ({ accepted, rejected }));
  }

  /** Queues a WAL-appended record for the heads; settles once it is durable and inserted. */
  private whenInserted(appended: { lsn: bigint; durable: Promise<void> }, record: EncodedRecord, t: TenantState, states: StreamState[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const p: PendingAppend = { lsn: appended.lsn, ready: false, error: undefined, tenant: t, record, states, resolve, reject };
      this.pendingQueue.push(p);
      appended.durable.then(
        () => {
          p.ready = true;
          this.drainPending();
        },
        (err: unknown) => {
          p.ready = true;
          p.error = err;
          this.drainPending();
        },
      );
    });
  }

  /** The stream for a label set, created (with a collision-free id) if new; undefined past the stream limit. */
  private streamFor(t: TenantState, selector: string, labels: Labels, maxStreams: number, now: number): StreamState | undefined {
    const known = t.bySelector.get(selector);
    if (known) return known;
    if (maxStreams > 0 && t.bySelector.size >= maxStreams) return undefined;
    let id = hashStreamId(selector);
    while (t.byId.has(id)) id = nextStreamId(id);
    const s = new StreamState(t.tenant, id, canonicalLabels(labels), selector, -1n, now);
    t.add(s);
    return s;
  }

  /** Inserts durable appends into the head strictly in LSN order (see the file comment). */
  private drainPending(): void {
    const q = this.pendingQueue;
    while (this.pendingHead < q.length && q[this.pendingHead].ready) {
      const p = q[this.pendingHead++];
      for (const s of p.states) s.pending--;
      if (p.error !== undefined) {
        p.record.release();
        p.reject(p.error);
        continue;
      }
      const now = this.now();
      const columns = p.record.columns;
      for (let i = 0; i < columns.length; i++) this.insertColumns(p.tenant, p.states[i], columns[i], p.lsn, now);
      this.notifyTail(p);
      p.record.release();
      p.resolve();
    }
    if (this.pendingHead === q.length) {
      q.length = 0;
      this.pendingHead = 0;
    } else if (this.pendingHead > 1024) {
      q.splice(0, this.pendingHead);
      this.pendingHead = 0;
    }
  }

  /** Live appends: the entries as their WAL record holds them, copied in bulk. */
  private insertColumns(t: TenantState, s: StreamState, columns: RecordColumns, lsn: bigint, now: number): void {
    if (!s.hasData) t.index(s);
    s.head.addColumns(columns, lsn, now);
    this.afterInsert(s);
  }

  /** Replay: entries decoded from a WAL record. */
  private insert(t: TenantState, s: StreamState, entries: readonly Entry[], lsn: bigint, now: number): void {
    if (!s.hasData) t.index(s);
    s.head.add(entries, lsn, now);
    this.afterInsert(s);
  }

  private afterInsert(s: StreamState): void {
    const head = s.head;
    s.extendSpan(head.minTs, head.maxTs);
    // Cutting waits until replay is over: flushing checkpoints the WAL, which must not run mid-replay.
    if (head.bytes >= this.chunkTarget && !this.replaying) this.cut(s);
  }

  private notifyTail(p: PendingAppend): void {
    const listeners = this.tailListeners.get(p.tenant.tenant);
    if (!listeners || listeners.size === 0) return;
    const batches: TailBatch[] = p.record.columns.map((c, i) => ({ stream: p.states[i].ref, entries: columnEntries(c) }));
    for (const l of listeners) {
      try {
        l(batches);
      } catch (err) {
        this.backgroundError(err);
      }
    }
  }

  tail(tenant: string, listener: (batches: TailBatch[]) => void): () => void {
    let set = this.tailListeners.get(tenant);
    if (!set) this.tailListeners.set(tenant, (set = new Set()));
    set.add(listener);
    return () => {
      set!.delete(listener);
    };
  }

  // ---------------------------------------------------------------- flush

  /** Moves the stream's head block to the flush queue (still readable until committed). */
  private cut(s: StreamState): void {
    const block = s.head;
    if (block.length === 0) return;
    block.seq = this.nextSeq++;
    s.flushing.push(block);
    s.head = new HeadBlock(this.now(), this.chunkTarget + 64 * KiB, block);
    this.flushQueue.push({ stream: s, block });
    this.queuedFlushBytes += block.bytes;
    this.kickFlush();
  }

  private cutAged(): void {
    const now = this.now();
    for (const t of this.tenants.values()) {
      for (const s of t.byId.values()) {
        const h = s.head;
        if (h.length > 0 && (now - h.createdAt >= this.maxChunkAge || now - h.lastAppendAt >= this.idlePeriod)) this.cut(s);
      }
    }
  }

  private kickFlush(): void {
    this.flushing ??= this.flushLoop().finally(() => {
      this.flushing = undefined;
      this.wakeFlushWaiters();
    });
  }

  /**
   * Commits the queue in order, FLUSH_BATCH blocks per LMDB transaction. Encoding runs in the
   * encoder pool one batch ahead of the commit, so the encoder is busy while LMDB writes.
   */
  private async flushLoop(): Promise<void> {
    let next: EncodingBatch | undefined;
    while (next || this.flushQueue.length > 0) {
      const current: EncodingBatch = next ?? this.startEncoding(this.flushQueue.splice(0, FLUSH_BATCH));
      next = undefined;
      try {
        const encoded = await current.encoded;
        if (this.flushQueue.length > 0) next = this.startEncoding(this.flushQueue.splice(0, FLUSH_BATCH));
        await this.commit(current.jobs, encoded);
      } catch (err) {
        // Keep the blocks (readers still see them) and retry later, in the same order: disk
        // full or a dead encoder thread must not lose data.
        const back = next ? [...current.jobs, ...next.jobs] : current.jobs;
        next?.encoded.catch(() => undefined);
        next = undefined;
        this.flushQueue.unshift(...back);
        this.backgroundError(err);
        await new Promise((r) => setTimeout(r, 1000).unref());
        if (this.closed) throw err;
      }
    }
  }

  private wakeFlushWaiters(): void {
    const waiters = this.flushWaiters;
    if (waiters.length === 0) return;
    this.flushWaiters = [];
    for (const wake of waiters) wake();
  }

  private startEncoding(jobs: FlushJob[]): EncodingBatch {
    return {
      jobs,
      encoded: Promise.all(
        jobs.map((job) => {
          const { columns, order } = job.block.encoderInput();
          return this.encoder.encode(columns, order);
        }),
      ),
    };
  }

  /** One LMDB transaction for the batch's chunks, then the in-memory bookkeeping and the WAL checkpoint. */
  private async commit(jobs: FlushJob[], encoded: PoolEncoded[]): Promise<void> {
    const prepared = jobs.map((job, i) => {
      const enc = encoded[i]!;
      // Before the commit: a reader whose snapshot has the chunk skips the in-memory block and
      // must reach the chunk through its index scan, which looks back only maxChunkSpan.
      const span = enc.stats.maxTs - enc.stats.minTs;
      if (span > job.stream.maxChunkSpan) job.stream.maxChunkSpan = span;
      return { job, enc, key: chunkKey(job.stream.tenant, job.stream.id, enc.stats.minTs, job.block.seq) };
    });
    const { streams, chunkIndex, chunks, filters, postings, meta } = this.dbs;
    await this.dbs.env.transaction(() => {
      for (const { job, enc, key } of prepared) {
        const s = job.stream;
        chunks.put(key, enc.data);
        filters.put(key, enc.filter);
        chunkIndex.put(key, encodeChunkMeta({ maxTs: enc.stats.maxTs, entries: enc.stats.entries, bytes: enc.stats.bytes, storedBytes: enc.data.length }));
        if (!s.postingsPersisted) {
          for (const [name, value] of Object.entries<string>(s.labels)) postings.put(postingKey(s.tenant, name, value, s.id), PRESENT);
        }
      }
      // One stream record per stream, with the flushed LSN of its newest block in this batch.
      const latest = new Map<StreamState, FlushJob>();
      for (const { job } of prepared) latest.set(job.stream, job);
      for (const [s, job] of latest) streams.put(streamKey(s.tenant, s.id), this.streamRecord(s, job.block.lastLsn, prepared));
      meta.put('nextChunkSeq', this.nextSeq.toString());
    });
    await this.dbs.env.flushed;
    for (const { job, enc } of prepared) {
      const s = job.stream;
      // Leaving `flushing` and joining the chunk totals in one step keeps index stats exact.
      const i = s.flushing.indexOf(job.block);
      if (i >= 0) s.flushing.splice(i, 1);
      s.addChunk(enc.stats.minTs, enc.stats.maxTs, enc.stats.entries, enc.stats.bytes);
      this.queuedFlushBytes -= job.block.bytes;
      if (job.block.lastLsn > s.flushedLsn) s.flushedLsn = job.block.lastLsn;
      s.postingsPersisted = true;
      this.counters.chunksWritten++;
      this.counters.chunks++;
      this.counters.chunkBytes += enc.stats.bytes;
      this.counters.chunkStoredBytes += enc.data.length;
      this.opts.hooks?.onChunkFlushed?.({
        tenant: s.tenant,
        stream: s.selector,
        entries: enc.stats.entries,
        bytes: enc.stats.bytes,
        storedBytes: enc.data.length,
        encodeSeconds: enc.seconds,
      });
    }
    if (this.queuedFlushBytes <= this.maxQueuedFlushBytes) this.wakeFlushWaiters();
    if (!this.closedWal) await this.wal.checkpoint(this.walKeepFrom());
  }

  private closedWal = false;

  /** The stream record after this flush: chunk span = old span ∪ the new chunks. */
  private streamRecord(s: StreamState, flushedLsn: bigint, prepared: { job: FlushJob; enc: { stats: { minTs: bigint; maxTs: bigint } } }[]): StreamRecord {
    const old = this.dbs.streams.get(streamKey(s.tenant, s.id));
    let min = old?.minTs !== undefined ? BigInt(old.minTs) : undefined;
    let max = old?.maxTs !== undefined ? BigInt(old.maxTs) : undefined;
    for (const { job, enc } of prepared) {
      if (job.stream !== s) continue;
      if (min === undefined || enc.stats.minTs < min) min = enc.stats.minTs;
      if (max === undefined || enc.stats.maxTs > max) max = enc.stats.maxTs;
    }
    return { labels: { ...s.labels }, flushedLsn: flushedLsn.toString(), minTs: min?.toString(), maxTs: max?.toString() };
  }

  /** The lowest LSN some in-memory entry (head, flushing block or pending append) still needs. */
  private walKeepFrom(): bigint {
    let keep = this.wal.lastLsn + 1n;
    for (let i = this.pendingHead; i < this.pendingQueue.length; i++) {
      if (this.pendingQueue[i].lsn < keep) keep = this.pendingQueue[i].lsn;
    }
    for (const t of this.tenants.values()) {
      for (const s of t.byId.values()) {
        if (s.head.length > 0 && s.head.firstLsn < keep) keep = s.head.firstLsn;
        for (const b of s.flushing) if (b.firstLsn < keep) keep = b.firstLsn;
      }
    }
    return keep;
  }

  /** Cuts every head block and waits until all of them are in LMDB and the WAL is checkpointed. */
  async flush(): Promise<void> {
    for (const t of this.tenants.values()) for (const s of t.byId.values()) this.cut(s);
    while (this.flushing) await this.flushing;
  }

  // ---------------------------------------------------------------- maintenance

  /** Runs retention and compaction once (also done on a timer). Never runs twice at a time. */
  maintain(): Promise<MaintenanceReport> {
    if (this.closed) return Promise.reject(new StoreClosedError());
    this.maintaining ??= runMaintenance(this.maintenanceContext()).finally(() => {
      this.maintaining = undefined;
    });
    return this.maintaining;
  }

  private maintenanceContext(): MaintenanceContext {
    return {
      dbs: this.dbs,
      tenants: this.tenants,
      limitsFor: this.limitsFor,
      retention: this.opts.retention ?? {},
      now: this.now,
      chunkTarget: this.chunkTarget,
      compactBelow: this.opts.compactBelowBytes ?? Math.floor(this.chunkTarget / 4),
      encode: { level: this.opts.chunkCompressionLevel, encoding: this.opts.chunkEncoding },
      counters: this.counters,
      allocateSeq: () => this.nextSeq++,
      currentSeq: () => this.nextSeq,
      hooks: this.opts.hooks ?? {},
    };
  }

  // ---------------------------------------------------------------- reads

  private selected(tenant: string, matchers: readonly Matcher[], range: TimeRange): StreamState[] {
    const t = this.tenants.get(tenant);
    if (!t || range.from >= range.to) return [];
    return t.select(matchers, range);
  }

  streams(tenant: string, q: SelectQuery): StreamRef[] {
    return this.selected(tenant, q.matchers, q).map((s) => s.ref);
  }

  entries(tenant: string, q: EntryQuery): Iterable<StoredEntry> {
    const streams = this.selected(tenant, q.matchers, q);
    return iterateEntries(this.readContext(), streams, q);
  }

  chunkSummaries(tenant: string, q: SelectQuery): Iterable<ChunkSummary> {
    return summarize(this.readContext(), this.selected(tenant, q.matchers, q), q);
  }

  chunks(tenant: string, q: EntryQuery): Iterable<ChunkHandle> {
    return chunkHandles(this.readContext(), this.selected(tenant, q.matchers, q), q);
  }

  private readContext() {
    return {
      dbs: this.dbs,
      decoder: this.decoder,
      onCorrupt: (s: StreamState, minTs: bigint, error: Error) => {
        this.counters.corruptChunks++;
        const hook = this.opts.hooks?.onCorruptChunk;
        if (hook) hook({ tenant: s.tenant, stream: s.selector, minTs, error });
        else process.emitWarning(`lode store: skipped corrupt chunk of ${s.selector} (tenant ${s.tenant}): ${error.message}`);
      },
      onDecode: () => {
        this.counters.chunksDecoded++;
      },
    };
  }

  labelNames(tenant: string, q: SelectQuery): string[] {
    const t = this.tenants.get(tenant);
    if (!t || q.from >= q.to) return [];
    return t.labelNames(q.matchers, q);
  }

  labelValues(tenant: string, name: string, q: SelectQuery): string[] {
    const t = this.tenants.get(tenant);
    if (!t || q.from >= q.to) return [];
    return t.labelValues(name, q.matchers, q);
  }

  series(tenant: string, range: TimeRange, matcherSets: Matcher[][]): Labels[] {
    const t = this.tenants.get(tenant);
    if (!t || range.from >= range.to) return [];
    return t.series(matcherSets, range).map((s) => s.labels);
  }

  indexStats(tenant: string, q: SelectQuery): IndexStats {
    const t = this.tenants.get(tenant);
    if (!t || q.from >= q.to) return { streams: 0, chunks: 0, entries: 0, bytes: 0 };
    return indexStats(this.dbs, t.matching(q.matchers, q), q);
  }

  // ---------------------------------------------------------------- lifecycle

  metrics(): StoreMetrics {
    let streams = 0;
    let headStreams = 0;
    let headEntries = 0;
    let headBytes = 0;
    for (const t of this.tenants.values()) {
      for (const s of t.byId.values()) {
        if (s.hasData) streams++;
        let n = s.head.length;
        let b = s.head.bytes;
        for (const f of s.flushing) {
          n += f.length;
          b += f.bytes;
        }
        if (n > 0) headStreams++;
        headEntries += n;
        headBytes += b;
      }
    }
    let lmdbBytes = 0;
    try {
      lmdbBytes = statSync(join(this.opts.dir, 'index')).isDirectory()
        ? statSync(join(this.opts.dir, 'index', 'data.mdb')).size
        : statSync(join(this.opts.dir, 'index')).size;
    } catch {
      lmdbBytes = 0;
    }
    const walBytes = this.closedWal ? 0 : this.wal.stats().bytes;
    return {
      tenants: this.tenants.size,
      streams,
      headStreams,
      headEntries,
      headBytes,
      chunksWritten: this.counters.chunksWritten,
      chunks: this.counters.chunks,
      chunkBytes: this.counters.chunkBytes,
      chunkStoredBytes: this.counters.chunkStoredBytes,
      corruptChunks: this.counters.corruptChunks,
      chunksDecoded: this.counters.chunksDecoded,
      diskBytes: lmdbBytes + walBytes,
      walBytes,
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    if (this.maintaining) await this.maintaining.catch(() => undefined);
    // Appends already handed to the WAL still complete (and reach the head) before the flush.
    while (this.pendingHead < this.pendingQueue.length) {
      await new Promise<void>((r) => setImmediate(r));
    }
    try {
      await this.flush();
    } finally {
      this.closedWal = true;
      await this.encoder.close();
      await this.decoder.close();
      await this.wal.close();
      await this.dbs.env.close();
    }
  }
}

