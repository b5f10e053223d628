/**
 * Range aggregations over a stream of samples that arrive in time order per series, evaluated
 * on the windows of a `WindowGrid` in bounded memory:
 *
 * - counting ops (`count_over_time`, `rate`, `bytes_*`, `absent_over_time`) keep two running
 *   histograms per series — samples binned by the first right window edge at or after them and
 *   by the first left edge at or after them — so a window's count is a difference of prefix sums:
 *   O(1) per sample, O(steps) memory, and whole chunks can be added from their summaries.
 * - value ops (unwrap) keep only the samples of the current window per series and emit each step
 *   as soon as a later sample (or the end) proves the window complete.
 */
import type { Labels } from '@lode/store';
import type { Grouping, RangeAggregationExpr } from '../logql/ast.js';
import { errors } from './errors.js';
import type { WindowGrid } from './grid.js';
import { ERROR_LABEL, grouper, labelsKey } from './labels.js';
import { valueFunction, type WindowFunction, type WindowInfo } from './range-functions.js';
import { newSeries, type StepSeries } from './series.js';

export type RangeOp = RangeAggregationExpr['op'];

const COUNTING: ReadonlySet<RangeOp> = new Set<RangeOp>([
  'count_over_time',
  'rate',
  'bytes_over_time',
  'bytes_rate',
  'absent_over_time',
]);

/** Whether `op` (without unwrap) only needs per-window counts or byte sums. */
export function isCountingOp(op: RangeOp, unwrapped: boolean): boolean {
  return !unwrapped && COUNTING.has(op);
}

/**
 * A counting series starts sparse (most series of a metadata-rich stream hold a sample or two):
 * its samples are kept as (first window, past window, entries, bytes) quadruples and only turned
 * into the binned histograms once there are more than `DENSE_AFTER` of them.
 */
interface CountingState {
  labels: Labels;
  sparse: number[] | undefined;
  /** Entries binned by first right edge ≥ t (index 0..count-1). */
  right: Float64Array | undefined;
  /** Entries binned by first left edge ≥ t (index 1..count-1; later edges are past the grid). */
  left: Float64Array | undefined;
  /** The same for line bytes (bytes ops only). */
  rightBytes: Float64Array | undefined;
  leftBytes: Float64Array | undefined;
}

const DENSE_AFTER = 16;

interface ValueState {
  labels: Labels;
  ts: number[];
  vs: number[];
  head: number;
  /** Next step index not yet emitted. */
  next: number;
  out: StepSeries;
}

export interface RangeAggregatorOptions {
  op: RangeOp;
  param?: number;
  grid: WindowGrid;
  unwrapped: boolean;
  /** `by`/`without` written on the range aggregation itself (unwrapped ops only). */
  grouping?: Grouping;
  /** Samples carrying `__error__` are kept as series instead of failing the query. */
  preserveErrors: boolean;
}

export class RangeAggregator {
  private readonly counting: boolean;
  private readonly countWeight: 'count' | 'bytes';
  private readonly group: ((l: Labels) => Labels) | undefined;
  private readonly fn: WindowFunction | undefined;
  private readonly countingSeries = new Map<string, CountingState>();
  private readonly valueSeries = new Map<string, ValueState>();
  private readonly grid: WindowGrid;
  private readonly groupCache = new WeakMap<Labels, Labels>();
  /** Samples that fell into at least one window. */
  samples = 0;

  constructor(private readonly opts: RangeAggregatorOptions) {
    this.grid = opts.grid;
    this.counting = isCountingOp(opts.op, opts.unwrapped);
    this.countWeight = opts.op === 'bytes_over_time' || opts.op === 'bytes_rate' ? 'bytes' : 'count';
    this.group = opts.grouping ? grouper(opts.grouping) : undefined;
    this.fn = this.counting ? undefined : valueFunction(opts.op, opts.param);
  }

  /** Number of distinct series so far. */
  get seriesCount(): number {
    return this.counting ? this.countingSeries.size : this.valueSeries.size;
  }

