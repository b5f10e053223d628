/**
 * The in-memory stream registry of each tenant: every known stream with its labels, time span,
 * running chunk totals, head block and blocks being flushed, plus in-memory postings
 * (name → value → streams) mirroring the LMDB postings, so selection and the metadata reads
 * (label names and values, series) never wait on I/O. Stream counts are bounded by
 * `max_global_streams_per_user`, which is what makes keeping all of them resident reasonable.
 */
import type { Labels, Matcher, StreamRef, TimeRange } from './model.js';
import { HeadBlock } from './head.js';
import { compileValueMatcher, type ValuePredicate } from './matchers.js';
import { streamIdHex } from './labels.js';

export class StreamState {
  readonly ref: StreamRef;
  /** Time span of all data (chunks and head); `hasData` false when nothing is stored. */
  minTs = 0n;
  maxTs = 0n;
  hasData = false;
  /** Highest timestamp accepted so far (validation happens before the WAL ack). */
  acceptedMaxTs: bigint | undefined;
  /** Every entry from WAL records with an LSN ≤ this is in LMDB (persisted with the stream record). */
  flushedLsn: bigint;
  head: HeadBlock;
  /** Cut blocks waiting for their LMDB commit; still served to readers. */
  readonly flushing: HeadBlock[] = [];
  /** Longest maxTs − minTs of any chunk in LMDB, to bound index scans for a time range. */
  maxChunkSpan = 0n;
  /** Whether LMDB holds this stream's postings (written with its first chunk). */
  postingsPersisted = false;
  /** Appends in flight (validated, not yet inserted); such a stream is never dropped. */
  pending = 0;
  /**
   * Totals and time span of the stream's chunks in LMDB, kept in step with flush commits,
   * retention and compaction (rebuilt from the chunk index at open): index stats need no
   * chunk-index scan unless the range boundary cuts through the chunks' span.
   */
  chunkCount = 0;
  chunkEntries = 0;
  chunkBytes = 0;
  /** Valid while chunkCount > 0. */
  chunkMinTs = 0n;
  chunkMaxTs = 0n;

  constructor(
    readonly tenant: string,
    readonly id: bigint,
    readonly labels: Labels,
    readonly selector: string,
    flushedLsn: bigint,
    now: number,
  ) {
    this.ref = Object.freeze({ id: streamIdHex(id), labels });
    this.flushedLsn = flushedLsn;
    this.head = new HeadBlock(now);
  }

  extendSpan(minTs: bigint, maxTs: bigint): void {
    if (!this.hasData) {
      this.minTs = minTs;
      this.maxTs = maxTs;
      this.hasData = true;
      return;
    }
    if (minTs < this.minTs) this.minTs = minTs;
    if (maxTs > this.maxTs) this.maxTs = maxTs;
  }

  overlaps(r: TimeRange): boolean {
    return this.hasData && this.minTs < r.to && this.maxTs >= r.from;
  }

  /** Counts one chunk written to LMDB. */
  addChunk(minTs: bigint, maxTs: bigint, entries: number, bytes: number): void {
    if (this.chunkCount === 0 || minTs < this.chunkMinTs) this.chunkMinTs = minTs;
    if (this.chunkCount === 0 || maxTs > this.chunkMaxTs) this.chunkMaxTs = maxTs;
    this.adjustChunks(1, entries, bytes);
  }

  /** Changes the chunk totals by the given amounts (negative for deleted or merged chunks). */
  adjustChunks(count: number, entries: number, bytes: number): void {
    this.chunkCount += count;
    this.chunkEntries += entries;
    this.chunkBytes += bytes;
  }

  /** The chunk span after deletions, from the chunks that are left. */
  resetChunkSpan(left: readonly { minTs: bigint; maxTs: bigint }[]): void {
    if (left.length === 0) return;
    this.chunkMinTs = left[0]!.minTs;
    this.chunkMaxTs = left[0]!.maxTs;
    for (const c of left) {
      if (c.minTs < this.chunkMinTs) this.chunkMinTs = c.minTs;
      if (c.maxTs > this.chunkMaxTs) this.chunkMaxTs = c.maxTs;
    }
  }

