/**
 * Puts a head block's columns into time order where the chunk is encoded (an encoder thread), so
 * the thread that takes appends only sorts indexes: the block's lines stay in its shared buffer
 * and are copied once, by the encoder, run by run.
 */
import type { ChunkColumns } from './types.js';

/**
 * `columns` in arrival order (ts, offsets, lines; `metadata` already in time order) and `order`,
 * their indexes by time: the same entries as time-ordered columns.
 */
export function inTimeOrder(columns: ChunkColumns, order: Uint32Array): ChunkColumns {
  const n = order.length;
  const from = columns.offsets;
  const ts = new BigInt64Array(n);
  const offsets = new Uint32Array(n + 1);
  const lines = Buffer.allocUnsafeSlow(from[n]!);
  let at = 0;
  // Concurrent pushes leave a block in sorted runs: each run's lines are copied in one go.
  for (let k = 0; k < n; ) {
    const first = order[k]!;
    let end = k + 1;
    while (end < n && order[end] === order[end - 1]! + 1) end++;
    lines.set(columns.lines.subarray(from[first]!, from[first + end - k]!), at);
    for (let i = first; k < end; k++, i++) {
      ts[k] = columns.ts[i]!;
      at += from[i + 1]! - from[i]!;
      offsets[k + 1] = at;
    }
  }
  return { ts, lines, offsets, metadata: columns.metadata };
}
