/**
 * The evaluation grid of a metric query: the instants T_i = start + i·step (i < count) at which
 * every series gets (at most) one sample. An instant query is a grid of one point.
 */
export interface StepGrid {
  /** First evaluation time, unix ns. */
  readonly start: bigint;
  /** Distance between evaluation times, ns (> 0; 1 for an instant query). */
  readonly step: bigint;
  /** Number of evaluation times. */
  readonly count: number;
}

/**
 * Loki's step alignment for range queries: evaluation times are multiples of `step`, from start
 * rounded down to end rounded up (what Loki 3.4 answers, e.g. step 37s over 00:00–02:00 ends at
 * 02:00:26).
 */
export function alignedGrid(start: bigint, end: bigint, step: bigint): StepGrid {
  const s = floorTo(start, step);
  const f = floorTo(end, step);
  const e = f === end ? f : f + step;
  return { start: s, step, count: e < s ? 0 : Number((e - s) / step) + 1 };
}

/** The grid as given: start, start + step, … up to end (what an unsplit Loki query evaluates). */
export function plainGrid(start: bigint, end: bigint, step: bigint): StepGrid {
  return { start, step, count: end < start ? 0 : Number((end - start) / step) + 1 };
}

export function instantGrid(time: bigint): StepGrid {
  return { start: time, step: 1n, count: 1 };
}

export function stepTime(grid: StepGrid, i: number): bigint {
  return grid.start + BigInt(i) * grid.step;
}

function floorTo(t: bigint, step: bigint): bigint {
  const r = t % step;
  return r < 0n ? t - r - step : t - r;
}

/**
 * The windows `(T_i − offset − range, T_i − offset]` of a range aggregation, in a coordinate
 * system relative to the right edge of the first window, as float64 nanoseconds: the relative
 * span of any valid query (≤ ~100 days) is exact in a double, which keeps the per-entry window
 * arithmetic free of bigint allocations.
 */
export class WindowGrid {
  /** Right edge of window 0 (T_0 − offset), unix ns. */
  readonly origin: bigint;
  readonly step: number;
  readonly range: number;
  readonly count: number;
  /** [from, to) of the entries any window can hold, unix ns, for the store read. */
  readonly from: bigint;
  readonly to: bigint;

  constructor(grid: StepGrid, range: bigint, offset: bigint) {
    this.origin = grid.start - offset;
    this.step = Number(grid.step);
    this.range = Number(range);
    this.count = grid.count;
    this.from = this.origin - range + 1n;
    this.to = this.origin + BigInt(Math.max(grid.count - 1, 0)) * grid.step + 1n;
  }

  rel(ts: bigint): number {
    return Number(ts - this.origin);
  }

  /** Index of the first window whose right edge (i·step) is ≥ t. */
  firstRightEdgeAtOrAfter(t: number): number {
    if (t <= 0) return 0;
    return ceilDiv(t, this.step);
  }

  /** Index of the first window whose left edge (i·step − range) is ≥ t. */
  firstLeftEdgeAtOrAfter(t: number): number {
    const x = t + this.range;
    if (x <= 0) return 0;
    return ceilDiv(x, this.step);
  }
}

/** ⌈a / b⌉ for non-negative integers held in doubles, corrected for rounding of the quotient. */
function ceilDiv(a: number, b: number): number {
  let q = Math.ceil(a / b);
  if ((q - 1) * b >= a) q--;
  else if (q * b < a) q++;
  return q;
}