  inMemory(): boolean {
    return this.head.length > 0 || this.flushing.length > 0;
  }
}

/** One matcher prepared against a tenant's postings. */
interface MatcherPlan {
  name: string;
  test: ValuePredicate;
  /** Whether a stream without the label (or with the empty value) matches. */
  matchesMissing: boolean;
  /** Known values that pass, for regexps: each distinct value is tested once, not once per stream. */
  accepted: Set<string> | undefined;
  /** Posting sets of the passing values (disjoint: a stream has one value per name); only when `!matchesMissing`. */
  sets: Set<StreamState>[];
  size: number;
}

const byId = (a: StreamState, b: StreamState): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const bySelector = (a: StreamState, b: StreamState): number => (a.selector < b.selector ? -1 : a.selector > b.selector ? 1 : 0);

/** A label's values in order, with their posting sets at the same index. */
interface SortedValues {
  values: string[];
  sets: Set<StreamState>[];
}

/** Below this share of all values, sorting the found values beats filtering the sorted list. */
const SORT_FOUND_BELOW = 1 / 16;

export class TenantState {
  /** Canonical selector → stream. */
  readonly bySelector = new Map<string, StreamState>();
  readonly byId = new Map<bigint, StreamState>();
  private readonly postings = new Map<string, Map<string, Set<StreamState>>>();
  /** Sorted label names, and sorted values per name; dropped when the postings gain or lose one. */
  private sortedNames: string[] | undefined;
  private readonly sortedValues = new Map<string, SortedValues>();

  constructor(readonly tenant: string) {}

  add(s: StreamState): void {
    this.bySelector.set(s.selector, s);
    this.byId.set(s.id, s);
    this.index(s);
  }

  /** Puts the stream in the postings (idempotent). */
  index(s: StreamState): void {
    for (const name in s.labels) {
      const value = s.labels[name]!;
      let values = this.postings.get(name);
      if (!values) {
        this.postings.set(name, (values = new Map()));
        this.sortedNames = undefined;
      }
      let set = values.get(value);
      if (!set) {
        values.set(value, (set = new Set()));
        this.sortedValues.delete(name);
      }
      set.add(s);
    }
  }

  /**
   * Takes an empty stream out of the postings. Its id and flushed LSN stay registered, so old
   * WAL records can never resurrect it and its id is never reused for other labels.
   */
  unindex(s: StreamState): void {
    for (const name in s.labels) {
      const values = this.postings.get(name);
      const set = values?.get(s.labels[name]!);
      if (!set) continue;
      set.delete(s);
      if (set.size > 0) continue;
      values!.delete(s.labels[name]!);
      this.sortedValues.delete(name);
      if (values!.size === 0) {
        this.postings.delete(name);
        this.sortedNames = undefined;
      }
    }
  }

  /** Streams satisfying every matcher with data in the range, sorted by id. */
  select(matchers: readonly Matcher[], range: TimeRange): StreamState[] {
    return this.matching(matchers, range).sort(byId);
  }

  /**
   * Streams satisfying every matcher with data in the range, in no particular order. Candidates
   * come from the postings of the matcher that needs the label and has the fewest streams; the
   * other matchers filter them (regexps through their set of passing values).
   */
  matching(matchers: readonly Matcher[], range: TimeRange): StreamState[] {
    const plans = matchers.map((m) => this.plan(m));
    let base: MatcherPlan | undefined;
    for (const p of plans) {
      if (p.matchesMissing) continue;
      if (p.size === 0) return [];
      if (!base || p.size < base.size) base = p;
    }
    const rest = plans.filter((p) => p !== base);
    const out: StreamState[] = [];
    const consider = (s: StreamState) => {
      if (!s.overlaps(range)) return;
      for (const p of rest) {
        const v = s.labels[p.name];
        const ok = v === undefined ? p.matchesMissing : p.accepted ? p.accepted.has(v) : p.test(v);
        if (!ok) return;
      }
      out.push(s);
    };
    if (base) {
      for (const set of base.sets) for (const s of set) consider(s);
    } else {
      for (const s of this.byId.values()) consider(s);
    }
    return out;
  }

