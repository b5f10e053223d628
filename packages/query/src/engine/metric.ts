/**
 * Evaluates a metric expression on a step grid: range aggregations read the store (once per
 * aggregation, streaming), everything above them works on per-step series.
 */
import type { Labels } from '@lode/store';
import type { Grouping, MetricExpr, RangeAggregationExpr } from '../logql/ast.js';
import type { HintGrouping } from '../pipeline/index.js';
import { evaluateBinary } from './binary.js';
import { countFromChunks } from './chunk-counting.js';
import { compileLabelReplaceRegex } from './compile.js';
import { errors } from './errors.js';
import { WindowGrid, type StepGrid } from './grid.js';
import { ERROR_LABEL } from './labels.js';
import { labelReplace } from './label-replace.js';
import { isCountingOp, RangeAggregator } from './range-aggregator.js';
import { SampleExtractor } from './sample-extractor.js';
import type { Scanner } from './scan.js';
import { newSeries, scalarValue, type StepSeries, type StepValue } from './series.js';
import { aggregateVectors } from './vector-aggregation.js';

export interface MetricContext {
  readonly grid: StepGrid;
  readonly scanner: Scanner;
  readonly maxSeries: number;
}

interface Frame {
  /** An enclosing aggregation groups by `__error__`: error samples become series. */
  preserveErrors: boolean;
  /** This expression's series are the query result (the series limit can fail early). */
  topLevel: boolean;
}

export async function evaluateMetric(expr: MetricExpr, ctx: MetricContext): Promise<StepValue> {
  return evaluate(expr, ctx, { preserveErrors: false, topLevel: true });
}

async function evaluate(expr: MetricExpr, ctx: MetricContext, frame: Frame): Promise<StepValue> {
  const steps = ctx.grid.count;
  switch (expr.kind) {
    case 'Literal':
      return scalarValue(steps, expr.value);
    case 'Vector': {
      const s = newSeries({}, steps);
      s.values.fill(expr.value);
      s.present.fill(1);
      return { kind: 'vector', series: [s] };
    }
    case 'RangeAggregation':
      return { kind: 'vector', series: await rangeAggregation(expr, ctx, frame) };
    case 'VectorAggregation': {
      const preserve =
        frame.preserveErrors || (!!expr.grouping && !expr.grouping.without && expr.grouping.labels.includes(ERROR_LABEL));
      const sub: Frame = { preserveErrors: preserve, topLevel: false };
      const outer = expr.grouping ?? NO_LABELS;
      const inner =
        expr.op === 'sum' && canPushGrouping(expr.inner)
          ? // sum by (g) (count_over_time(…)) = count_over_time grouped by g: one series per group
            // while reading, instead of one per distinct stream/metadata/parsed label set.
            { kind: 'vector' as const, series: await rangeAggregation(expr.inner, ctx, sub, outer, outer) }
          : expr.op === 'sum' && canInjectHints(expr.inner)
            ? { kind: 'vector' as const, series: await rangeAggregation(expr.inner, ctx, sub, undefined, outer) }
            : await evaluate(expr.inner, ctx, sub);
      if (inner.kind !== 'vector') return inner;
      return { kind: 'vector', series: aggregateVectors(expr, inner.series, steps) };
    }
    case 'BinaryOp': {
      const sub = { preserveErrors: frame.preserveErrors, topLevel: false };
      const left = await evaluate(expr.left, ctx, sub);
      const right = await evaluate(expr.right, ctx, sub);
      return evaluateBinary(expr, left, right, steps);
    }
    case 'LabelReplace': {
      const re = compileLabelReplaceRegex(expr.regex);
      const inner = await evaluate(expr.inner, ctx, { ...frame, topLevel: false });
      if (inner.kind !== 'vector') return inner;
      return { kind: 'vector', series: labelReplace(expr, re, inner.series, steps) };
    }
  }
}

const NO_LABELS: Grouping = { without: false, labels: [] };

/**
 * Loki pushes an enclosing `sum`'s grouping into the parser hints of these range aggregations
 * (when they have no grouping of their own), counting or not.
 */
