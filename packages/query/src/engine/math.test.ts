import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BinaryOpExpr, VectorAggregationExpr } from '../logql/ast.js';
import { evaluateBinary } from './binary.js';
import { formatGoDuration } from '../logql/durations.js';
import { formatSampleValue } from './format.js';
import { alignedGrid, WindowGrid } from './grid.js';
import { RangeAggregator, type RangeOp } from './range-aggregator.js';
import { quantile, rateCounter } from './range-functions.js';
import { newSeries, type StepSeries } from './series.js';
import { aggregateVectors } from './vector-aggregation.js';

const S = 1_000_000_000n;

describe('formatSampleValue', () => {
  it('prints like Go FormatFloat(v, f, -1, 64)', () => {
    assert.equal(formatSampleValue(1), '1');
    assert.equal(formatSampleValue(0.1), '0.1');
    assert.equal(formatSampleValue(1.7916666666666667), '1.7916666666666667');
    assert.equal(formatSampleValue(4.5e21), '4500000000000000000000');
    assert.equal(formatSampleValue(1.5e-7), '0.00000015');
    assert.equal(formatSampleValue(-2.5e-9), '-0.0000000025');
    assert.equal(formatSampleValue(NaN), 'NaN');
    assert.equal(formatSampleValue(Infinity), '+Inf');
    assert.equal(formatSampleValue(-Infinity), '-Inf');
    assert.equal(formatSampleValue(-0), '-0');
  });
  it('prints Go durations', () => {
    assert.equal(formatGoDuration(721n * 3600n * S), '721h0m0s');
    assert.equal(formatGoDuration(1500n * 1_000_000n), '1.5s');
    assert.equal(formatGoDuration(0n), '0s');
  });
});

describe('step grid', () => {
  it('floors start and end to multiples of the step', () => {
    const g = alignedGrid(1795132807n * S, 1795140000n * S, 60n * S);
    assert.equal(g.start, 1795132800n * S);
    assert.equal(g.count, 121);
    const g37 = alignedGrid(1795132800n * S, 1795140000n * S, 37n * S);
    assert.equal(g37.start % (37n * S), 0n);
    assert.ok(g37.start <= 1795132800n * S);
  });
});

/** Feeds samples at the given seconds into a range aggregation evaluated from..to by step. */
function run(op: RangeOp, samples: Array<[number, number]>, from: number, to: number, step: number, range: number, offset = 0, unwrapped = op !== 'count_over_time' && op !== 'rate' && op !== 'bytes_over_time') {
  const grid = alignedGrid(BigInt(from) * S, BigInt(to) * S, BigInt(step) * S);
  const agg = new RangeAggregator({ op, grid: new WindowGrid(grid, BigInt(range) * S, BigInt(offset) * S), unwrapped, preserveErrors: false });
  for (const [t, v] of samples) agg.add({ app: 'a' }, BigInt(t) * S, v, 4);
  const series = agg.finish();
  if (!series.length) return [];
  const s = series[0] as StepSeries;
  return Array.from(s.values, (v, i) => (s.present[i] ? v : undefined));
}