  /**
   * Adds one sample. `value` is the unwrapped value (ignored by counting ops), `bytes` the line
   * length in bytes. Samples of one series must come in non-decreasing time order.
   */
  add(labels: Labels, ts: bigint, value: number, bytes: number): void {
    const g = this.grid;
    const t = g.rel(ts);
    const firstWindow = g.firstRightEdgeAtOrAfter(t);
    const pastWindows = g.firstLeftEdgeAtOrAfter(t);
    // In window i iff firstWindow ≤ i < pastWindows; with step > range a sample can be in none.
    if (firstWindow >= pastWindows || firstWindow >= g.count) return;
    this.samples++;
    const seriesLabels = this.seriesLabels(labels);
    if (this.counting) this.addCounting(seriesLabels, firstWindow, pastWindows, 1, bytes);
    else this.addValue(seriesLabels, t, value, firstWindow);
  }

  /**
   * Adds a whole chunk from its summary when every entry of it falls into exactly the same set of
   * windows, which makes the result identical to adding the entries one by one. Returns false
   * (and adds nothing) otherwise; the caller then decodes the chunk.
   */
  addSummary(labels: Labels, minTs: bigint, maxTs: bigint, entries: number, bytes: number): boolean {
    if (!this.counting) return false;
    const g = this.grid;
    const lo = g.rel(minTs);
    const hi = g.rel(maxTs);
    const a = g.firstRightEdgeAtOrAfter(lo);
    const b = g.firstLeftEdgeAtOrAfter(lo);
    if (a !== g.firstRightEdgeAtOrAfter(hi) || b !== g.firstLeftEdgeAtOrAfter(hi)) return false;
    if (a >= b || a >= g.count) return true;
    this.samples += entries;
    this.addCounting(this.seriesLabels(labels), a, b, entries, bytes);
    return true;
  }

  private seriesLabels(labels: Labels): Labels {
    const err = labels[ERROR_LABEL];
    if (err !== undefined && err !== '') {
      if (!this.opts.preserveErrors) throw errors.pipeline(labels);
      // Loki keeps the full label set of an erroring sample so the error is not grouped away.
      return labels;
    }
    if (!this.group) return labels;
    // Pipelines intern their label sets, so grouping each distinct set once is enough.
    let grouped = this.groupCache.get(labels);
    if (!grouped) {
      grouped = this.group(labels);
      this.groupCache.set(labels, grouped);
    }
    return grouped;
  }

  private addCounting(labels: Labels, firstWindow: number, pastWindows: number, entries: number, bytes: number): void {
    const key = labelsKey(labels);
    let s = this.countingSeries.get(key);
    if (!s) {
      s = { labels, sparse: [], right: undefined, left: undefined, rightBytes: undefined, leftBytes: undefined };
      this.countingSeries.set(key, s);
    }
    if (s.sparse) {
      s.sparse.push(firstWindow, pastWindows, entries, bytes);
      if (s.sparse.length <= DENSE_AFTER * 4) return;
      const pending = s.sparse;
      s.sparse = undefined;
      const n = this.grid.count;
      s.right = new Float64Array(n);
      s.left = new Float64Array(n);
      if (this.countWeight === 'bytes') {
        s.rightBytes = new Float64Array(n);
        s.leftBytes = new Float64Array(n);
      }
      for (let k = 0; k < pending.length; k += 4) {
        this.bin(s, pending[k] as number, pending[k + 1] as number, pending[k + 2] as number, pending[k + 3] as number);
      }
      return;
    }
    this.bin(s, firstWindow, pastWindows, entries, bytes);
  }

  private bin(s: CountingState, firstWindow: number, pastWindows: number, entries: number, bytes: number): void {
    const right = s.right as Float64Array;
    const left = s.left as Float64Array;
    right[firstWindow] = (right[firstWindow] as number) + entries;
    if (s.rightBytes) s.rightBytes[firstWindow] = (s.rightBytes[firstWindow] as number) + bytes;
    if (pastWindows < this.grid.count) {
      left[pastWindows] = (left[pastWindows] as number) + entries;
      if (s.leftBytes) s.leftBytes[pastWindows] = (s.leftBytes[pastWindows] as number) + bytes;
    }
  }