const HINTED_BY_SUM = new Set(['bytes_over_time', 'bytes_rate', 'sum_over_time', 'rate', 'count_over_time']);

function canInjectHints(e: MetricExpr): e is RangeAggregationExpr {
  return e.kind === 'RangeAggregation' && !e.grouping && HINTED_BY_SUM.has(e.op);
}

/** The grouping the parser hints follow: the aggregation's own, else a pushed-down `sum`'s. */
function hintGrouping(expr: RangeAggregationExpr, outerSum: Grouping | undefined): HintGrouping {
  const g = expr.grouping ?? outerSum;
  if (expr.op === 'absent_over_time') return { groups: g?.labels ?? [], without: g?.without ?? false, noLabels: true };
  if (!g) return { groups: [], without: false, noLabels: false };
  return { groups: g.labels, without: g.without, noLabels: g.labels.length === 0 && !g.without };
}

/** Counting range aggregations are additive, so an enclosing `sum` can group while reading. */
function canPushGrouping(e: MetricExpr): e is RangeAggregationExpr {
  return e.kind === 'RangeAggregation' && !e.grouping && e.op !== 'absent_over_time' && isCountingOp(e.op, !!e.range.unwrap);
}

async function rangeAggregation(
  expr: RangeAggregationExpr,
  ctx: MetricContext,
  frame: Frame,
  pushedGrouping?: Grouping,
  outerSum?: Grouping,
): Promise<StepSeries[]> {
  const range = expr.range;
  const windows = new WindowGrid(ctx.grid, range.range, range.offset);
  const preserveErrors =
    frame.preserveErrors ||
    (!!expr.grouping && !expr.grouping.without && expr.grouping.labels.includes(ERROR_LABEL));
  const grouping = pushedGrouping ?? expr.grouping;
  const agg = new RangeAggregator({
    op: expr.op,
    param: expr.param,
    grid: windows,
    unwrapped: !!range.unwrap,
    grouping,
    preserveErrors,
  });
  // Grouping `by` reads only those labels; an erroring sample still fails or is kept whole.
  const extractor = new SampleExtractor(
    range,
    hintGrouping(expr, outerSum),
    grouping && !grouping.without && !preserveErrors ? grouping.labels : undefined,
  );
  const limit = frame.topLevel && expr.op !== 'absent_over_time' ? ctx.maxSeries : Infinity;
  if (windows.count > 0 && isCountingOp(expr.op, !!range.unwrap) && ctx.scanner.canScanChunks) {
    await countFromChunks(
      ctx.scanner,
      { matchers: range.matchers, from: windows.from, to: windows.to, lineContains: extractor.requiredLiterals },
      {
        windows,
        agg,
        extractor,
        grouping,
        checkSeries: () => {
          if (agg.seriesCount > limit) throw errors.maxSeries(limit);
        },
      },
    );
  } else if (windows.count > 0) {
    await ctx.scanner.scan(
      {
        matchers: range.matchers,
        from: windows.from,
        to: windows.to,
        direction: 'forward',
        lineContains: extractor.requiredLiterals,
        ...(extractor.mayPass ? { keep: extractor.mayPass } : {}),
      },
      (e, _tenant, lineBytes) => {
        const s = extractor.extract(e, lineBytes);
        if (!s) return;
        agg.add(s.labels, e.ts, s.value, s.bytes);
        if (agg.seriesCount > limit) throw errors.maxSeries(limit);
      },
    );
  }
  const series = agg.finish();
  if (expr.op === 'absent_over_time') return [absentSeries(expr, series, ctx.grid.count)];
  return series;
}

/** `absent_over_time`: 1 at the steps where no series had a sample, labelled by the `=` matchers. */
function absentSeries(expr: RangeAggregationExpr, present: StepSeries[], steps: number): StepSeries {
  const labels: Record<string, string> = {};
  for (const m of expr.range.matchers) if (m.op === '=') labels[m.name] = m.value;
  const out = newSeries(labels as Labels, steps);
  for (let i = 0; i < steps; i++) {
    if (present.some((s) => s.present[i])) continue;
    out.values[i] = 1;
    out.present[i] = 1;
  }
  return out;
}
