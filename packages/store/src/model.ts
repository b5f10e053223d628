/**
 * The data model shared by every lode package: what a log entry, a stream and a push are, and
 * what the store's read API takes and returns. Plain data only, so each side can be tested alone.
 */

/** Unix time in nanoseconds. Always a bigint: float64 would lose the last digits. */
export type Timestamp = bigint;

/** An index label set (`{app="api", env="prod"}`), or structured metadata: flat string → string. */
export type Labels = Readonly<Record<string, string>>;

/** One log entry as pushed or read. `metadata` is Loki's structured metadata. */
export interface Entry {
  ts: Timestamp;
  line: string;
  metadata?: Labels;
}

/** The entries of one stream in a push. Entries need not be sorted. */
export interface StreamPush {
  labels: Labels;
  entries: Entry[];
}

/** What every ingest protocol decodes to before it reaches `Store.append`. */
export interface PushRequest {
  tenant: string;
  streams: StreamPush[];
}

/** Why entries were refused; the names follow Loki's `discarded_samples` reasons. */
export type RejectReason =
  | 'invalid_labels'
  | 'too_far_behind'
  | 'too_far_in_future'
  | 'greater_than_max_sample_age'
  | 'line_too_long'
  | 'stream_limit'
  | 'rate_limited'
  | 'invalid_metadata';

/** Entries of one stream that `append` refused, with a message a user can act on. */
export interface Rejection {
  /** The stream's labels rendered as a LogQL selector, e.g. `{app="api"}`. */
  stream: string;
  reason: RejectReason;
  /** How many entries of the stream this rejection covers. */
  count: number;
  message: string;
}

export interface AppendResult {
  accepted: number;
  rejected: Rejection[];
}

/** A label matcher of a stream selector; regexps use RE2 syntax and are fully anchored. */
export type MatchOp = '=' | '!=' | '=~' | '!~';
export interface Matcher {
  name: string;
  op: MatchOp;
  value: string;
}

/** A stream as the read API returns it. `id` is the 16-hex-digit stream id, stable across restarts. */
export interface StreamRef {
  id: string;
  labels: Labels;
}

/** A time range [from, to) in unix nanoseconds. */
export interface TimeRange {
  from: Timestamp;
  to: Timestamp;
}

/** Streams of one tenant whose labels satisfy every matcher and that hold data in the range. */
export interface SelectQuery extends TimeRange {
  matchers: Matcher[];
}

export type Direction = 'forward' | 'backward';

export interface EntryQuery extends SelectQuery {
  direction: Direction;
  /**
   * Literal substrings every line the caller wants must contain (from `|= "…"` filters).
   * The store uses them to skip chunks through content filters and to drop lines before they
   * become strings; the caller still applies its own filters, so this is only ever an optimisation.
   */
  lineContains?: string[];
  /**
   * A necessary condition for the caller to want an entry, on its line's bytes
   * (`bytes[start..end)`), its stream's labels and its metadata: `entries` may skip an entry that
   * fails it before building it (no string, no object). Like `lineContains`, only an
   * optimisation: the caller still applies its own filters to what it gets.
   */
  keep?: (bytes: Buffer, start: number, end: number, stream: Labels, metadata: Labels) => boolean;
  /** Stops the iteration early (client gone, query timeout). */
  signal?: AbortSignal;
  /**
   * For `chunks`: whether the caller will `open()` this chunk (given before the handle's turn,
   * in listing order), so the store may decode it ahead on another thread while the caller works
   * on the chunks before it. Only an optimisation: a wrong guess costs a decode, never an answer.
   */
  decodeAhead?: (chunk: ChunkHandle) => boolean;
}

/** One entry read back, with the stream it belongs to. */
export interface StoredEntry {
  stream: StreamRef;
  ts: Timestamp;
  line: string;
  metadata: Labels;
  /**
   * The line's UTF-8 bytes (a view into the decoded chunk) when the entry was read from a chunk;
   * `line` is then only decoded from them when first read, so a caller that can work on bytes
   * never builds the string.
   */
  readonly lineBytes?: Buffer;
}

/** Summary of one chunk (or of a stream's head block) for metric queries that need no lines. */
export interface ChunkSummary {
  stream: StreamRef;
  minTs: Timestamp;
  maxTs: Timestamp;
  entries: number;
  /** Sum of line lengths in bytes, as Loki's `bytes_over_time` counts them. */
  bytes: number;
}

/**
 * Timestamps and line lengths of one chunk or in-memory block (see `ChunkHandle.openIndex`): what
 * a counting query without a pipeline reads, without the lines.
 */
