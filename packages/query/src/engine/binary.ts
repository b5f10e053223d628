/**
 * Binary operators between scalars and vectors, step by step, with Prometheus' vector matching
 * (`on`/`ignoring`, `group_left`/`group_right`, `bool`) and Loki's arithmetic (x/0 and x%0 are NaN).
 */
import type { Labels } from '@lode/store';
import type { BinaryOp, BinaryOpExpr, VectorMatching } from '../logql/ast.js';
import { errors } from './errors.js';
import { keyIgnoring, keyOn, labelsKey } from './labels.js';
import { newSeries, type StepSeries, type StepValue } from './series.js';

const COMPARISON: ReadonlySet<BinaryOp> = new Set<BinaryOp>(['==', '!=', '>', '>=', '<', '<=']);
const SET_OPS: ReadonlySet<BinaryOp> = new Set<BinaryOp>(['and', 'or', 'unless']);

export function isComparison(op: BinaryOp): boolean {
  return COMPARISON.has(op);
}

/** The value of `l op r`; for comparisons 1 or 0. */
export function arithmetic(op: BinaryOp, l: number, r: number): number {
  switch (op) {
    case '+':
      return l + r;
    case '-':
      return l - r;
    case '*':
      return l * r;
    case '/':
      return r === 0 ? NaN : l / r;
    case '%':
      return r === 0 ? NaN : l % r;
    case '^':
      return Math.pow(l, r);
    case '==':
      return l === r ? 1 : 0;
    case '!=':
      return l !== r ? 1 : 0;
    case '>':
      return l > r ? 1 : 0;
    case '>=':
      return l >= r ? 1 : 0;
    case '<':
      return l < r ? 1 : 0;
    case '<=':
      return l <= r ? 1 : 0;
    default:
      return NaN;
  }
}

export function evaluateBinary(expr: BinaryOpExpr, left: StepValue, right: StepValue, steps: number): StepValue {
  const { op, returnBool } = expr;
  if (left.kind === 'scalar' && right.kind === 'scalar') {
    const values = new Float64Array(steps);
    for (let i = 0; i < steps; i++) values[i] = arithmetic(op, left.values[i] as number, right.values[i] as number);
    return { kind: 'scalar', values };
  }
  if (left.kind === 'vector' && right.kind === 'vector') {
    if (SET_OPS.has(op)) return { kind: 'vector', series: setOperation(op, expr.matching, left.series, right.series, steps) };
    return { kind: 'vector', series: vectorVector(expr, left.series, right.series, steps) };
  }
  const swap = left.kind === 'scalar';
  const vec = (swap ? right : left) as Extract<StepValue, { kind: 'vector' }>;
  const scalar = (swap ? left : right) as Extract<StepValue, { kind: 'scalar' }>;
  const comparison = isComparison(op);
  const out: StepSeries[] = [];
  for (const s of vec.series) {
    const r = newSeries(s.labels, steps);
    let any = false;
    for (let i = 0; i < steps; i++) {
      if (!s.present[i]) continue;
      const v = s.values[i] as number;
      const k = scalar.values[i] as number;
      const value = swap ? arithmetic(op, k, v) : arithmetic(op, v, k);
      if (comparison && !returnBool) {
        if (value === 0) continue;
        // The vector's own value survives a filtering comparison, whichever side it was on.
        r.values[i] = v;
      } else {
        r.values[i] = value;
      }
      r.present[i] = 1;
      any = true;
    }
    if (any) out.push(r);
  }
  return { kind: 'vector', series: out };
}

function signatureFn(matching: VectorMatching | undefined): (l: Labels) => string {
  if (!matching) return labelsKey;
  if (matching.on) {
    const names = [...matching.labels].sort();
    return (l) => keyOn(l, names);
  }
  const ignored = new Set(matching.labels);
  return (l) => keyIgnoring(l, ignored);
}

