/**
 * Chunks and in-memory blocks as handles (summary first, decoded on demand: whole, or only the
 * timestamps and line lengths), stream by stream: the read for metric queries that aggregate
 * without a time-ordered merge, so they skip the merge heap and the per-entry objects, and can
 * count whole runs of entries from timestamps. With a decoder pool and the caller's
 * `decodeAhead`, the chunks it will open are decoded a few handles ahead on a worker thread.
 */
import type { ChunkEntries, ChunkHandle, ChunkIndexEntries, EntryQuery } from './model.js';
import { filterMayContain, decodeChunk, decodeChunkIndex, type DecodedChunk } from './chunk/index.js';
import { DECODE_AHEAD_MIN_BYTES, type ChunkDecoderPool, type DecodeJob } from './chunk/decode-pool.js';
import { FLAG_HAS_METADATA, FORMAT_V3, FORMAT_VERSION, HEADER_SIZE, MAGIC_0, MAGIC_1, V2_PREFIX_SIZE } from './chunk/format.js';
import type { Transaction } from 'lmdb';
import type { HeadBlock } from './head.js';
import { blockSummary, chunkRefs, DECODE_AHEAD_DEPTH, liveBlocks, readFast, type ReadContext } from './read.js';
import type { StreamState } from './streams.js';

export function* chunkHandles(ctx: ReadContext, streams: StreamState[], q: EntryQuery): Generator<ChunkHandle> {
  if (streams.length === 0 || q.from >= q.to) return;
  const pool = ctx.decoder;
  // One transaction for the whole listing, held until the last handle is done with: handles
  // listed ahead read their chunk through it after the listing itself ended.
  const txn = ctx.dbs.env.useReadTransaction();
  try {
    if (pool === undefined || pool.size === 0 || q.decodeAhead === undefined) {
      for (const listed of listHandles(ctx, streams, q, txn)) yield listed.handle;
    } else {
      yield* decodingAhead(listHandles(ctx, streams, q, txn), pool, q.decodeAhead, q.signal);
    }
  } finally {
    txn.done();
  }
}

/** A handle as listed, with what decoding it ahead needs. */
interface Listed {
  handle: ChunkHandle;
  /** Reads the chunk's bytes (lmdb's reused buffer: valid until the next read); absent for blocks. */
  data?: () => Buffer | undefined;
  /** The decode started ahead; `open` takes it. */
  job?: DecodeJob;
  /** The decodes in flight ahead of the caller (for `open` to help with while it waits). */
  inFlight?: Set<DecodeJob>;
}

/**
 * Yields the listed handles, keeping up to DECODE_AHEAD_DEPTH of the coming ones that the caller
 * says it will open (`wants`) decoding in the pool. The window of handles listed ahead is bounded
 * too, so a long run of chunks nobody opens is not read ahead without end.
 */
function* decodingAhead(listed: Generator<Listed>, pool: ChunkDecoderPool, wants: (h: ChunkHandle) => boolean, signal: AbortSignal | undefined): Generator<ChunkHandle> {
  const window: Listed[] = [];
  const inFlight = new Set<DecodeJob>();
  let exhausted = false;
  try {
    for (;;) {
      while (!exhausted && inFlight.size < DECODE_AHEAD_DEPTH && window.length < LIST_AHEAD && !signal?.aborted) {
        const next = listed.next();
        if (next.done) {
          exhausted = true;
          break;
        }
        const item = next.value;
        if (item.data !== undefined && item.handle.bytes >= DECODE_AHEAD_MIN_BYTES && wants(item.handle)) {
          const data = item.data();
          item.job = data !== undefined ? pool.submit(data) : undefined;
          if (item.job !== undefined) {
            inFlight.add(item.job);
            item.inFlight = inFlight;
          }
        }
        window.push(item);
      }
      let item = window.shift();
      if (item === undefined) {
        // Only when aborted or exhausted: the listing checks the signal itself.
        const next = listed.next();
        if (next.done) return;
        item = next.value;
      }
      const job = item.job;
      yield item.handle;
      if (job !== undefined) {
        inFlight.delete(job);
        // Not opened after all: the worker skips it or its result is dropped.
        job.cancel();
        item.job = undefined;
      }
    }
  } finally {
    for (const item of window) item.job?.cancel();
    listed.return(undefined);
  }
}

/** Handles listed ahead of the one the caller holds, at most. */
const LIST_AHEAD = 64;