export interface ChunkIndexEntries {
  readonly length: number;
  /** Timestamps (ns) of entries 0 … length-1 (the array may be longer); ascending when `sorted`. */
  readonly timestamps: BigInt64Array;
  readonly sorted: boolean;
  /** False when no entry carries structured metadata. */
  readonly hasMetadata: boolean;
  lineLength(i: number): number;
  /** Sum of the line lengths of entries [lo, hi), in bytes. */
  linesBytes(lo: number, hi: number): number;
}

/**
 * The entries of one chunk or in-memory block as columns (see `LogStore.chunks`): what a metric
 * query that needs no time-ordered merge reads, without an object or a string per entry.
 * `metadata(i)` is always empty when `hasMetadata` is false.
 */
export interface ChunkEntries extends ChunkIndexEntries {
  /** The line's UTF-8 bytes (a view, no copy). */
  lineBytes(i: number): Buffer;
  line(i: number): string;
  metadata(i: number): Labels;
  /** The lines back to back, when the entries hold them so (decoded chunks; not in-memory blocks). */
  linesBlock?(): LinesBlock;
}

/** Line i is bytes[offsets[i] .. offsets[i+1]) of `bytes`; `offsets` has length + 1 entries. */
export interface LinesBlock {
  readonly bytes: Buffer;
  readonly offsets: Uint32Array;
}

/** A chunk or in-memory block as `LogStore.chunks` lists it: its summary, decoded on demand. */
export interface ChunkHandle extends ChunkSummary {
  /**
   * Decodes the chunk (or views the block). Only valid until the iterator moves on. Undefined
   * when the chunk is corrupt (reported by the store, as `entries` does).
   */
  open(): ChunkEntries | undefined;
  /**
   * Decodes only the timestamps and line lengths (cheaper than `open`: the lines of a chunk stay
   * compressed). Same validity and corruption rules as `open`.
   */
  openIndex(): ChunkIndexEntries | undefined;
  /**
   * False when the chunk's content filter rules out that any of its lines contains `literal`
   * (as `EntryQuery.lineContains` prunes), true when some line may. Reads only the filter, so a
   * caller with a needle of its own (one that holds only under conditions it checks) can skip a
   * chunk without decoding its lines. Optional: absent means "may".
   */
  mayContain?(literal: string): boolean;
  /**
   * Whether some entry carries structured metadata (`ChunkIndexEntries.hasMetadata`), read from
   * the chunk's header where its format has the flag there, else from its index. Optional.
   */
  hasMetadata?(): boolean;
}

/** `/loki/api/v1/index/stats` figures. */
export interface IndexStats {
  streams: number;
  chunks: number;
  entries: number;
  bytes: number;
}

/** New entries of one stream, as `LogStore.tail` listeners receive them right after the WAL ack. */
export interface TailBatch {
  stream: StreamRef;
  entries: Entry[];
}

/**
 * The store as the rest of lode sees it. Reads are synchronous and lazy (LMDB reads and chunk
 * decoding do not need the event loop), so a query streams through iterators in bounded memory.
 * Every method is scoped to one tenant; no call ever returns another tenant's data.
 */
export interface LogStore {
  /** Validates and appends; resolves once the accepted entries are durable per the durability mode. */
  append(tenant: string, streams: StreamPush[]): Promise<AppendResult>;
  /** Streams matching the selector with data in [from, to). */
  streams(tenant: string, q: SelectQuery): StreamRef[];
  /** Entries of every matching stream, merged in time order (ties: by stream id, then push order). */
  entries(tenant: string, q: EntryQuery): Iterable<StoredEntry>;
  /** Chunk and head-block summaries overlapping [from, to), for metrics that need no lines. */
  chunkSummaries(tenant: string, q: SelectQuery): Iterable<ChunkSummary>;
  /**
   * Chunks and in-memory blocks of the matching streams overlapping [from, to), stream by stream,
   * in no global time order; chunks the content filter rules out for `lineContains` are skipped.
   * Entries outside [from, to) are the caller's to skip. Optional: the engine falls back to
   * `entries` without it.
   */
  chunks?(tenant: string, q: EntryQuery): Iterable<ChunkHandle>;
  /** Label names of the matching streams (all streams when `matchers` is empty), sorted. */
  labelNames(tenant: string, q: SelectQuery): string[];
  /** Values of one label over the matching streams, sorted. */
  labelValues(tenant: string, name: string, q: SelectQuery): string[];
  /** Label sets of streams matching any of the matcher sets (the union), sorted. */
  series(tenant: string, range: TimeRange, matcherSets: Matcher[][]): Labels[];
  indexStats(tenant: string, q: SelectQuery): IndexStats;
  /** Calls `listener` with each batch appended for the tenant from now on; returns an unsubscribe function. */
  tail(tenant: string, listener: (batches: TailBatch[]) => void): () => void;
  /** Flushes the head to chunks, checkpoints the WAL and closes LMDB. */
  close(): Promise<void>;
}
