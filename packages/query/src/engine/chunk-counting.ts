/**
 * Counting range aggregations (`count_over_time`, `rate`, `bytes_*`) read chunk by chunk instead
 * of through the time-ordered merge: their per-window counts do not depend on the order samples
 * arrive in. Without a pipeline no line is ever turned into a string:
 *
 * - a chunk whose entries all fall into the same windows is added from its summary (never decoded);
 * - otherwise its sorted timestamps are cut at the window edges by binary search and each run of
 *   entries sharing the same windows is added at once (counts and byte sums from the line
 *   lengths), reading only the chunk's index (timestamps and line lengths), never its lines.
 *
 * With a pipeline, each entry goes through it from the chunk's bytes (filters run on the bytes).
 * When the pipeline names bytes every passing line contains (a leading line filter's literal, or
 * the key a `logfmt` label filter needs), one native search over the chunk's lines block finds the
 * candidate lines and only those go through the pipeline; the rest are never looked at one by one.
 */
import type { ChunkEntries, ChunkHandle, ChunkIndexEntries, Labels, LinesBlock } from '@lode/store';
import type { Grouping } from '../logql/ast.js';
import type { WindowGrid } from './grid.js';
import type { RangeAggregator } from './range-aggregator.js';
import type { SampleExtractor } from './sample-extractor.js';
import type { ScanRequest, Scanner } from './scan.js';

export interface ChunkCountingOptions {
  readonly windows: WindowGrid;
  readonly agg: RangeAggregator;
  readonly extractor: SampleExtractor;
  /** The grouping the aggregator applies (its own or one pushed down from an enclosing sum). */
  readonly grouping: Grouping | undefined;
  /** Throws when the aggregator holds too many series. */
  readonly checkSeries: () => void;
}

export async function countFromChunks(scanner: Scanner, req: Omit<ScanRequest, 'direction'>, o: ChunkCountingOptions): Promise<void> {
  const { windows: g, agg, extractor } = o;
  const noStages = extractor.noStages;
  // Streams where most lines contain the needle: searching first only adds a call per line.
  const dense = new WeakSet<Labels>();
  // With a pipeline every chunk not ruled out is opened, so those are decoded ahead (without
  // one, chunks are counted from their summaries or indexes, which are cheap to read).
  await scanner.scanChunks(req, (h) => {
    const streamLabels = h.stream.labels;
    // Metadata labels split a stream into series unless the grouping keeps only stream labels.
    const metadataIrrelevant = !!o.grouping && !o.grouping.without && o.grouping.labels.every((n) => n in streamLabels);
    if (noStages && metadataIrrelevant && h.minTs >= req.from && h.maxTs < req.to) {
      if (agg.addSummary(streamLabels, h.minTs, h.maxTs, h.entries, h.bytes)) {
        scanner.countRead(h.entries, h.bytes);
        o.checkSeries();
        return;
      }
    }
    if (noStages) {
      // Timestamps and line lengths are enough unless metadata splits the stream into series.
      const index = h.openIndex();
      if (!index) return;
      if (index.sorted && (metadataIrrelevant || !index.hasMetadata)) {
        addRuns(scanner, g, agg, index, streamLabels, req);
        o.checkSeries();
        return;
      }
    }
    if (ruledOut(h, extractor.metadataFreeLiterals(streamLabels))) return;
    const c = h.open();
    if (!c) return;
    const needle = c.sorted && c.linesBlock && !dense.has(streamLabels) ? extractor.lineNeedle(streamLabels, c.hasMetadata) : undefined;
    if (needle !== undefined) {
      if (addCandidates(scanner, extractor, agg, c, c.linesBlock!(), needle, h, req) > DENSE) dense.add(streamLabels);
      o.checkSeries();
      return;
    }
    addEntries(scanner, extractor, agg, c, h, req);
    o.checkSeries();
  }, noStages ? undefined : (h) => !ruledOut(h, extractor.metadataFreeLiterals(h.stream.labels)));
}

/**
 * Whether no entry of the chunk can yield a sample: its content filter rules out a literal every
 * such line contains, and (read from its header, or its index, which leave the lines compressed)
 * no entry carries metadata that could supply the label instead.
 */
function ruledOut(h: ChunkHandle, literals: readonly string[]): boolean {
  if (literals.length === 0 || h.mayContain === undefined) return false;
  let absent = false;
  for (const l of literals) if (!h.mayContain(l)) absent = true;
  if (!absent) return false;
  if (h.hasMetadata !== undefined) return !h.hasMetadata();
  const index = h.openIndex();
  return index === undefined || !index.hasMetadata;
}

/** Adds a sorted chunk's entries in [from, to) as runs that share the same windows. */
function addRuns(scanner: Scanner, g: WindowGrid, agg: RangeAggregator, c: ChunkIndexEntries, labels: Labels, req: Omit<ScanRequest, 'direction'>): void {
  const ts = c.timestamps;
  const end = lowerBound(ts, 0, c.length, req.to);
  let i = lowerBound(ts, 0, end, req.from);
  scanner.countRead(end - i, i < end ? c.linesBytes(i, end) : 0);
  while (i < end) {
    const t = g.rel(ts[i] as bigint);
    const a = g.firstRightEdgeAtOrAfter(t);
    if (a >= g.count) return;
    // Every entry up to the next window edge (right or left) is in exactly the windows of t.
    const edge = Math.min(a * g.step, g.firstLeftEdgeAtOrAfter(t) * g.step - g.range);
    const j = lowerBound(ts, i + 1, end, g.origin + BigInt(edge) + 1n);
    agg.addSummary(labels, ts[i] as bigint, ts[j - 1] as bigint, j - i, c.linesBytes(i, j));
    i = j;
  }
}