function* listHandles(ctx: ReadContext, streams: StreamState[], q: EntryQuery, txn: Transaction): Generator<Listed> {
  const needles = (q.lineContains ?? []).filter((n) => n.length > 0);
  // Blocks are taken with the snapshot: the caller may pause between handles, and a block
  // flushed meanwhile is gone from memory but not in this transaction's chunk index.
  const live = streams.map((s) => liveBlocks(ctx.dbs, s, txn));
  for (const [i, s] of streams.entries()) {
    q.signal?.throwIfAborted();
    for (const ref of chunkRefs(ctx.dbs, s, q, txn)) {
      if (needles.length > 0) {
        const filter = readFast(ctx.dbs.filters, ref.key, txn);
        if (filter !== undefined && !needles.every((n) => filterMayContain(filter, n))) continue;
      }
      /** Runs `decode` (the chunk's decode, or the job decoding it); undefined (reported) when it fails. */
      const guard = <T>(decode: () => T): T | undefined => {
        try {
          ctx.onDecode();
          return decode();
        } catch (err) {
          ctx.onCorrupt(s, ref.minTs, err instanceof Error ? err : new Error(String(err)));
          return undefined;
        }
      };
      /** Reads the chunk with `decode`; undefined (reported) when it is missing or corrupt. */
      const read = <T>(decode: (data: Buffer) => T): T | undefined => {
        // The decoder copies what it keeps (it reads a buffer lmdb reuses), so no copy here.
        const data = readFast(ctx.dbs.chunks, ref.key, txn);
        if (data === undefined) {
          ctx.onCorrupt(s, ref.minTs, new Error('chunk data missing for an indexed chunk'));
          return undefined;
        }
        return guard(() => decode(data));
      };
      const listed: Listed = {
        handle: {
          stream: s.ref,
          minTs: ref.minTs,
          maxTs: ref.maxTs,
          entries: ref.entries,
          bytes: ref.bytes,
          open: () => {
            const job = listed.job;
            if (job === undefined) return read((data) => entriesOf(decodeChunk(data)));
            listed.job = undefined;
            return guard(() => entriesOf(job.take(listed.inFlight)));
          },
          openIndex: () => read(chunkIndexEntries),
          hasMetadata: () => {
            const data = readFast(ctx.dbs.chunks, ref.key, txn);
            const flag = data !== undefined ? metadataFlag(data) : undefined;
            return flag ?? read(chunkIndexEntries)?.hasMetadata ?? true;
          },
          mayContain: (literal) => {
            const filter = readFast(ctx.dbs.filters, ref.key, txn);
            return filter === undefined || filterMayContain(filter, literal);
          },
        },
        data: () => readFast(ctx.dbs.chunks, ref.key, txn),
      };
      yield listed;
    }
    for (const { block, length } of live[i] ?? []) {
      const sum = blockSummary(block, length);
      if (sum.maxTs < q.from || sum.minTs >= q.to) continue;
      const entries = () => blockEntries(block, length);
      yield { handle: { stream: s.ref, ...sum, open: entries, openIndex: entries } };
    }
  }
}

/**
 * The "some entry carries metadata" flag of a format version 2 or 3 chunk's header (byte 1 of
 * the index header, see chunk/format.ts), without decompressing anything; undefined for other
 * versions. The decoder checks the flag against the metadata section whenever it decodes.
 */
function metadataFlag(data: Buffer): boolean | undefined {
  if (data.length < V2_PREFIX_SIZE || data[0] !== MAGIC_0 || data[1] !== MAGIC_1) return undefined;
  if (data[2] !== FORMAT_VERSION && data[2] !== FORMAT_V3) return undefined;
  return (data[HEADER_SIZE + 1]! & FLAG_HAS_METADATA) !== 0;
}

function entriesOf(c: DecodedChunk): ChunkEntries {
  return {
    length: c.length,
    timestamps: c.timestamps,
    sorted: true,
    hasMetadata: c.hasMetadata,
    lineLength: (i) => c.lineLength(i),
    linesBytes: (lo, hi) => c.linesBytes(lo, hi),
    lineBytes: (i) => c.lineBytes(i),
    line: (i) => c.line(i),
    metadata: (i) => c.metadata(i),
    linesBlock: () => c.linesBlock(),
  };
}

function chunkIndexEntries(data: Buffer): ChunkIndexEntries {
  const c = decodeChunkIndex(data);
  return {
    length: c.length,
    timestamps: c.timestamps,
    sorted: true,
    hasMetadata: c.hasMetadata,
    lineLength: (i) => c.lineLength(i),
    linesBytes: (lo, hi) => c.linesBytes(lo, hi),
  };
}

/** A view of the first `length` entries of a block (blocks only grow, so the view is stable). */
function blockEntries(b: HeadBlock, length: number): ChunkEntries {
  let hasMetadata = false;
  for (let i = 0; i < length && !hasMetadata; i++) for (const _ in b.metadata[i]) hasMetadata = true;
  return {
    length,
    timestamps: b.ts,
    sorted: b.sortedOrder(length) === undefined,
    hasMetadata,
    lineLength: (i) => b.lineLength(i),
    linesBytes: (lo, hi) => {
      let n = 0;
      for (let i = lo; i < hi; i++) n += b.lineLength(i);
      return n;
    },
    lineBytes: (i) => b.lineBytesOf(i),
    line: (i) => b.line(i),
    metadata: (i) => b.metadata[i] ?? {},
  };
}
