/**
 * Vector aggregations (`sum avg min max count stddev stdvar topk bottomk sort sort_desc`), applied
 * step by step across series with Loki's (Prometheus') arithmetic.
 */
import type { Labels } from '@lode/store';
import type { VectorAggregationExpr } from '../logql/ast.js';
import { grouper, labelsKey } from './labels.js';
import { newSeries, type StepSeries } from './series.js';

interface Group {
  labels: Labels;
  value: Float64Array;
  mean: Float64Array;
  count: Float64Array;
}

export function aggregateVectors(expr: VectorAggregationExpr, input: StepSeries[], steps: number): StepSeries[] {
  switch (expr.op) {
    case 'topk':
    case 'bottomk':
    case 'approx_topk':
      return selectK(expr, input, steps);
    case 'sort':
    case 'sort_desc':
      return sortByValue(input, expr.op === 'sort_desc');
    default:
      return reduceGroups(expr, input, steps);
  }
}

function reduceGroups(expr: VectorAggregationExpr, input: StepSeries[], steps: number): StepSeries[] {
  const project = grouper(expr.grouping);
  const groups = new Map<string, Group>();
  const op = expr.op;
  for (const s of input) {
    const labels = project(s.labels);
    const key = labelsKey(labels);
    let g = groups.get(key);
    if (!g) {
      g = { labels, value: new Float64Array(steps), mean: new Float64Array(steps), count: new Float64Array(steps) };
      groups.set(key, g);
    }
    for (let i = 0; i < steps; i++) {
      if (!s.present[i]) continue;
      const v = s.values[i] as number;
      const n = (g.count[i] as number) + 1;
      g.count[i] = n;
      if (n === 1) {
        g.value[i] = op === 'stddev' || op === 'stdvar' ? 0 : v;
        g.mean[i] = v;
        continue;
      }
      switch (op) {
        case 'sum':
          g.value[i] = (g.value[i] as number) + v;
          break;
        case 'min': {
          const cur = g.value[i] as number;
          if (cur > v || Number.isNaN(cur)) g.value[i] = v;
          break;
        }
        case 'max': {
          const cur = g.value[i] as number;
          if (cur < v || Number.isNaN(cur)) g.value[i] = v;
          break;
        }
        case 'avg': {
          const mean = g.mean[i] as number;
          if (isInf(mean)) {
            if (isInf(v) && Math.sign(v) === Math.sign(mean)) break;
            if (!isInf(v) && !Number.isNaN(v)) break;
          }
          g.mean[i] = mean + v / n - mean / n;
          break;
        }
        case 'stddev':
        case 'stdvar': {
          const mean = g.mean[i] as number;
          const delta = v - mean;
          const newMean = mean + delta / n;
          g.mean[i] = newMean;
          g.value[i] = (g.value[i] as number) + delta * (v - newMean);
          break;
        }
        default:
          break;
      }
    }
  }
  const out: StepSeries[] = [];
  for (const g of groups.values()) {
    const s = newSeries(g.labels, steps);
    for (let i = 0; i < steps; i++) {
      const n = g.count[i] as number;
      if (n === 0) continue;
      s.present[i] = 1;
      switch (op) {
        case 'avg':
          s.values[i] = g.mean[i] as number;
          break;
        case 'count':
          s.values[i] = n;
          break;
        case 'stdvar':
          s.values[i] = (g.value[i] as number) / n;
          break;
        case 'stddev':
          s.values[i] = Math.sqrt((g.value[i] as number) / n);
          break;
        default:
          s.values[i] = g.value[i] as number;
      }
    }
    out.push(s);
  }
  return out;
}

function isInf(v: number): boolean {
  return v === Infinity || v === -Infinity;
}

/** topk/bottomk: per group and step, the k largest (smallest) samples keep their own labels. */
function selectK(expr: VectorAggregationExpr, input: StepSeries[], steps: number): StepSeries[] {
  const k = Math.floor(expr.param ?? 0);
  if (k < 1) return [];
  const bottom = expr.op === 'bottomk';
  const project = grouper(expr.grouping);
  const groupOf = new Map<string, number[]>();
  input.forEach((s, idx) => {
    const key = labelsKey(project(s.labels));
    const members = groupOf.get(key);
    if (members) members.push(idx);
    else groupOf.set(key, [idx]);
  });
  const out: (StepSeries | undefined)[] = new Array(input.length);
  // NaN ranks below every number for both topk and bottomk, as in Prometheus.
  const better = (a: number, b: number): boolean => {
    if (Number.isNaN(a)) return false;
    if (Number.isNaN(b)) return true;
    return bottom ? a < b : a > b;
  };
  const chosen: number[] = [];
  for (const members of groupOf.values()) {
    for (let i = 0; i < steps; i++) {
      chosen.length = 0;
      for (const idx of members) {
        const s = input[idx] as StepSeries;
        if (!s.present[i]) continue;
        const v = s.values[i] as number;
        if (chosen.length < k) {
          chosen.push(idx);
          continue;
        }
        // Replace the current worst when this sample beats it.
        let worst = 0;
        for (let j = 1; j < chosen.length; j++) {
          if (better(valueAt(input, chosen[worst] as number, i), valueAt(input, chosen[j] as number, i))) worst = j;
        }
        if (better(v, valueAt(input, chosen[worst] as number, i))) chosen[worst] = idx;
      }
      for (const idx of chosen) {
        const src = input[idx] as StepSeries;
        let dst = out[idx];
        if (!dst) {
          dst = newSeries(src.labels, steps);
          out[idx] = dst;
        }
        dst.values[i] = src.values[i] as number;
        dst.present[i] = 1;
      }
    }
  }
  const result = out.filter((s): s is StepSeries => s !== undefined);
  // For an instant query the order is meaningful: best first, as Loki returns it.
  if (steps === 1) result.sort((a, b) => (better(a.values[0] as number, b.values[0] as number) ? -1 : better(b.values[0] as number, a.values[0] as number) ? 1 : 0));
  return result;
}

function valueAt(input: StepSeries[], idx: number, step: number): number {
  return (input[idx] as StepSeries).values[step] as number;
}

/** sort/sort_desc change only the order of an instant vector; NaN goes last either way. */
function sortByValue(input: StepSeries[], desc: boolean): StepSeries[] {
  const first = (s: StepSeries): number => s.values[0] as number;
  return [...input].sort((a, b) => {
    const x = first(a);
    const y = first(b);
    if (Number.isNaN(x)) return Number.isNaN(y) ? 0 : 1;
    if (Number.isNaN(y)) return -1;
    return desc ? y - x : x - y;
  });
}
