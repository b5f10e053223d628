/**
 * A stream's open block in memory. Entries are appended in arrival order (arrays only grow, so
 * a reader that captured `length` keeps a stable view); out-of-order arrivals are sorted lazily
 * through a cached permutation when someone reads or the block is cut.
 */
import type { Entry, Labels } from './model.js';
import { metadataSection, type ChunkColumns } from './chunk/index.js';

const EMPTY: Labels = Object.freeze({});

export class HeadBlock {
  readonly ts: bigint[] = [];
  readonly lines: string[] = [];
  readonly metadata: Labels[] = [];
  /** UTF-8 bytes of the lines: what the size target counts. */
  bytes = 0;
  minTs = 0n;
  maxTs = 0n;
  /** Lowest and highest WAL LSN with entries in this block (the WAL must keep ≥ firstLsn). */
  firstLsn = -1n;
  lastLsn = -1n;
  readonly createdAt: number;
  lastAppendAt: number;
  private inOrder = true;
  private order: Uint32Array | undefined;
  private orderLength = 0;
  /** Set once the block is cut: the sequence number its chunk gets in LMDB. */
  seq = -1n;

  constructor(now: number) {
    this.createdAt = now;
    this.lastAppendAt = now;
  }

  get length(): number {
    return this.ts.length;
  }

  add(entries: readonly Entry[], lsn: bigint, now: number): void {
    if (entries.length === 0) return;
    if (this.firstLsn < 0n) this.firstLsn = lsn;
    this.lastLsn = lsn;
    this.lastAppendAt = now;
    const n = this.ts.length;
    let maxTs = n === 0 ? entries[0].ts : this.maxTs;
    let minTs = n === 0 ? entries[0].ts : this.minTs;
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i];
      const ts = e.ts;
      if (ts < maxTs) this.inOrder = false;
      else maxTs = ts;
      if (ts < minTs) minTs = ts;
      this.ts.push(ts);
      this.lines.push(e.line);
      this.metadata.push(e.metadata ?? EMPTY);
      // Close enough for the size target without a UTF-8 pass: exact for ASCII, the common case.
      this.bytes += e.line.length;
    }
    this.minTs = minTs;
    this.maxTs = maxTs;
  }

  /**
   * Indexes of the first `length` entries in (ts, arrival) order. Identity when the block
   * arrived in order; otherwise a stable sort, cached until the block grows.
   */
  sortedOrder(length: number): Uint32Array | undefined {
    if (this.inOrder) return undefined;
    if (this.order && this.orderLength === length) return this.order;
    const idx = new Uint32Array(length);
    for (let i = 0; i < length; i++) idx[i] = i;
    const ts = this.ts;
    const sorted = Array.from(idx).sort((a, b) => (ts[a] < ts[b] ? -1 : ts[a] > ts[b] ? 1 : a - b));
    this.order = Uint32Array.from(sorted);
    this.orderLength = length;
    return this.order;
  }

  /**
   * The entries sorted by time (stable) as the chunk encoder's columns, each in its own
   * ArrayBuffer so they can be transferred to an encoder thread.
   */
  columns(): ChunkColumns {
    const n = this.ts.length;
    const order = this.sortedOrder(n);
    const ts = new BigInt64Array(n);
    const offsets = new Uint32Array(n + 1);
    // `bytes` counts UTF-16 units: exact for ASCII; anything else grows the buffer below.
    let lines = Buffer.allocUnsafeSlow(this.bytes + 1024);
    let at = 0;
    let withMetadata = false;
    for (let k = 0; k < n; k++) {
      const i = order ? order[k]! : k;
      ts[k] = this.ts[i]!;
      const line = this.lines[i]!;
      if (lines.length - at < line.length * 3) {
        const next = Buffer.allocUnsafeSlow(Math.max(lines.length * 2, at + line.length * 3));
        lines.copy(next, 0, 0, at);
        lines = next;
      }
      at += lines.write(line, at, 'utf8');
      offsets[k + 1] = at;
      if (this.metadata[i] !== EMPTY) withMetadata = true;
    }
    const metadata = withMetadata
      ? metadataSection(n, (k) => {
          const md = this.metadata[order ? order[k]! : k]!;
          return md === EMPTY ? undefined : md;
        })
      : new Uint8Array(1);
    return { ts, lines, offsets, metadata };
  }
}