/** Runs each entry in [from, to) through the pipeline, from its bytes. */
function addEntries(
  scanner: Scanner,
  extractor: SampleExtractor,
  agg: RangeAggregator,
  c: ChunkEntries,
  h: ChunkHandle,
  req: Omit<ScanRequest, 'direction'>,
): void {
  const ts = c.timestamps;
  const labels = h.stream.labels;
  const block = c.sorted ? c.linesBlock?.() : undefined;
  if (block !== undefined) {
    const end = lowerBound(ts, 0, c.length, req.to);
    const start = lowerBound(ts, 0, end, req.from);
    if (start >= end) return;
    scanner.countRead(end - start, c.linesBytes(start, end));
    const { bytes, offsets } = block;
    for (let i = start; i < end; i++) {
      const t = ts[i] as bigint;
      const s = extractor.extractRange(t, bytes, offsets[i]!, offsets[i + 1]!, labels, c.hasMetadata ? c.metadata(i) : NO_METADATA);
      if (s) agg.add(s.labels, t, s.value, s.bytes);
    }
    return;
  }
  let lines = 0;
  let bytes = 0;
  for (let i = 0; i < c.length; i++) {
    const t = ts[i] as bigint;
    if (t < req.from || t >= req.to) continue;
    const lineBytes = c.lineBytes(i);
    lines++;
    bytes += lineBytes.length;
    const s = extractor.extractBytes(t, lineBytes, labels, c.metadata(i));
    if (s) agg.add(s.labels, t, s.value, s.bytes);
  }
  scanner.countRead(lines, bytes);
}

const NO_METADATA: Labels = Object.freeze({});

/** Above this share of candidate lines in a chunk, its stream's later chunks skip the search. */
const DENSE = 0.5;

/**
 * Runs through the pipeline only the entries in [from, to) of a sorted chunk whose line contains
 * `needle`. A match that spans two lines makes the first a candidate, which the pipeline then
 * rejects; the search goes on from the next line, so no line is skipped or counted twice.
 * Returns the share of the chunk's entries in [from, to) that were candidates.
 */
function addCandidates(
  scanner: Scanner,
  extractor: SampleExtractor,
  agg: RangeAggregator,
  c: ChunkEntries,
  block: LinesBlock,
  needle: Buffer,
  h: ChunkHandle,
  req: Omit<ScanRequest, 'direction'>,
): number {
  const ts = c.timestamps;
  const labels = h.stream.labels;
  const end = lowerBound(ts, 0, c.length, req.to);
  const start = lowerBound(ts, 0, end, req.from);
  if (start >= end) return 0;
  scanner.countRead(end - start, c.linesBytes(start, end));
  const { bytes, offsets } = block;
  const stop = offsets[end]!;
  const key = searchKey(needle, bytes, offsets[start]!, stop);
  let i = start;
  let pos = offsets[start]!;
  let candidates = 0;
  while (i < end) {
    const p = bytes.indexOf(key, pos);
    if (p < 0 || p + key.length > stop) break;
    i = lineAt(offsets, i, end, p);
    candidates++;
    const s = extractor.extractRange(ts[i] as bigint, bytes, offsets[i]!, offsets[i + 1]!, labels, c.hasMetadata ? c.metadata(i) : NO_METADATA);
    if (s) agg.add(s.labels, ts[i] as bigint, s.value, s.bytes);
    i++;
    pos = offsets[i]!;
  }
  return candidates / (end - start);
}

/**
 * Native search (V8's string search) scans for the first byte with memchr while the needle is
 * shorter than 7 bytes and switches to Boyer-Moore, slower on log text, above that; and memchr
 * is only as fast as the first byte is rare. So the needle is searched by one of its suffixes of
 * 3 to 6 bytes (the pipeline checks the whole line anyway): a literal like `status=5` is a common
 * key followed by the part that selects, so its end is what's rare, and of those suffixes the one
 * whose first byte is rarest in a sample of the lines (`us=5` over `atus=5` in logfmt text).
 */
const SHORT_NEEDLE = 6;
const MIN_KEY = 3;
const SAMPLE_STRIDE = 7;
const SAMPLES = 1024;

function searchKey(needle: Buffer, bytes: Buffer, from: number, to: number): Buffer {
  if (needle.length <= MIN_KEY) return needle;
  const counts = new Uint16Array(256);
  const stop = Math.min(to, from + SAMPLES * SAMPLE_STRIDE);
  for (let p = from; p < stop; p += SAMPLE_STRIDE) counts[bytes[p]!]!++;
  let best = needle.length - Math.min(needle.length, SHORT_NEEDLE);
  for (let k = best + 1; k <= needle.length - MIN_KEY; k++) if (counts[needle[k]!]! < counts[needle[best]!]!) best = k;
  return needle.subarray(best);
}

/** The line in [lo, hi) holding byte `p`: the last i there with offsets[i] ≤ p (offsets[lo] ≤ p). */
function lineAt(offsets: Uint32Array, lo: number, hi: number, p: number): number {
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if ((offsets[mid] as number) <= p) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** First index in [lo, hi) whose timestamp is ≥ t (hi if none); `ts` ascending there. */
function lowerBound(ts: BigInt64Array, lo: number, hi: number, t: bigint): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((ts[mid] as bigint) < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
