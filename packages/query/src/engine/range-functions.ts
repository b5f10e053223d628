/**
 * The math of range aggregations over the samples of one window, as Loki computes it
 * (`pkg/logql/range_vector.go`, which follows Prometheus' `functions.go`). Samples arrive as
 * parallel arrays of relative timestamps and values, `[lo, hi)` being the window.
 */
import type { RangeAggregationOp } from '../logql/ast.js';

export interface WindowSamples {
  /** Relative timestamps (ns, doubles), ascending. */
  readonly ts: ArrayLike<number>;
  readonly values: ArrayLike<number>;
  readonly lo: number;
  readonly hi: number;
}

/** Window geometry a function may need: the edges relative to the same origin as `ts`, and seconds. */
export interface WindowInfo {
  readonly start: number;
  readonly end: number;
  readonly rangeSeconds: number;
}

export type WindowFunction = (w: WindowSamples, info: WindowInfo) => number;

export function sumOverTime(w: WindowSamples): number {
  let sum = 0;
  for (let i = w.lo; i < w.hi; i++) sum += w.values[i] as number;
  return sum;
}

/** Incremental mean, as Loki (keeps precision and avoids overflow for huge values). */
export function avgOverTime(w: WindowSamples): number {
  let mean = 0;
  let count = 0;
  for (let i = w.lo; i < w.hi; i++) {
    const v = w.values[i] as number;
    count++;
    if (!Number.isFinite(mean) && !Number.isNaN(mean)) {
      // Once the mean is infinite, only a NaN or an opposite infinity can change it.
      if (Number.isNaN(v) || (!Number.isFinite(v) && Math.sign(v) !== Math.sign(mean))) mean = NaN;
      continue;
    }
    mean += v / count - mean / count;
  }
  return mean;
}

export function minOverTime(w: WindowSamples): number {
  let min = w.values[w.lo] as number;
  for (let i = w.lo; i < w.hi; i++) {
    const v = w.values[i] as number;
    if (v < min || Number.isNaN(min)) min = v;
  }
  return min;
}

export function maxOverTime(w: WindowSamples): number {
  let max = w.values[w.lo] as number;
  for (let i = w.lo; i < w.hi; i++) {
    const v = w.values[i] as number;
    if (v > max || Number.isNaN(max)) max = v;
  }
  return max;
}

/** Population variance with Welford's update, as Loki's `stdvarOverTime`. */
export function stdvarOverTime(w: WindowSamples): number {
  let aux = 0;
  let count = 0;
  let mean = 0;
  for (let i = w.lo; i < w.hi; i++) {
    const v = w.values[i] as number;
    count++;
    const delta = v - mean;
    mean += delta / count;
    aux += delta * (v - mean);
  }
  return aux / count;
}

export function stddevOverTime(w: WindowSamples): number {
  return Math.sqrt(stdvarOverTime(w));
}

export function firstOverTime(w: WindowSamples): number {
  return w.values[w.lo] as number;
}

export function lastOverTime(w: WindowSamples): number {
  return w.values[w.hi - 1] as number;
}

