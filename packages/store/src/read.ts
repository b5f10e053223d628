/**
 * The read path: entries of many streams merged in time order from chunks and head blocks.
 *
 * Memory stays bounded however long the range: a binary heap holds one cursor per open source
 * (a decoded chunk or a head block) plus, per stream, one *pending* cursor standing for the
 * stream's next unopened chunk, keyed by that chunk's time boundary (minTs going forward, maxTs
 * going backward). A chunk is decoded only when the merge reaches its boundary, or a few chunks
 * before when a decoder pool decodes ahead (DECODE_AHEAD_DEPTH, in the order the merge will open
 * them). Chunk index entries (20 bytes each) are listed up front; chunk bytes never are.
 *
 * Consistency: one LMDB read transaction is held for the life of the iterator, and in-memory
 * blocks are captured at creation (blocks only grow; a captured length is a stable view). A
 * block whose flush committed before the snapshot is served from LMDB only, never twice.
 */
import type { ChunkSummary, EntryQuery, Labels, StoredEntry, StreamRef, TimeRange } from './model.js';
import type { Database, Transaction } from 'lmdb';
import type { Dbs } from './db.js';
import { chunkKey, decodeChunkMeta, parseChunkKey, type ChunkMeta } from './keys.js';
import { decodeChunk, filterMayContain, type DecodedChunk } from './chunk/index.js';
import { DECODE_AHEAD_MIN_BYTES, type ChunkDecoderPool, type DecodeJob } from './chunk/decode-pool.js';
import type { HeadBlock } from './head.js';
import type { StreamState } from './streams.js';

export interface ReadContext {
  dbs: Dbs;
  onCorrupt(s: StreamState, minTs: bigint, error: Error): void;
  /** Counts chunk decodes (what content-filter pruning saves). */
  onDecode(): void;
  /** Worker threads that decode chunks ahead of the scan; absent or size 0: decode on demand. */
  decoder?: ChunkDecoderPool;
}

/**
 * Decodes in flight ahead of a read. Small and fixed, so memory stays bounded whatever the range:
 * enough to keep a worker busy while the scan works through the chunk before.
 */
export const DECODE_AHEAD_DEPTH = 8;

export interface ChunkRef extends ChunkMeta {
  key: Buffer;
  seq: bigint;
}

/** Orders sources of the same stream with equal timestamps: older chunks first, head last. */
const HEAD_SEQ = (1n << 64n) - 1n;
const SIGNAL_CHECK_EVERY = 256;
const MIN_TS = -(1n << 63n);

/**
 * A value in lmdb's reused read buffer (`getBinaryFast`, whose typings omit the transaction
 * option it takes): valid until the next read, so it is used at once and never kept. The chunk
 * decoder copies what it keeps, so chunks and filters are read without a copy.
 */
export function readFast(db: Database<Buffer, Buffer>, key: Buffer, transaction: Transaction): Buffer | undefined {
  return (db.getBinaryFast as (id: Buffer, options: { transaction: Transaction }) => Buffer | undefined).call(db, key, { transaction });
}

/** Chunk index entries of a stream overlapping [from, to), in key (minTs) order. */
export function chunkRefs(dbs: Dbs, s: StreamState, range: TimeRange, transaction?: Transaction): ChunkRef[] {
  const out: ChunkRef[] = [];
  // A chunk starting before `from` can still reach into the range, but no further back than the
  // longest chunk span this stream has. Clamped: below the int64 minimum the key would wrap
  // around to the top and the scan would find nothing (retention scans from the minimum).
  const back = range.from - s.maxChunkSpan;
  const start = chunkKey(s.tenant, s.id, back < MIN_TS ? MIN_TS : back, 0n);
  const end = chunkKey(s.tenant, s.id, range.to, 0n);
  for (const { key, value } of dbs.chunkIndex.getRange({ start, end, transaction })) {
    const parts = parseChunkKey(key);
    const meta = decodeChunkMeta(parts.minTs, value);
    if (meta.maxTs < range.from) continue;
    // lmdb hands out each range key as a fresh copy: it can be kept as it is.
    out.push({ minTs: meta.minTs, maxTs: meta.maxTs, entries: meta.entries, bytes: meta.bytes, storedBytes: meta.storedBytes, key, seq: parts.seq });
  }
  return out;
}

