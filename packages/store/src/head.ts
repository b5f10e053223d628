/**
 * A stream's open block in memory. Entries are appended in arrival order (columns only grow, so
 * a reader that captured `length` keeps a stable view); out-of-order arrivals are sorted lazily
 * through a cached permutation when someone reads or the block is cut.
 *
 * Lines are kept as UTF-8 bytes back to back and timestamps in a BigInt64Array, not as one JS
 * string and one BigInt per entry: the head holds hundreds of thousands of entries that live
 * until their chunk is flushed, and as heap objects they would all be promoted to the old
 * generation and traced by every major GC. The bytes are also exactly what the chunk encoder
 * takes: it reads a cut block's lines in place (shared memory) and gets copies of the rest.
 */
import type { Entry, Labels } from './model.js';
import { metadataSection, type ChunkColumns } from './chunk/index.js';
import type { RecordColumns } from './record.js';

const EMPTY: Labels = Object.freeze({});
const INITIAL_ENTRIES = 64;
const INITIAL_BYTES = 8 * 1024;
/** Default for the line-bytes capacity hint: the store's default chunk target plus a batch's worth. */
const DEFAULT_CAPACITY_HINT = 320 * 1024;

/**
 * Line bytes live in shared memory, so handing a cut block to the chunk encoder thread costs no
 * copy. Besides the copy itself, ~128 MB of fresh ArrayBuffers per million lines counted as
 * external memory, which made V8 run a full mark-compact every ~64 MB (measured 16 → 5 per
 * million lines without them).
 */
function sharedBytes(size: number): Buffer {
  return Buffer.from(new SharedArrayBuffer(size));
}

/** Buffer's UTF-8 writer without `write()`'s argument handling (see record.ts). */
const utf8Write = (Buffer.prototype as unknown as { utf8Write(this: Buffer, s: string, offset: number): number }).utf8Write;

export class HeadBlock {
  /** Timestamps (ns) of entries 0 … length-1; the array's capacity may be larger. */
  ts: BigInt64Array;
  /** Line i is lineBytes[offsets[i] … offsets[i+1]). */
  private lineBytes: Buffer;
  private offsets: Uint32Array;
  readonly metadata: Labels[] = [];
  private count = 0;
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

  /**
   * `capacityHint`: line bytes the block is expected to reach (chunk target + a little): growing
   * stops there instead of doubling past it, so a full block does not carry ~2× its bytes.
   * `previous`: the stream's block before this one; its size (capped by the hint) is where this
   * one starts, so a busy stream's blocks do not double their way up (copying every line again)
   * each time, while a quiet stream's blocks stay small.
   */
  constructor(
    now: number,
    private readonly capacityHint = DEFAULT_CAPACITY_HINT,
    previous?: { readonly bytes: number; readonly length: number },
  ) {
    this.createdAt = now;
    this.lastAppendAt = now;
    let bytes = INITIAL_BYTES;
    let entries = INITIAL_ENTRIES;
    if (previous !== undefined && previous.bytes > INITIAL_BYTES) {
      bytes = Math.min(previous.bytes, capacityHint);
      // Entries scaled to the capped byte size, so a block of a few huge lines does not size the arrays.
      entries = Math.max(INITIAL_ENTRIES, Math.ceil((previous.length * bytes) / previous.bytes));
    }
    this.lineBytes = sharedBytes(bytes);
    this.ts = new BigInt64Array(entries);
    this.offsets = new Uint32Array(entries + 1);
  }

  get length(): number {
    return this.count;
  }

  /** The UTF-8 bytes of line i (a view, no copy). */
  lineBytesOf(i: number): Buffer {
    return this.lineBytes.subarray(this.offsets[i]!, this.offsets[i + 1]!);
  }

  line(i: number): string {
    return this.lineBytes.toString('utf8', this.offsets[i]!, this.offsets[i + 1]!);
  }

  lineLength(i: number): number {
    return this.offsets[i + 1]! - this.offsets[i]!;
  }