describe('range aggregation windows (T-R, T]', () => {
  const every10 = Array.from({ length: 13 }, (_, i) => [i * 10, 1] as [number, number]);
  it('rate over overlapping windows', () => {
    assert.deepEqual(run('rate', every10, 60, 120, 15, 30), [0.1, 0.1, 0.1, 0.1, 0.1]);
  });
  it('bytes_over_time counts bytes', () => {
    assert.deepEqual(run('bytes_over_time', every10, 60, 60, 1, 30), [12]);
  });
  it('leaves gaps when step > range', () => {
    const v = [[10, 10], [20, 20], [30, 30], [90, 40]] as Array<[number, number]>;
    assert.deepEqual(run('first_over_time', v, 30, 90, 30, 20), [20, undefined, 40]);
    assert.deepEqual(run('last_over_time', v, 20, 40, 10, 20), [20, 30, 30]);
    assert.deepEqual(run('first_over_time', v, 60, 120, 30, 20, 30), [20, undefined, 40]);
  });
  it('count_over_time with offset', () => {
    assert.deepEqual(run('count_over_time', every10, 90, 90, 1, 20, 90), [1]);
  });
  it('value ops compute over exactly the window', () => {
    const v = [[10, 1], [20, 2], [30, 3], [40, 4]] as Array<[number, number]>;
    assert.deepEqual(run('sum_over_time', v, 20, 40, 10, 20), [3, 5, 7]);
    assert.deepEqual(run('max_over_time', v, 40, 40, 1, 60), [4]);
    assert.deepEqual(run('avg_over_time', v, 40, 40, 1, 60), [2.5]);
    assert.deepEqual(run('stdvar_over_time', v, 40, 40, 1, 60), [1.25]);
    assert.deepEqual(run('quantile_over_time', v, 40, 40, 1, 60).length, 1);
  });
  it('summaries are absorbed only when exact', () => {
    const grid = alignedGrid(60n * S, 120n * S, 60n * S);
    const agg = new RangeAggregator({ op: 'count_over_time', grid: new WindowGrid(grid, 60n * S, 0n), unwrapped: false, preserveErrors: false });
    assert.equal(agg.addSummary({ a: '1' }, 10n * S, 50n * S, 5, 50), true);
    assert.equal(agg.addSummary({ a: '1' }, 50n * S, 70n * S, 2, 20), false);
    const [s] = agg.finish();
    assert.deepEqual(Array.from(s!.values), [5, 0]);
  });
});

describe('range functions', () => {
  it('quantile interpolates', () => {
    assert.equal(quantile(0.5, [1, 2, 3, 4]), 2.5);
    assert.equal(quantile(2, [1]), Infinity);
  });
  it('rate_counter extrapolates like Prometheus', () => {
    // (90,240] sees 600@150s, 660@180s: both ends capped at half an interval.
    const w = { ts: [150e9, 180e9], values: [600, 660], lo: 0, hi: 2 };
    assert.equal(rateCounter(w, { start: 90e9, end: 240e9, rangeSeconds: 150 }), 0.8);
  });
});

function vec(...items: Array<[Record<string, string>, number]>): StepSeries[] {
  return items.map(([labels, v]) => {
    const s = newSeries(labels, 1);
    s.values[0] = v;
    s.present[0] = 1;
    return s;
  });
}
const values = (ss: StepSeries[]) => ss.map((s) => [s.labels, s.values[0]]);

describe('vector aggregation', () => {
  const input = vec([{ app: 'a', i: '1' }, 1], [{ app: 'a', i: '2' }, 3], [{ app: 'b', i: '1' }, 10]);
  const agg = (op: VectorAggregationExpr['op'], by?: string[], param?: number): VectorAggregationExpr => ({
    kind: 'VectorAggregation',
    op,
    inner: { kind: 'Literal', value: 0 },
    grouping: by ? { without: false, labels: by } : undefined,
    param,
  });
  it('sum/avg/count by', () => {
    assert.deepEqual(values(aggregateVectors(agg('sum', ['app']), input, 1)), [[{ app: 'a' }, 4], [{ app: 'b' }, 10]]);
    assert.deepEqual(values(aggregateVectors(agg('avg', ['app']), input, 1)), [[{ app: 'a' }, 2], [{ app: 'b' }, 10]]);
    assert.deepEqual(values(aggregateVectors(agg('count'), input, 1)), [[{}, 3]]);
    assert.deepEqual(values(aggregateVectors(agg('stdvar', ['app']), input, 1)), [[{ app: 'a' }, 1], [{ app: 'b' }, 0]]);
  });
  it('topk keeps labels, best first', () => {
    assert.deepEqual(values(aggregateVectors(agg('topk', undefined, 2), input, 1)), [[{ app: 'b', i: '1' }, 10], [{ app: 'a', i: '2' }, 3]]);
    assert.deepEqual(values(aggregateVectors(agg('bottomk', ['app'], 1), input, 1)), [[{ app: 'a', i: '1' }, 1], [{ app: 'b', i: '1' }, 10]]);
  });
});