/** In-memory blocks of a stream to serve, skipping any whose chunk is already in the snapshot. */
export function liveBlocks(dbs: Dbs, s: StreamState, transaction: Transaction | undefined): { block: HeadBlock; length: number; seq: bigint }[] {
  const out = [];
  for (const b of s.flushing) {
    if (b.length === 0) continue;
    const committed = dbs.chunkIndex.get(chunkKey(s.tenant, s.id, b.minTs, b.seq), { transaction }) !== undefined;
    if (!committed) out.push({ block: b, length: b.length, seq: b.seq });
  }
  if (s.head.length > 0) out.push({ block: s.head, length: s.head.length, seq: HEAD_SEQ });
  return out;
}

// ------------------------------------------------------------------------------------ cursors

interface Cursor {
  /**
   * Current sort key: the entry's timestamp, or the pending chunk's boundary, as its signed high
   * and unsigned low 32 bits (compared as numbers: no BigInt is read or compared per entry).
   */
  hi: number;
  lo: number;
  /** The stream's rank in id order. */
  ord: number;
  seq: bigint;
  /** 0 for a pending chunk (opens before entries that tie with it), 1 for an entry. */
  kind: 0 | 1;
  /** Position inside the source, for the final tie-break. */
  pos: number;
}

const NO_METADATA: Labels = Object.freeze({});
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function highOf(ts: bigint): number {
  return Number(BigInt.asIntN(32, ts >> 32n));
}

function lowOf(ts: bigint): number {
  return Number(BigInt.asUintN(32, ts));
}

class HeadCursor implements Cursor {
  hi = 0;
  lo = 0;
  private ts = 0n;
  pos = 0;
  readonly kind = 1;
  private k: number;
  private readonly stop: number;
  private readonly step: 1 | -1;

  constructor(
    readonly stream: StreamState,
    readonly ord: number,
    readonly seq: bigint,
    private readonly block: HeadBlock,
    private readonly order: Uint32Array | undefined,
    length: number,
    range: TimeRange,
    forward: boolean,
    private readonly needles: readonly Buffer[],
    private readonly keep: EntryQuery['keep'],
  ) {
    const lo = this.lowerBound(length, range.from);
    const hi = this.lowerBound(length, range.to);
    this.step = forward ? 1 : -1;
    this.k = forward ? lo - 1 : hi;
    this.stop = forward ? hi : lo - 1;
  }

  private at(k: number): number {
    return this.order ? this.order[k] : k;
  }

  private lowerBound(length: number, t: bigint): number {
    let lo = 0;
    let hi = length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.block.ts[this.at(mid)] < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Moves to the next entry that passes the line filters; false when exhausted. */
  advance(): boolean {
    for (;;) {
      this.k += this.step;
      if (this.k === this.stop) return false;
      const i = this.at(this.k);
      if (this.needles.length > 0 && !containsAll(this.block.lineBytesOf(i), this.needles)) continue;
      if (this.keep !== undefined) {
        const bytes = this.block.lineBytesOf(i);
        if (!this.keep(bytes, 0, bytes.length, this.stream.ref.labels, this.block.metadata[i])) continue;
      }
      const ts = this.block.ts[i];
      this.ts = ts;
      this.hi = highOf(ts);
      this.lo = lowOf(ts);
      this.pos = this.k;
      return true;
    }
  }

  entry(): StoredEntry {
    const i = this.at(this.k);
    return { stream: this.stream.ref, ts: this.ts, line: this.block.line(i), metadata: this.block.metadata[i] };
  }
}

function containsAll(line: Buffer, needles: readonly Buffer[]): boolean {
  for (const n of needles) if (line.indexOf(n) < 0) return false;
  return true;
}

class ChunkCursor implements Cursor {
  hi = 0;
  lo = 0;
  pos = 0;
  readonly kind = 1;
  private i: number;
  private readonly stop: number;
  private readonly step: 1 | -1;
  /** The timestamps' 32-bit halves (little-endian hosts; elsewhere the BigInts are split). */
  private readonly highs: Int32Array | undefined;
  private readonly lows: Uint32Array | undefined;
  /** The chunk's lines back to back (read only to test `keep`). */
  private readonly lines: { bytes: Buffer; offsets: Uint32Array } | undefined;

