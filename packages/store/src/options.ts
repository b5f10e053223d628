/** Options of `Store.open`, observability hooks and the metrics snapshot. */
import type { ChunkEncoding } from './chunk/types.js';
import type { LimitsFor } from './limits.js';
import type { Matcher } from './model.js';

export type Durability = 'fsync' | 'batch' | 'none';

/** A retention rule for the streams of a tenant (or of every tenant) matching a selector. */
export interface StreamRetentionRule {
  /** Limit the rule to one tenant; all tenants when absent. */
  tenant?: string;
  matchers: Matcher[];
  /** Maximum age in milliseconds. */
  periodMs: number;
  /** Higher wins when several rules match a stream (as Loki's `retention_stream.priority`). */
  priority?: number;
}

export interface RetentionOptions {
  /** Maximum age for every tenant, in ms; 0 keeps forever. A tenant's `retention_period` limit overrides it. */
  periodMs?: number;
  /** Per-tenant maximum age in ms, overriding `periodMs` and the limits. */
  tenants?: Record<string, number>;
  streams?: StreamRetentionRule[];
  /** Total compressed chunk bytes allowed; the oldest chunks go first when exceeded. 0 = no cap. */
  maxBytes?: number;
}

export interface ChunkFlushedInfo {
  tenant: string;
  stream: string;
  entries: number;
  bytes: number;
  storedBytes: number;
  /** Time spent encoding, in seconds. */
  encodeSeconds: number;
}

export interface CorruptChunkInfo {
  tenant: string;
  stream: string;
  minTs: bigint;
  error: Error;
}

export interface MaintenanceReport {
  deletedChunks: number;
  deletedBytes: number;
  compactedChunks: number;
  writtenChunks: number;
  removedStreams: number;
}

export interface StoreHooks {
  /** Each WAL group commit (fsync), with its duration in seconds. */
  onWalSync?: (seconds: number) => void;
  onWalCorrupt?: (info: unknown) => void;
  onChunkFlushed?: (info: ChunkFlushedInfo) => void;
  onCorruptChunk?: (info: CorruptChunkInfo) => void;
  onMaintenance?: (report: MaintenanceReport) => void;
  /** A background job failed (flush, retention, compaction); it is retried on the next round. */
  onBackgroundError?: (err: Error) => void;
}

export interface StoreOptions {
  /** Data directory: `wal/` and `index/` (LMDB) live under it. */
  dir: string;
  durability?: Durability;
  /** For `batch` durability: fsync at most this often, in ms. */
  batchIntervalMs?: number;
  walSegmentBytes?: number;
  limits?: LimitsFor;
  /** Cut a head block once its lines reach this many bytes (default 256 KiB). */
  chunkTargetBytes?: number;
  /** Cut a head block this long after its first entry (default 2 h, Loki's max_chunk_age). */
  maxChunkAgeMs?: number;
  /** Cut a head block that received nothing for this long (default 30 min, Loki's chunk_idle_period). */
  chunkIdlePeriodMs?: number;
  /** How often heads are checked for age/idle cuts (default 10 s). */
  flushCheckIntervalMs?: number;
  /** Appends wait while cut blocks holding more line bytes than this await their flush (default 64 MiB). */
  maxQueuedFlushBytes?: number;
  /**
   * Worker threads that encode chunks (zstd + content filter) off the event loop (default 1);
   * 0 encodes on the main thread.
   */
  encodeWorkers?: number;
  /**
   * Worker threads that decode chunks ahead of a query's scan, so decoding overlaps it (default
   * 1); 0 decodes on the querying thread, chunk by chunk as the scan reaches it.
   */
  decodeWorkers?: number;
  /** zstd level of new chunks, 1–19 (default 1; higher levels compress more, encode slower). */
  chunkCompressionLevel?: number;
  /**
   * How new chunks store their lines: 'columnar' as templates and columns of variables (~2× smaller
   * on typical logs, ~1.5× the encode and ~2× the decode CPU), 'lines' as they are. Chunks of both
   * kinds are always readable. Default: see DEFAULT_ENCODING in chunk/encode.ts.
   */
  chunkEncoding?: ChunkEncoding;
  retention?: RetentionOptions;
  /** How often retention and compaction run (default 10 min); 0 disables the timer (run via `maintain()`). */
  maintenanceIntervalMs?: number;
  /** Chunks with fewer line bytes than this are merged with their neighbours (default target / 4). */
  compactBelowBytes?: number;
  /** LMDB map size in bytes (default 64 GiB; sparse, grows on disk only as used). */
  mapSize?: number;
  hooks?: StoreHooks;
  /** Clock in ms, for tests. */
  now?: () => number;
}

export interface StoreMetrics {
  tenants: number;
  streams: number;
  headStreams: number;
  headEntries: number;
  headBytes: number;
  chunksWritten: number;
  chunks: number;
  chunkBytes: number;
  chunkStoredBytes: number;
  corruptChunks: number;
  /** Chunks decoded by reads since open (content filters and time pruning avoid the rest). */
  chunksDecoded: number;
  /** LMDB file plus WAL segments, in bytes. */
  diskBytes: number;
  walBytes: number;
}