describe('binary operators', () => {
  const bin = (op: BinaryOpExpr['op'], extra: Partial<BinaryOpExpr> = {}): BinaryOpExpr => ({
    kind: 'BinaryOp',
    op,
    left: { kind: 'Literal', value: 0 },
    right: { kind: 'Literal', value: 0 },
    returnBool: false,
    ...extra,
  });
  it('x / 0 is NaN; comparisons filter or give bool', () => {
    const l = { kind: 'vector' as const, series: vec([{ a: '1' }, 12]) };
    const zero = { kind: 'scalar' as const, values: new Float64Array([0]) };
    const one = { kind: 'scalar' as const, values: new Float64Array([1]) };
    const div = evaluateBinary(bin('/'), l, zero, 1);
    assert.ok(div.kind === 'vector' && Number.isNaN(div.series[0]!.values[0]));
    const cmp = evaluateBinary(bin('<'), one, l, 1);
    assert.ok(cmp.kind === 'vector' && cmp.series[0]!.values[0] === 12);
    const b = evaluateBinary(bin('>', { returnBool: true }), l, { kind: 'scalar', values: new Float64Array([20]) }, 1);
    assert.ok(b.kind === 'vector' && b.series[0]!.values[0] === 0);
  });
  it('group_left matches many to one and copies included labels', () => {
    const l = { kind: 'vector' as const, series: vec([{ app: 'a', env: 'x' }, 2], [{ app: 'a', env: 'y' }, 6]) };
    const r = { kind: 'vector' as const, series: vec([{ app: 'a', team: 't' }, 8]) };
    const res = evaluateBinary(bin('/', { matching: { on: true, labels: ['app'], card: 'many-to-one', include: ['team'] } }), l, r, 1);
    assert.ok(res.kind === 'vector');
    assert.deepEqual(values(res.series), [[{ app: 'a', env: 'x', team: 't' }, 0.25], [{ app: 'a', env: 'y', team: 't' }, 0.75]]);
  });
  it('one-to-one on() keeps only the on labels; duplicates fail', () => {
    const l = { kind: 'vector' as const, series: vec([{ app: 'a', env: 'x' }, 2]) };
    const r = { kind: 'vector' as const, series: vec([{ app: 'a', env: 'z' }, 3]) };
    const res = evaluateBinary(bin('+', { matching: { on: true, labels: ['app'], card: 'one-to-one', include: [] } }), l, r, 1);
    assert.ok(res.kind === 'vector');
    assert.deepEqual(values(res.series), [[{ app: 'a' }, 5]]);
    const two = { kind: 'vector' as const, series: vec([{ app: 'a', env: 'x' }, 2], [{ app: 'a', env: 'y' }, 2]) };
    assert.throws(() => evaluateBinary(bin('+', { matching: { on: true, labels: ['app'], card: 'one-to-one', include: [] } }), two, r, 1), /many-to-one matching must be explicit/);
  });
  it('and / or / unless', () => {
    const l = { kind: 'vector' as const, series: vec([{ a: '1' }, 1], [{ a: '2' }, 2]) };
    const r = { kind: 'vector' as const, series: vec([{ a: '2' }, 20], [{ a: '3' }, 30]) };
    const get = (op: 'and' | 'or' | 'unless') => {
      const v = evaluateBinary(bin(op), l, r, 1);
      return v.kind === 'vector' ? values(v.series) : [];
    };
    assert.deepEqual(get('and'), [[{ a: '2' }, 2]]);
    assert.deepEqual(get('unless'), [[{ a: '1' }, 1]]);
    assert.deepEqual(get('or'), [[{ a: '1' }, 1], [{ a: '2' }, 2], [{ a: '3' }, 30]]);
  });
});
