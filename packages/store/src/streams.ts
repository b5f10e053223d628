/**
 * The in-memory stream registry of each tenant: every known stream with its labels, time span,
 * head block and blocks being flushed, plus in-memory postings (name → value → streams) mirroring
 * the LMDB postings, so selection never waits on I/O. Stream counts are bounded by
 * `max_global_streams_per_user`, which is what makes keeping all of them resident reasonable.
 */
import type { Labels, Matcher, StreamRef, TimeRange } from './model.js';
import { HeadBlock } from './head.js';
import { compileMatcher, type LabelPredicate } from './matchers.js';
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

  inMemory(): boolean {
    return this.head.length > 0 || this.flushing.length > 0;
  }
}

export class TenantState {
  /** Canonical selector → stream. */
  readonly bySelector = new Map<string, StreamState>();
  readonly byId = new Map<bigint, StreamState>();
  private readonly postings = new Map<string, Map<string, Set<StreamState>>>();

  constructor(readonly tenant: string) {}

  add(s: StreamState): void {
    this.bySelector.set(s.selector, s);
    this.byId.set(s.id, s);
    this.index(s);
  }

  /** Puts the stream in the postings (idempotent). */
  index(s: StreamState): void {
    for (const [name, value] of Object.entries(s.labels)) {
      let values = this.postings.get(name);
      if (!values) this.postings.set(name, (values = new Map()));
      let set = values.get(value);
      if (!set) values.set(value, (set = new Set()));
      set.add(s);
    }
  }

  /**
   * Takes an empty stream out of the postings. Its id and flushed LSN stay registered, so old
   * WAL records can never resurrect it and its id is never reused for other labels.
   */
  unindex(s: StreamState): void {
    for (const [name, value] of Object.entries(s.labels)) {
      const values = this.postings.get(name);
      const set = values?.get(value);
      if (!set) continue;
      set.delete(s);
      if (set.size === 0) values!.delete(value);
      if (values!.size === 0) this.postings.delete(name);
    }
  }

  /**
   * Streams satisfying every matcher with data in the range, sorted by id. Equality matchers
   * pick candidates from postings (smallest set first); the rest filter the candidates.
   */
  select(matchers: readonly Matcher[], range: TimeRange): StreamState[] {
    let candidates: Set<StreamState> | undefined;
    let chosen: Matcher | undefined;
    for (const m of matchers) {
      if (m.op !== '=' || m.value === '') continue;
      const set = this.postings.get(m.name)?.get(m.value);
      if (!set) return [];
      if (!candidates || set.size < candidates.size) {
        candidates = set;
        chosen = m;
      }
    }
    const rest: LabelPredicate[] = matchers.filter((m) => m !== chosen).map(compileMatcher);
    const out: StreamState[] = [];
    for (const s of candidates ?? this.byId.values()) {
      if (!s.overlaps(range)) continue;
      let ok = true;
      for (const p of rest) {
        if (!p(s.labels)) {
          ok = false;
          break;
        }
      }
      if (ok) out.push(s);
    }
    return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
}
