import type { Labels } from '../model.js';

/**
 * How a chunk stores its lines: 'columnar' splits them into templates and columns of variables
 * (format version 3, smaller), 'lines' keeps them as they are (version 2, cheaper to decode).
 */
export type ChunkEncoding = 'columnar' | 'lines';

export interface EncodeOptions {
  /** zstd level, 1–19. */
  level?: number;
  encoding?: ChunkEncoding;
}

/** One entry as handed to the encoder; `ts` is unix time in nanoseconds (a signed 64-bit value). */
export interface RawEntry {
  ts: bigint;
  line: string;
  metadata?: Labels;
}

/** What the store keeps beside a chunk so time pruning and counting never decompress it. */
export interface ChunkStats {
  minTs: bigint;
  maxTs: bigint;
  entries: number;
  /** Sum of the UTF-8 byte lengths of the lines. */
  bytes: number;
}

export interface EncodedChunk {
  /** Header + compressed body; give it to `decodeChunk`. */
  data: Buffer;
  /** Content filter; give it to `filterMayContain`. */
  filter: Buffer;
  stats: ChunkStats;
}

/**
 * The columns of a chunk a counting query reads (`decodeChunkIndex`): timestamps and line lengths,
 * without the lines. Accessors never throw for indexes in [0, length).
 */
export interface DecodedChunkIndex {
  readonly length: number;
  ts(i: number): bigint;
  /** The line's length in bytes. */
  lineLength(i: number): number;
  /** Sum of the line lengths of entries [lo, hi), 0 ≤ lo ≤ hi ≤ length. */
  linesBytes(lo: number, hi: number): number;
  /** Timestamps of entries 0 … length-1, ascending. */
  readonly timestamps: BigInt64Array;
  /** False when no entry carries structured metadata. */
  readonly hasMetadata: boolean;
  /** First index whose ts is >= t (binary search), `length` if none. */
  lowerBound(t: bigint): number;
}

/** A decoded chunk. Accessors never throw for indexes in [0, length). */
export interface DecodedChunk extends DecodedChunkIndex {
  /** The line's UTF-8 bytes: a view into the decompressed block, no copy. */
  lineBytes(i: number): Buffer;
  line(i: number): string;
  /** Every line back to back (a view, no copy): line i is bytes[offsets[i] .. offsets[i+1]). */
  linesBlock(): { bytes: Buffer; offsets: Uint32Array };
  /** Structured metadata; a shared empty frozen object when the entry has none. */
  metadata(i: number): Labels;
}

/**
 * Entries of one chunk as columns of bytes: what the encoder needs, in a form that crosses to a
 * worker thread by transfer instead of cloning an object per entry.
 */
export interface ChunkColumns {
  /** Timestamps (ns), sorted ascending. */
  ts: BigInt64Array;
  /** The lines' UTF-8 bytes back to back. */
  lines: Uint8Array;
  /** count + 1 offsets into `lines`: line i is lines[offsets[i] .. offsets[i+1]). */
  offsets: Uint32Array;
  /** The body's metadata section, as `metadataSection` builds it. */
  metadata: Uint8Array;
}