  private addValue(labels: Labels, t: number, value: number, firstWindow: number): void {
    const key = labelsKey(labels);
    let s = this.valueSeries.get(key);
    if (!s) {
      s = { labels, ts: [], vs: [], head: 0, next: firstWindow, out: newSeries(labels, this.grid.count) };
      this.valueSeries.set(key, s);
    }
    this.emitBefore(s, t);
    if (s.head === s.ts.length) {
      // Nothing buffered: skip straight to the first window holding this sample.
      s.ts.length = 0;
      s.vs.length = 0;
      s.head = 0;
      if (s.next < firstWindow) s.next = firstWindow;
    }
    s.ts.push(t);
    s.vs.push(value);
  }

  /** Emits every pending step whose window ends before `t` (those windows are complete). */
  private emitBefore(s: ValueState, t: number): void {
    const g = this.grid;
    while (s.next < g.count && s.next * g.step < t) {
      this.emitStep(s, s.next);
      s.next++;
      if (s.head === s.ts.length) return;
    }
  }

  private emitStep(s: ValueState, i: number): void {
    const g = this.grid;
    const end = i * g.step;
    const start = end - g.range;
    while (s.head < s.ts.length && (s.ts[s.head] as number) <= start) s.head++;
    if (s.head > 1024 && s.head * 2 > s.ts.length) {
      s.ts.splice(0, s.head);
      s.vs.splice(0, s.head);
      s.head = 0;
    }
    let hi = s.head;
    while (hi < s.ts.length && (s.ts[hi] as number) <= end) hi++;
    if (hi === s.head) return;
    const info: WindowInfo = { start, end, rangeSeconds: g.range / 1e9 };
    s.out.values[i] = (this.fn as WindowFunction)({ ts: s.ts, values: s.vs, lo: s.head, hi }, info);
    s.out.present[i] = 1;
  }

  /** The per-step results of every series (for counting ops: counts or byte sums, not yet rates). */
  finish(): StepSeries[] {
    const g = this.grid;
    const out: StepSeries[] = [];
    if (this.counting) {
      const perSecond = this.opts.op === 'rate' || this.opts.op === 'bytes_rate';
      const seconds = g.range / 1e9;
      const useBytes = this.countWeight === 'bytes';
      for (const s of this.countingSeries.values()) {
        const series = newSeries(s.labels, g.count);
        if (s.sparse) {
          // values holds the weight, a scratch array the entry counts (presence).
          const counts = new Float64Array(g.count);
          for (let k = 0; k < s.sparse.length; k += 4) {
            const end = Math.min(s.sparse[k + 1] as number, g.count);
            const entries = s.sparse[k + 2] as number;
            const w = useBytes ? (s.sparse[k + 3] as number) : entries;
            for (let i = s.sparse[k] as number; i < end; i++) {
              counts[i] = (counts[i] as number) + entries;
              series.values[i] = (series.values[i] as number) + w;
            }
          }
          for (let i = 0; i < g.count; i++) {
            if ((counts[i] as number) > 0) {
              series.present[i] = 1;
              if (perSecond) series.values[i] = (series.values[i] as number) / seconds;
            }
          }
          out.push(series);
          continue;
        }
        const right = s.right as Float64Array;
        const left = s.left as Float64Array;
        let inRight = 0;
        let inLeft = 0;
        let bytesRight = 0;
        let bytesLeft = 0;
        for (let i = 0; i < g.count; i++) {
          inRight += right[i] as number;
          inLeft += left[i] as number;
          if (s.rightBytes && s.leftBytes) {
            bytesRight += s.rightBytes[i] as number;
            bytesLeft += s.leftBytes[i] as number;
          }
          const n = inRight - inLeft;
          if (n > 0) {
            const w = s.rightBytes ? bytesRight - bytesLeft : n;
            series.values[i] = perSecond ? w / seconds : w;
            series.present[i] = 1;
          }
        }
        out.push(series);
      }
      return out;
    }
    for (const s of this.valueSeries.values()) {
      while (s.next < g.count && s.head < s.ts.length) {
        this.emitStep(s, s.next);
        s.next++;
      }
      out.push(s.out);
    }
    return out;
  }
}