  constructor(
    readonly stream: StreamState,
    readonly ord: number,
    readonly seq: bigint,
    private readonly chunk: DecodedChunk,
    range: TimeRange,
    forward: boolean,
    private readonly needles: readonly Buffer[],
    private readonly keep: EntryQuery['keep'],
  ) {
    const lo = chunk.lowerBound(range.from);
    const hi = chunk.lowerBound(range.to);
    this.step = forward ? 1 : -1;
    this.i = forward ? lo - 1 : hi;
    this.stop = forward ? hi : lo - 1;
    if (LITTLE_ENDIAN) {
      const t = chunk.timestamps;
      this.highs = new Int32Array(t.buffer, t.byteOffset, chunk.length * 2);
      this.lows = new Uint32Array(t.buffer, t.byteOffset, chunk.length * 2);
    }
    this.lines = keep !== undefined ? chunk.linesBlock() : undefined;
  }

  advance(): boolean {
    const needles = this.needles;
    for (;;) {
      this.i += this.step;
      if (this.i === this.stop) return false;
      if (needles.length > 0) {
        const bytes = this.chunk.lineBytes(this.i);
        let ok = true;
        for (const n of needles) {
          if (bytes.indexOf(n) < 0) {
            ok = false;
            break;
          }
        }
        if (!ok) continue;
      }
      const i = this.i;
      if (this.lines !== undefined) {
        const { bytes, offsets } = this.lines;
        const metadata = this.chunk.hasMetadata ? this.chunk.metadata(i) : NO_METADATA;
        if (!this.keep!(bytes, offsets[i]!, offsets[i + 1]!, this.stream.ref.labels, metadata)) continue;
      }
      if (this.highs !== undefined) {
        this.hi = this.highs[2 * i + 1]!;
        this.lo = this.lows![2 * i]!;
      } else {
        const ts = this.chunk.timestamps[i]!;
        this.hi = highOf(ts);
        this.lo = lowOf(ts);
      }
      this.pos = i;
      return true;
    }
  }

  entry(): StoredEntry {
    const i = this.i;
    return new ChunkEntry(this.stream.ref, this.chunk.timestamps[i]!, this.chunk.lineBytes(i), this.chunk.metadata(i));
  }
}

/** An entry read from a decoded chunk: its line stays bytes until someone reads `line`. */
class ChunkEntry implements StoredEntry {
  private text: string | undefined;

  constructor(
    readonly stream: StreamRef,
    readonly ts: bigint,
    readonly lineBytes: Buffer,
    readonly metadata: Labels,
  ) {}

  get line(): string {
    return (this.text ??= this.lineBytes.toString('utf8'));
  }

  set line(v: string) {
    this.text = v;
  }
}

/** A stream's not-yet-opened chunks, in the order the merge will reach them. */
class PendingChunks implements Cursor {
  hi = 0;
  lo = 0;
  seq = 0n;
  pos = 0;
  readonly kind = 0;
  private next = 0;

  constructor(
    readonly stream: StreamState,
    readonly ord: number,
    private readonly refs: ChunkRef[],
    private readonly forward: boolean,
  ) {}

  /** Points at the next chunk; false when none is left. */
  advance(): boolean {
    if (this.next >= this.refs.length) return false;
    const r = this.refs[this.next];
    const ts = this.forward ? r.minTs : r.maxTs;
    this.hi = highOf(ts);
    this.lo = lowOf(ts);
    this.seq = r.seq;
    return true;
  }

  take(): ChunkRef {
    return this.refs[this.next++];
  }
}

type AnyCursor = HeadCursor | ChunkCursor | PendingChunks;

/** A binary min-heap under a comparator; `fixTop` re-sifts after the top's key changed. */
class Heap {
  readonly items: AnyCursor[] = [];
  constructor(private readonly less: (a: Cursor, b: Cursor) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  push(c: AnyCursor): void {
    const items = this.items;
    let i = items.length;
    items.push(c);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(items[i], items[parent])) break;
      [items[i], items[parent]] = [items[parent], items[i]];
      i = parent;
    }
  }

  pop(): void {
    const items = this.items;
    const last = items.pop()!;
    if (items.length > 0) {
      items[0] = last;
      this.fixTop();
    }
  }

  fixTop(): void {
    const items = this.items;
    const n = items.length;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) return;
      const r = l + 1;
      const c = r < n && this.less(items[r], items[l]) ? r : l;
      if (!this.less(items[c], items[i])) return;
      [items[i], items[c]] = [items[c], items[i]];
      i = c;
    }
  }
}