function setOperation(
  op: BinaryOp,
  matching: VectorMatching | undefined,
  left: StepSeries[],
  right: StepSeries[],
  steps: number,
): StepSeries[] {
  const sig = signatureFn(matching);
  const leftSigs = left.map((s) => sig(s.labels));
  const rightSigs = right.map((s) => sig(s.labels));
  const out: StepSeries[] = [];
  const leftOut = left.map((s) => newSeries(s.labels, steps));
  const rightOut = op === 'or' ? right.map((s) => newSeries(s.labels, steps)) : [];
  const seen = new Set<string>();
  for (let i = 0; i < steps; i++) {
    seen.clear();
    const other = op === 'or' ? leftSigs : rightSigs;
    const source = op === 'or' ? left : right;
    source.forEach((s, j) => {
      if (s.present[i]) seen.add(other[j] as string);
    });
    left.forEach((s, j) => {
      if (!s.present[i]) return;
      const matched = op === 'or' ? true : op === 'and' ? seen.has(leftSigs[j] as string) : !seen.has(leftSigs[j] as string);
      if (!matched) return;
      const o = leftOut[j] as StepSeries;
      o.values[i] = s.values[i] as number;
      o.present[i] = 1;
    });
    if (op === 'or') {
      right.forEach((s, j) => {
        if (!s.present[i] || seen.has(rightSigs[j] as string)) return;
        const o = rightOut[j] as StepSeries;
        o.values[i] = s.values[i] as number;
        o.present[i] = 1;
      });
    }
  }
  // A right series with the same label set as a left one (`sum(…) or vector(0)`) fills the
  // left's gaps: one output series per label set, as a range query's per-step merge gives.
  const byLabels = new Map<string, StepSeries>();
  for (const s of [...leftOut, ...rightOut]) {
    if (!s.present.some((p) => p)) continue;
    const key = labelsKey(s.labels);
    const prev = byLabels.get(key);
    if (!prev) {
      byLabels.set(key, s);
      out.push(s);
      continue;
    }
    for (let i = 0; i < steps; i++) {
      if (s.present[i] && !prev.present[i]) {
        prev.values[i] = s.values[i] as number;
        prev.present[i] = 1;
      }
    }
  }
  return out;
}

function vectorVector(expr: BinaryOpExpr, leftIn: StepSeries[], rightIn: StepSeries[], steps: number): StepSeries[] {
  const matching = expr.matching;
  const card = matching?.card ?? 'one-to-one';
  // Prometheus evaluates one-to-many as many-to-one with the sides swapped.
  const swapped = card === 'one-to-many';
  const many = swapped ? rightIn : leftIn;
  const one = swapped ? leftIn : rightIn;
  const sig = signatureFn(matching);
  const manySigs = many.map((s) => sig(s.labels));
  const oneSigs = one.map((s) => sig(s.labels));
  const comparison = isComparison(expr.op);
  const results = new Map<string, StepSeries>();
  const resultLabelCache = new Map<string, Labels>();
  const oneBySig = new Map<string, number>();
  const manyCount = new Map<string, number>();
  for (let i = 0; i < steps; i++) {
    oneBySig.clear();
    one.forEach((s, j) => {
      if (!s.present[i]) return;
      const k = oneSigs[j] as string;
      if (oneBySig.has(k)) throw errors.duplicateSeries(swapped ? 'left' : 'right');
      oneBySig.set(k, j);
    });
    manyCount.clear();
    const stepResults = new Set<string>();
    many.forEach((s, j) => {
      if (!s.present[i]) return;
      const k = manySigs[j] as string;
      const oj = oneBySig.get(k);
      if (oj === undefined) return;
      if (card === 'one-to-one') {
        const n = (manyCount.get(k) ?? 0) + 1;
        manyCount.set(k, n);
        if (n > 1) throw errors.multipleMatchesOneToOne();
      }
      const o = one[oj] as StepSeries;
      const lv = swapped ? (o.values[i] as number) : (s.values[i] as number);
      const rv = swapped ? (s.values[i] as number) : (o.values[i] as number);
      let value = arithmetic(expr.op, lv, rv);
      if (comparison && !expr.returnBool) {
        if (value === 0) return;
        value = lv;
      }
      const pairKey = `${j}\u0002${oj}`;
      let labels = resultLabelCache.get(pairKey);
      if (!labels) {
        labels = resultLabels(s.labels, o.labels, matching);
        resultLabelCache.set(pairKey, labels);
      }
      const key = labelsKey(labels);
      if (stepResults.has(key)) throw errors.duplicateResult();
      stepResults.add(key);
      let r = results.get(key);
      if (!r) {
        r = newSeries(labels, steps);
        results.set(key, r);
      }
      r.values[i] = value;
      r.present[i] = 1;
    });
  }
  return [...results.values()];
}

/** Prometheus' `resultMetric`: the labels of `many op one`. */
function resultLabels(many: Labels, one: Labels, matching: VectorMatching | undefined): Labels {
  if (!matching) return many;
  const out: Record<string, string> = {};
  if (matching.card === 'one-to-one') {
    if (matching.on) {
      for (const n of matching.labels) if (many[n] !== undefined && many[n] !== '') out[n] = many[n] as string;
    } else {
      const drop = new Set(matching.labels);
      for (const n in many) if (!drop.has(n)) out[n] = many[n] as string;
    }
  } else {
    Object.assign(out, many);
  }
  for (const n of matching.include) {
    const v = one[n];
    if (v !== undefined && v !== '') out[n] = v;
    else delete out[n];
  }
  return out;
}
