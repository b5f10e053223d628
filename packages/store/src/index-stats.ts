/**
 * `index/stats` figures (streams, chunks, entries, line bytes) over a time range, counting
 * chunks and in-memory blocks that overlap it, as `summarize` would list them.
 *
 * Each stream keeps running totals and the time span of its chunks, so a stream whose chunks
 * lie all inside or all outside the range is counted from memory, without I/O. The totals and
 * the `flushing` list change together (a block leaves `flushing` in the same synchronous step
 * that adds its chunk to the totals), so no block is counted twice or missed. Only a stream
 * whose chunk span straddles a range boundary lists its chunk index entries (keys and 20-byte
 * values, never chunk bytes), from one LMDB snapshot shared with the check of its blocks.
 */
import type { Transaction } from 'lmdb';
import type { IndexStats, TimeRange } from './model.js';
import type { Dbs } from './db.js';
import type { HeadBlock } from './head.js';
import type { StreamState } from './streams.js';
import { blockSummary, chunkRefs, liveBlocks } from './read.js';

export function indexStats(dbs: Dbs, streams: readonly StreamState[], range: TimeRange): IndexStats {
  const stats: IndexStats = { streams: 0, chunks: 0, entries: 0, bytes: 0 };
  if (range.from >= range.to) return stats;
  let txn: Transaction | undefined;
  try {
    for (const s of streams) {
      const before = stats.chunks;
      const chunksOutside = s.chunkCount === 0 || s.chunkMaxTs < range.from || s.chunkMinTs >= range.to;
      const chunksInside = !chunksOutside && s.chunkMinTs >= range.from && s.chunkMaxTs < range.to;
      if (chunksOutside || chunksInside) {
        if (chunksInside) {
          stats.chunks += s.chunkCount;
          stats.entries += s.chunkEntries;
          stats.bytes += s.chunkBytes;
        }
        for (const b of s.flushing) addBlock(stats, b, b.length, range);
        addBlock(stats, s.head, s.head.length, range);
      } else {
        txn ??= dbs.env.useReadTransaction();
        for (const r of chunkRefs(dbs, s, range, txn)) {
          stats.chunks++;
          stats.entries += r.entries;
          stats.bytes += r.bytes;
        }
        for (const { block, length } of liveBlocks(dbs, s, txn)) addBlock(stats, block, length, range);
      }
      if (stats.chunks > before) stats.streams++;
    }
  } finally {
    txn?.done();
  }
  return stats;
}

/** Counts the block's first `length` entries when they overlap the range. */
function addBlock(stats: IndexStats, b: HeadBlock, length: number, range: TimeRange): void {
  if (length === 0) return;
  const sum = blockSummary(b, length);
  if (sum.maxTs < range.from || sum.minTs >= range.to) return;
  stats.chunks++;
  stats.entries += sum.entries;
  stats.bytes += sum.bytes;
}
