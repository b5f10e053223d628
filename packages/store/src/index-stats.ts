/**
 * `index/stats` figures (streams, chunks, entries, line bytes) over a time range, counting
 * chunks and in-memory blocks that overlap it, as `summarize` would list them.
 *
 * A stream whose whole span lies in the range adds its running chunk totals and its in-memory
 * blocks without any I/O. The totals and the `flushing` list change together (a block leaves
 * `flushing` in the same synchronous step that adds its chunk to the totals), so no block is
 * counted twice or missed. Only streams that straddle a range boundary list their chunk index
 * entries from one LMDB snapshot (keys and 20-byte values, never chunk bytes).
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
      if (s.within(range)) {
        stats.chunks += s.chunkCount;
        stats.entries += s.chunkEntries;
        stats.bytes += s.chunkBytes;
        for (const b of s.flushing) addBlock(stats, b, b.length);
        addBlock(stats, s.head, s.head.length);
      } else {
        txn ??= dbs.env.useReadTransaction();
        for (const r of chunkRefs(dbs, s, range, txn)) {
          stats.chunks++;
          stats.entries += r.entries;
          stats.bytes += r.bytes;
        }
        for (const { block, length } of liveBlocks(dbs, s, txn)) {
          const sum = blockSummary(block, length);
          if (sum.maxTs >= range.from && sum.minTs < range.to) addBlock(stats, block, length);
        }
      }
      if (stats.chunks > before) stats.streams++;
    }
  } finally {
    txn?.done();
  }
  return stats;
}

function addBlock(stats: IndexStats, b: HeadBlock, length: number): void {
  if (length === 0) return;
  const sum = blockSummary(b, length);
  stats.chunks++;
  stats.entries += sum.entries;
  stats.bytes += sum.bytes;
}
