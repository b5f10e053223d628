/**
 * Loki 3.4's query frontend, to shard a query, rewrites an `avg_over_time` that groups (or whose
 * pipeline can merge series) into
 *
 *     sum by (g) (sum_over_time(X | unwrap v)) / sum by (g) (count_over_time(X))
 *
 * where the count drops the `unwrap` together with the label filters written after it. Its
 * denominator therefore also counts lines the unwrap skips (no `v` label) or the post-unwrap filters
 * reject, so the "average" differs from the plain one. Newer Loki computes the plain average.
 * `rewriteShardedAvg` reproduces the 3.4 arithmetic (option `avg_over_time_sharding: loki-3.4`), so
 * that lode answers exactly what a Loki 3.4 cluster answers side by side; `exact` skips it.
 *
 * The walk mirrors which nodes Loki's shard mapper reaches: a subtree it ships whole to a shard
 * (a shardable `sum`, `count`, `min`/`max`, `avg`) is evaluated as written, so an `avg_over_time`
 * inside it keeps the plain average.
 */
import type {
  Grouping,
  MetricExpr,
  RangeAggregationExpr,
  RangeAggregationOp,
  Stage,
  VectorAggregationExpr,
  VectorAggregationOp,
} from '../logql/ast.js';

/** Operations Loki's shard mapper may split (its `shardableOps`). */
const SHARDABLE_VECTOR_OPS: ReadonlySet<VectorAggregationOp> = new Set(['sum', 'avg', 'count', 'max', 'min']);
const SHARDABLE_RANGE_OPS: ReadonlySet<RangeAggregationOp> = new Set([
  'avg_over_time',
  'count_over_time',
  'first_over_time',
  'last_over_time',
  'rate',
  'bytes_over_time',
  'bytes_rate',
  'sum_over_time',
  'max_over_time',
  'min_over_time',
  'quantile_over_time',
]);

/** The query as Loki 3.4's sharding frontend evaluates it; the same tree when nothing changes. */
export function rewriteShardedAvg(expr: MetricExpr): MetricExpr {
  return map(expr, true);
}

function map(e: MetricExpr, topLevel: boolean): MetricExpr {
  switch (e.kind) {
    case 'VectorAggregation':
      if (shardable(e, topLevel) && shipsWhole(e)) return e;
      return withInner(e, map(e.inner, false));
    case 'RangeAggregation':
      return e.op === 'avg_over_time' && shardable(e, topLevel) && mergesSeries(e) ? splitAvg(e) : e;
    case 'BinaryOp': {
      const left = map(e.left, topLevel);
      const right = map(e.right, topLevel);
      return left === e.left && right === e.right ? e : { ...e, left, right };
    }
    case 'LabelReplace': {
      const inner = map(e.inner, topLevel);
      return inner === e.inner ? e : { ...e, inner };
    }
    default:
      return e;
  }
}

/** Whether a shardable vector aggregation goes to the shards as a whole (its subtree unchanged). */
function shipsWhole(e: VectorAggregationExpr): boolean {
  // min/max and count over label-reducing children are mapped one level down instead.
  if (e.op === 'min' || e.op === 'max' || e.op === 'count') return !reducesLabels(e.inner);
  return true;
}

function withInner(e: VectorAggregationExpr, inner: MetricExpr): MetricExpr {
  return inner === e.inner ? e : { ...e, inner };
}

/** An avg_over_time is split when its series could meet again on several shards. */
function mergesSeries(e: RangeAggregationExpr): boolean {
  return reducesLabels(e) || (e.grouping !== undefined && !isNoopGrouping(e.grouping));
}

function splitAvg(e: RangeAggregationExpr): MetricExpr {
  const grouping: Grouping = e.grouping ?? { without: true, labels: [] };
  const unwrapped = e.range.unwrap?.label;
  // Without grouping the unwrapped label is not part of the sum's series; drop it from the count's too.
  const countGrouping: Grouping =
    grouping.without && unwrapped !== undefined ? { without: true, labels: [...grouping.labels, unwrapped] } : grouping;
  const sum: MetricExpr = {
    kind: 'VectorAggregation',
    op: 'sum',
    grouping,
    inner: { kind: 'RangeAggregation', op: 'sum_over_time', range: e.range },
  };
  const { matchers, pipeline, range, offset } = e.range;
  const count: MetricExpr = {
    kind: 'VectorAggregation',
    op: 'sum',
    grouping: countGrouping,
    inner: { kind: 'RangeAggregation', op: 'count_over_time', range: { matchers, pipeline, range, offset } },
  };
  return { kind: 'BinaryOp', op: '/', left: sum, right: count, returnBool: false };
}

/** Loki's `Shardable(topLevel)` for metric expressions (every pipeline stage is shardable in 3.4). */
function shardable(e: MetricExpr, topLevel: boolean): boolean {
  switch (e.kind) {
    case 'Literal':
      return true;
    case 'Vector':
    case 'LabelReplace':
      return false;
    case 'RangeAggregation':
      if (e.op === 'quantile_over_time' && !topLevel) return false;
      return SHARDABLE_RANGE_OPS.has(e.op);
    case 'BinaryOp':
      if (e.matching && (e.matching.on || e.matching.labels.length > 0)) return false;
      return (e.op === '+' || e.op === '*') && shardable(e.left, topLevel) && shardable(e.right, topLevel);
    case 'VectorAggregation':
      if (!SHARDABLE_VECTOR_OPS.has(e.op) || !shardable(e.inner, topLevel)) return false;
      switch (e.op) {
        case 'count':
        case 'avg':
          return !reducesLabels(e.inner);
        case 'max':
        case 'min':
          return e.inner.kind === 'RangeAggregation' && shardable(e.inner, false);
        default:
          return !(e.inner.kind === 'VectorAggregation' && (e.inner.op === 'min' || e.inner.op === 'max'));
      }
  }
}

/** Loki's `ReducesLabels`: a grouping that names labels, or a stage that removes or renames labels. */
function reducesLabels(e: MetricExpr): boolean {
  switch (e.kind) {
    case 'RangeAggregation':
      return groupingNamesLabels(e.grouping) || e.range.pipeline.some(stageReducesLabels);
    case 'VectorAggregation':
      return groupingNamesLabels(e.grouping) || reducesLabels(e.inner);
    case 'BinaryOp':
      return reducesLabels(e.left) || reducesLabels(e.right);
    case 'LabelReplace':
      return reducesLabels(e.inner);
    default:
      return false;
  }
}

function stageReducesLabels(s: Stage): boolean {
  if (s.kind === 'Keep' || s.kind === 'Drop') return true;
  return s.kind === 'LabelFormat' && s.ops.some((op) => op.kind === 'Rename');
}

function groupingNamesLabels(g: Grouping | undefined): boolean {
  return g !== undefined && g.labels.length > 0;
}

function isNoopGrouping(g: Grouping): boolean {
  return g.without && g.labels.length === 0;
}