  private plan(m: Matcher): MatcherPlan {
    const test = compileValueMatcher(m);
    const plan: MatcherPlan = { name: m.name, test, matchesMissing: test(''), accepted: undefined, sets: [], size: 0 };
    const values = this.postings.get(m.name);
    if (!values) return plan;
    const regexp = m.op === '=~' || m.op === '!~';
    if (regexp) plan.accepted = new Set();
    if (m.op === '=' && !plan.matchesMissing) {
      const set = values.get(m.value);
      if (set) plan.sets.push(set);
    } else if (regexp || !plan.matchesMissing) {
      for (const [value, set] of values) {
        if (!test(value)) continue;
        plan.accepted?.add(value);
        if (!plan.matchesMissing) plan.sets.push(set);
      }
    }
    for (const set of plan.sets) plan.size += set.size;
    return plan;
  }

  /** Label names of the matching streams with data in the range, sorted. */
  labelNames(matchers: readonly Matcher[], range: TimeRange): string[] {
    if (matchers.length === 0) {
      return this.names().filter((name) => {
        for (const set of this.postings.get(name)!.values()) if (someOverlaps(set, range)) return true;
        return false;
      });
    }
    const found = new Set<string>();
    for (const s of this.matching(matchers, range)) {
      for (const name in s.labels) found.add(name);
      if (found.size === this.postings.size) break;
    }
    return [...found].sort();
  }

  /** Values of one label over the matching streams with data in the range, sorted. */
  labelValues(name: string, matchers: readonly Matcher[], range: TimeRange): string[] {
    const values = this.postings.get(name);
    if (!values) return [];
    if (matchers.length === 0) {
      const sorted = this.values(name, values);
      const out: string[] = [];
      for (let i = 0; i < sorted.values.length; i++) if (someOverlaps(sorted.sets[i]!, range)) out.push(sorted.values[i]!);
      return out;
    }
    const found = new Set<string>();
    for (const s of this.matching(matchers, range)) {
      const v = s.labels[name];
      if (v !== undefined) found.add(v);
    }
    if (found.size < values.size * SORT_FOUND_BELOW) return [...found].sort();
    return this.values(name, values).values.filter((v) => found.has(v));
  }

  /** Streams matching any of the matcher sets with data in the range, sorted by selector. */
  series(matcherSets: readonly (readonly Matcher[])[], range: TimeRange): StreamState[] {
    if (matcherSets.length === 1) return this.matching(matcherSets[0]!, range).sort(bySelector);
    const found = new Set<StreamState>();
    for (const matchers of matcherSets) for (const s of this.matching(matchers, range)) found.add(s);
    return [...found].sort(bySelector);
  }

  private names(): string[] {
    this.sortedNames ??= [...this.postings.keys()].sort();
    return this.sortedNames;
  }

  private values(name: string, values: Map<string, Set<StreamState>>): SortedValues {
    let sorted = this.sortedValues.get(name);
    if (!sorted) {
      const keys = [...values.keys()].sort();
      sorted = { values: keys, sets: keys.map((v) => values.get(v)!) };
      this.sortedValues.set(name, sorted);
    }
    return sorted;
  }
}

/** Whether some stream of a posting set has data in the range (usually the first one looked at). */
function someOverlaps(set: Set<StreamState>, range: TimeRange): boolean {
  for (const s of set) if (s.overlaps(range)) return true;
  return false;
}