function forwardLess(a: Cursor, b: Cursor): boolean {
  if (a.hi !== b.hi) return a.hi < b.hi;
  if (a.lo !== b.lo) return a.lo < b.lo;
  if (a.ord !== b.ord) return a.ord < b.ord;
  if (a.seq !== b.seq) return a.seq < b.seq;
  if (a.kind !== b.kind) return a.kind < b.kind;
  return a.pos < b.pos;
}

function backwardLess(a: Cursor, b: Cursor): boolean {
  if (a.hi !== b.hi) return a.hi > b.hi;
  if (a.lo !== b.lo) return a.lo > b.lo;
  if (a.ord !== b.ord) return a.ord > b.ord;
  if (a.seq !== b.seq) return a.seq > b.seq;
  if (a.kind !== b.kind) return a.kind < b.kind;
  return a.pos > b.pos;
}

/** Entries of `streams` (sorted by id) in [from, to), merged in time order. */
export function* iterateEntries(ctx: ReadContext, streams: StreamState[], q: EntryQuery): Generator<StoredEntry> {
  if (streams.length === 0 || q.from >= q.to) return;
  const forward = q.direction !== 'backward';
  const needles = (q.lineContains ?? []).filter((n) => n.length > 0);
  const needleBytes = needles.map((n) => Buffer.from(n, 'utf8'));
  const txn = ctx.dbs.env.useReadTransaction();
  const less = forward ? forwardLess : backwardLess;
  const ahead = ctx.decoder && ctx.decoder.size > 0 ? new MergeLookahead(ctx, ctx.decoder, txn, less) : undefined;
  try {
    const heap = new Heap(less);
    streams.forEach((s, ord) => {
      for (const { block, length, seq } of liveBlocks(ctx.dbs, s, txn)) {
        const c = new HeadCursor(s, ord, seq, block, block.sortedOrder(length), length, q, forward, needleBytes, q.keep);
        if (c.advance()) heap.push(c);
      }
      let refs = chunkRefs(ctx.dbs, s, q, txn);
      if (needles.length > 0) {
        refs = refs.filter((r) => {
          const filter = readFast(ctx.dbs.filters, r.key, txn);
          return filter === undefined || needles.every((n) => filterMayContain(filter, n));
        });
      }
      if (!forward) refs.sort((a, b) => (a.maxTs > b.maxTs ? -1 : a.maxTs < b.maxTs ? 1 : 0));
      const pending = new PendingChunks(s, ord, refs, forward);
      if (pending.advance()) heap.push(pending);
      ahead?.add(new PendingChunks(s, ord, refs, forward));
    });
    ahead?.fill(q.signal);

    let emitted = 0;
    while (heap.size > 0) {
      const top = heap.items[0];
      if (top instanceof PendingChunks) {
        const ref = top.take();
        if (top.advance()) heap.fixTop();
        else heap.pop();
        const job = ahead?.take(ref);
        ahead?.fill(q.signal);
        const opened = openChunk(ctx, top.stream, top.ord, ref, txn, q, forward, needleBytes, q.keep, job, ahead?.inFlight);
        if (opened && opened.advance()) heap.push(opened);
        continue;
      }
      yield top.entry();
      if (top.advance()) heap.fixTop();
      else heap.pop();
      if (q.signal && ++emitted % SIGNAL_CHECK_EVERY === 0) q.signal.throwIfAborted();
    }
  } finally {
    ahead?.cancel();
    txn.done();
  }
}

/**
 * The merge's chunks decoded ahead, in the order the merge will open them: a second heap of
 * pending cursors over the same chunk lists, under the same order, walks that sequence ahead of
 * the merge and keeps DECODE_AHEAD_DEPTH of its chunks decoding in the pool. Chunks too small to
 * be worth a worker are passed over (the merge decodes them when it gets there).
 */
class MergeLookahead {
  private readonly order: Heap;
  private readonly jobs = new Map<ChunkRef, DecodeJob>();
  private stopped = false;

  constructor(
    private readonly ctx: ReadContext,
    private readonly pool: ChunkDecoderPool,
    private readonly txn: Transaction,
    less: (a: Cursor, b: Cursor) => boolean,
  ) {
    this.order = new Heap(less);
  }

  add(p: PendingChunks): void {
    if (p.advance()) this.order.push(p);
  }