/** Prometheus' `quantile`: linear interpolation between the closest ranks. */
export function quantile(q: number, values: number[]): number {
  if (values.length === 0 || Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  values.sort((a, b) => (Number.isNaN(a) ? -1 : Number.isNaN(b) ? 1 : a - b));
  const n = values.length;
  const rank = q * (n - 1);
  const lower = Math.max(0, Math.floor(rank));
  const upper = Math.min(n - 1, lower + 1);
  const weight = rank - Math.floor(rank);
  return (values[lower] as number) * (1 - weight) + (values[upper] as number) * weight;
}

/** Scratch for `quantileOverTime`, grown as needed (windows are evaluated one at a time). */
let scratch = new Float64Array(1024);

/**
 * `quantile` over a window without sorting it: the two ranks it interpolates between are found by
 * selection in a reused buffer (NaNs rank first, as in `quantile`'s sort).
 */
export function quantileOverTime(q: number): WindowFunction {
  return (w) => {
    const n = w.hi - w.lo;
    if (n === 0 || Number.isNaN(q)) return NaN;
    if (q < 0) return -Infinity;
    if (q > 1) return Infinity;
    if (scratch.length < n) scratch = new Float64Array(Math.max(n, scratch.length * 2));
    const a = scratch;
    let nans = 0;
    let m = 0;
    for (let i = w.lo; i < w.hi; i++) {
      const v = w.values[i] as number;
      if (v !== v) nans++;
      else a[m++] = v;
    }
    const rank = q * (n - 1);
    const lower = Math.max(0, Math.floor(rank));
    const upper = Math.min(n - 1, lower + 1);
    const weight = rank - Math.floor(rank);
    let lo: number;
    let hi: number;
    if (upper < nans) lo = hi = NaN;
    else if (lower < nans) {
      lo = NaN;
      hi = select(a, m, upper - nans);
    } else {
      const k = lower - nans;
      lo = select(a, m, k);
      // After the selection every element past k is ≥ a[k]: the next rank is their minimum.
      hi = lo;
      if (upper > lower) {
        hi = a[k + 1] as number;
        for (let i = k + 2; i < m; i++) if ((a[i] as number) < hi) hi = a[i] as number;
      }
    }
    return lo * (1 - weight) + hi * weight;
  };
}

/** The k-th smallest of a[0..n) (no NaNs), leaving smaller ones before k and larger ones after (Hoare/Wirth). */
function select(a: Float64Array, n: number, k: number): number {
  let l = 0;
  let r = n - 1;
  while (l < r) {
    const x = a[l] as number;
    const y = a[(l + r) >>> 1] as number;
    const z = a[r] as number;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = l;
    let j = r;
    while (i <= j) {
      while ((a[i] as number) < pivot) i++;
      while ((a[j] as number) > pivot) j--;
      if (i <= j) {
        const t = a[i] as number;
        a[i] = a[j] as number;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) r = j;
    else if (k >= i) l = i;
    else break;
  }
  return a[k] as number;
}

/**
 * `rate_counter`: Prometheus' extrapolated counter rate (resets add the pre-drop value back,
 * extrapolation to the window edges capped at half an average interval and at the counter's zero
 * point). A single sample gives 0, as Loki.
 */
export function rateCounter(w: WindowSamples, info: WindowInfo): number {
  const n = w.hi - w.lo;
  if (n < 2) return 0;
  const firstT = w.ts[w.lo] as number;
  const lastT = w.ts[w.hi - 1] as number;
  const firstV = w.values[w.lo] as number;
  const lastV = w.values[w.hi - 1] as number;
  let result = lastV - firstV;
  let prev = 0;
  for (let i = w.lo; i < w.hi; i++) {
    const v = w.values[i] as number;
    if (v < prev) result += prev;
    prev = v;
  }
  let toStart = (firstT - info.start) / 1e9;
  let toEnd = (info.end - lastT) / 1e9;
  const sampled = (lastT - firstT) / 1e9;
  const avgInterval = sampled / (n - 1);
  const threshold = avgInterval * 1.1;
  if (toStart >= threshold) toStart = avgInterval / 2;
  if (result > 0 && firstV >= 0) {
    const toZero = sampled * (firstV / result);
    if (toZero < toStart) toStart = toZero;
  }
  if (toEnd >= threshold) toEnd = avgInterval / 2;
  const factor = (sampled + toStart + toEnd) / sampled / info.rangeSeconds;
  return result * factor;
}

/** The function of an unwrapped (value-carrying) range aggregation. */
export function valueFunction(op: RangeAggregationOp, param: number | undefined): WindowFunction {
  switch (op) {
    case 'rate':
      return (w, info) => sumOverTime(w) / info.rangeSeconds;
    case 'rate_counter':
      return rateCounter;
    case 'sum_over_time':
      return sumOverTime;
    case 'avg_over_time':
      return avgOverTime;
    case 'min_over_time':
      return minOverTime;
    case 'max_over_time':
      return maxOverTime;
    case 'stdvar_over_time':
      return stdvarOverTime;
    case 'stddev_over_time':
      return stddevOverTime;
    case 'quantile_over_time':
      return quantileOverTime(param ?? NaN);
    case 'first_over_time':
      return firstOverTime;
    case 'last_over_time':
      return lastOverTime;
    case 'count_over_time':
    // Only whether a window holds a sample matters; `absentSeries` inverts it.
    case 'absent_over_time':
      return (w) => w.hi - w.lo;
    case 'bytes_over_time':
    case 'bytes_rate':
      throw new Error(`${op} does not aggregate unwrapped values`);
  }
}