  add(entries: readonly Entry[], lsn: bigint, now: number): void {
    if (entries.length === 0) return;
    if (this.firstLsn < 0n) this.firstLsn = lsn;
    this.lastLsn = lsn;
    this.lastAppendAt = now;
    let n = this.count;
    if (n + entries.length > this.ts.length) this.growEntries(n + entries.length);
    const ts = this.ts;
    const offsets = this.offsets;
    let maxTs = n === 0 ? entries[0]!.ts : this.maxTs;
    let minTs = n === 0 ? entries[0]!.ts : this.minTs;
    let at = offsets[n]!;
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      const t = e.ts;
      if (t < maxTs) this.inOrder = false;
      else maxTs = t;
      if (t < minTs) minTs = t;
      ts[n] = t;
      const line = e.line;
      if (this.lineBytes.length - at < line.length * 3) this.growBytes(at, line.length * 3);
      at += utf8Write.call(this.lineBytes, line, at);
      offsets[++n] = at;
      this.metadata.push(e.metadata ?? EMPTY);
    }
    this.count = n;
    this.bytes = at;
    this.minTs = minTs;
    this.maxTs = maxTs;
  }

  /**
   * Appends a stream's entries from their WAL record columns: timestamps and line bytes are
   * copied in bulk (the lines were encoded to UTF-8 once, for the record), and no entry object
   * is needed.
   */
  addColumns(columns: RecordColumns, lsn: bigint, now: number): void {
    const count = columns.ts.length;
    if (count === 0) return;
    if (this.firstLsn < 0n) this.firstLsn = lsn;
    this.lastLsn = lsn;
    this.lastAppendAt = now;
    const n = this.count;
    if (n + count > this.ts.length) this.growEntries(n + count);
    const ts = columns.ts;
    this.ts.set(ts, n);
    let maxTs = n === 0 ? ts[0]! : this.maxTs;
    let minTs = n === 0 ? ts[0]! : this.minTs;
    for (let i = 0; i < count; i++) {
      const t = ts[i]!;
      if (t < maxTs) this.inOrder = false;
      else maxTs = t;
      if (t < minTs) minTs = t;
    }
    const metadata = this.metadata;
    const refs = columns.refs;
    if (refs === undefined) for (let i = 0; i < count; i++) metadata.push(EMPTY);
    else {
      const objects = columns.metadata;
      for (let i = 0; i < count; i++) {
        const ref = refs[i]!;
        metadata.push(ref === 0 ? EMPTY : objects[ref - 1]!);
      }
    }
    let at = this.offsets[n]!;
    const lines = columns.lines;
    if (this.lineBytes.length - at < lines.length) this.growBytes(at, lines.length);
    this.lineBytes.set(lines, at);
    const offsets = this.offsets;
    const lengths = columns.lengths;
    for (let i = 0; i < count; i++) {
      at += lengths[i]!;
      offsets[n + 1 + i] = at;
    }
    this.count = n + count;
    this.bytes = at;
    this.minTs = minTs;
    this.maxTs = maxTs;
  }

  private growEntries(need: number): void {
    let size = this.ts.length * 2;
    while (size < need) size *= 2;
    const ts = new BigInt64Array(size);
    ts.set(this.ts.subarray(0, this.count));
    this.ts = ts;
    const offsets = new Uint32Array(size + 1);
    offsets.set(this.offsets.subarray(0, this.count + 1));
    this.offsets = offsets;
  }

  private growBytes(used: number, more: number): void {
    let size = this.lineBytes.length * 2;
    if (size > this.capacityHint && used + more <= this.capacityHint) size = this.capacityHint;
    while (size < used + more) size *= 2;
    const next = sharedBytes(size);
    this.lineBytes.copy(next, 0, 0, used);
    this.lineBytes = next;
  }

  /**
   * Indexes of the first `length` entries in (ts, arrival) order. Identity when the block
   * arrived in order; otherwise a stable sort, cached until the block grows.
   */
  sortedOrder(length: number): Uint32Array | undefined {
    if (this.inOrder) return undefined;
    if (this.order && this.orderLength === length) return this.order;
    this.order = sortByTime(this.ts, length, this.minTs, this.maxTs);
    this.orderLength = length;
    return this.order;
  }

  /**
   * What the chunk encoder needs, for an encoder thread: the columns in arrival order (lines a
   * view of the block's shared bytes, timestamps and offsets copied into ArrayBuffers of their
   * own to transfer; the metadata section already in time order) and, for a block that arrived
   * out of order, the entries' indexes by time (stable), which the encoder applies
   * (`inTimeOrder`) so this thread copies no lines.
   */
  encoderInput(): { columns: ChunkColumns; order: Uint32Array | undefined } {
    const n = this.count;
    const order = this.sortedOrder(n);
    let withMetadata = false;
    for (let i = 0; i < n && !withMetadata; i++) if (this.metadata[i] !== EMPTY) withMetadata = true;
    const metadata = withMetadata
      ? metadataSection(n, (k) => {
          const md = this.metadata[order ? order[k]! : k]!;
          return md === EMPTY ? undefined : md;
        })
      : new Uint8Array(1);
    const columns: ChunkColumns = {
      ts: this.ts.slice(0, n),
      offsets: this.offsets.slice(0, n + 1),
      // Shared, not copied: a cut block never changes, so the encoder reads the very bytes readers still use.
      lines: this.lineBytes.subarray(0, this.bytes),
      metadata,
    };
    // A copy: the cached order stays with the block (readers use it); this one is transferred.
    return { columns, order: order ? order.slice() : undefined };
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const TWO_32 = 0x1_0000_0000;

/**
 * Indexes 0 … length-1 ordered by (timestamp, index): a stable sort by time. When the span
 * times the count fits 53 bits, each entry becomes one exact double, offset·length + index, and
 * a native numeric sort does the work (the offsets come from the timestamps' 32-bit halves, so
 * no BigInt per entry); otherwise a comparison sort on the BigInts.
 */
function sortByTime(ts: BigInt64Array, length: number, minTs: bigint, maxTs: bigint): Uint32Array {
  const order = new Uint32Array(length);
  if (LITTLE_ENDIAN && (maxTs - minTs + 1n) * BigInt(length) <= 1n << 53n) {
    const words = new Uint32Array(ts.buffer, ts.byteOffset, length * 2);
    const highs = new Int32Array(ts.buffer, ts.byteOffset, length * 2);
    const minLow = Number(BigInt.asUintN(32, minTs));
    const minHigh = Number(minTs >> 32n);
    const keys = new Float64Array(length);
    for (let i = 0; i < length; i++) keys[i] = ((highs[2 * i + 1]! - minHigh) * TWO_32 + (words[2 * i]! - minLow)) * length + i;
    keys.sort();
    for (let k = 0; k < length; k++) order[k] = keys[k]! % length;
    return order;
  }
  for (let i = 0; i < length; i++) order[i] = i;
  const sorted = Array.from(order).sort((a, b) => (ts[a]! < ts[b]! ? -1 : ts[a]! > ts[b]! ? 1 : a - b));
  order.set(sorted);
  return order;
}