  /** Submits the next chunks in merge order until DECODE_AHEAD_DEPTH are in flight. */
  fill(signal: AbortSignal | undefined): void {
    while (!this.stopped && this.jobs.size < DECODE_AHEAD_DEPTH && this.order.size > 0) {
      if (signal?.aborted) return;
      const top = this.order.items[0] as PendingChunks;
      const ref = top.take();
      if (top.advance()) this.order.fixTop();
      else this.order.pop();
      if (ref.bytes < DECODE_AHEAD_MIN_BYTES) continue;
      // A missing chunk is reported by the merge when it gets there.
      const data = readFast(this.ctx.dbs.chunks, ref.key, this.txn);
      if (data === undefined) continue;
      const job = this.pool.submit(data);
      if (job === undefined) this.stopped = true;
      else this.jobs.set(ref, job);
    }
  }

  /** The job decoding `ref`, if one is; the caller takes it. */
  take(ref: ChunkRef): DecodeJob | undefined {
    const job = this.jobs.get(ref);
    if (job !== undefined) this.jobs.delete(ref);
    return job;
  }

  /** The decodes in flight, in the order the merge will take them. */
  get inFlight(): Iterable<DecodeJob> {
    return this.jobs.values();
  }

  /** Drops every decode still in flight (the read ended or failed). */
  cancel(): void {
    for (const job of this.jobs.values()) job.cancel();
    this.jobs.clear();
  }
}

function openChunk(
  ctx: ReadContext,
  s: StreamState,
  ord: number,
  ref: ChunkRef,
  txn: Transaction,
  range: TimeRange,
  forward: boolean,
  needles: readonly Buffer[],
  keep: EntryQuery['keep'],
  job: DecodeJob | undefined,
  helpWith: Iterable<DecodeJob> | undefined,
): ChunkCursor | undefined {
  let decode: () => DecodedChunk;
  if (job !== undefined) decode = () => job.take(helpWith);
  else {
    const data = readFast(ctx.dbs.chunks, ref.key, txn);
    if (data === undefined) {
      ctx.onCorrupt(s, ref.minTs, new Error('chunk data missing for an indexed chunk'));
      return undefined;
    }
    decode = () => decodeChunk(data);
  }
  try {
    ctx.onDecode();
    return new ChunkCursor(s, ord, ref.seq, decode(), range, forward, needles, keep);
  } catch (err) {
    ctx.onCorrupt(s, ref.minTs, err instanceof Error ? err : new Error(String(err)));
    return undefined;
  }
}

/** Stats of chunks and in-memory blocks overlapping the range; never decodes a chunk. */
export function* summarize(ctx: ReadContext, streams: StreamState[], range: TimeRange): Generator<ChunkSummary> {
  if (streams.length === 0 || range.from >= range.to) return;
  const txn = ctx.dbs.env.useReadTransaction();
  try {
    // Blocks are taken with the snapshot, as in chunkHandles: the caller may pause between
    // summaries, and a block flushed meanwhile is gone from memory but not in this snapshot.
    const live = streams.map((s) => liveBlocks(ctx.dbs, s, txn));
    for (const [i, s] of streams.entries()) {
      for (const r of chunkRefs(ctx.dbs, s, range, txn)) {
        yield { stream: s.ref, minTs: r.minTs, maxTs: r.maxTs, entries: r.entries, bytes: r.bytes };
      }
      for (const { block, length } of live[i] ?? []) {
        const sum = blockSummary(block, length);
        if (sum.maxTs >= range.from && sum.minTs < range.to) yield { stream: s.ref, ...sum };
      }
    }
  } finally {
    txn.done();
  }
}

/** Summary of a block's first `length` entries; O(1) when that is the whole block. */
export function blockSummary(b: HeadBlock, length: number): { minTs: bigint; maxTs: bigint; entries: number; bytes: number } {
  if (length === b.length) return { minTs: b.minTs, maxTs: b.maxTs, entries: length, bytes: b.bytes };
  let min = b.ts[0];
  let max = b.ts[0];
  let bytes = 0;
  for (let i = 0; i < length; i++) {
    const t = b.ts[i];
    if (t < min) min = t;
    if (t > max) max = t;
    bytes += b.lineLength(i);
  }
  return { minTs: min, maxTs: max, entries: length, bytes };
}
