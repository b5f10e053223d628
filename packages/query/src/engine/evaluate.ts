/**
 * The engine's entry points: `/query_range` and `/query` semantics on top of the store.
 */
import type { Direction, Labels, Limits, LogStore } from '@lode/store';
import { isLogQuery, ParseError, type Expr, type MetricExpr } from '../logql/ast.js';
import { parseExpr } from '../logql/index.js';
import { errors, QueryError } from './errors.js';
import { formatSampleValue } from './format.js';
import { alignedGrid, instantGrid, plainGrid, stepTime, type StepGrid } from './grid.js';
import { compareLabels } from './labels.js';
import { evaluateLogQuery, type StreamResult } from './logs.js';
import { evaluateMetric } from './metric.js';
import { Scanner } from './scan.js';
import { rewriteShardedAvg } from './sharded-avg.js';
import type { StepValue } from './series.js';
import { StatsCollector, type QueryStats } from './stats.js';

export interface QueryParams {
  /** One tenant, or several joined by `|` (or given as a list) for a cross-tenant read. */
  tenant: string | string[];
  query: string | Expr;
  /** Range start (inclusive for logs), or the evaluation time of an instant query; unix ns. */
  start: bigint;
  /** Range end (exclusive for logs); ignored by instant queries. */
  end: bigint;
  /** Resolution of range metric queries, ns; default Loki's max(1s, (end-start)/250) rounded down to seconds. */
  step?: bigint;
  /** Log queries: return entries at least this far apart per stream. */
  interval?: bigint;
  limit: number;
  direction: Direction;
  signal?: AbortSignal;
  limits: Readonly<Limits>;
  /** `X-Loki-Response-Encoding-Flags: categorize-labels`. */
  categorizeLabels?: boolean;
  /** How a grouped `avg_over_time` is computed (see sharded-avg.ts); default `exact`. */
  avgOverTimeSharding?: AvgOverTimeSharding;
}

/** `loki-3.4`: as Loki 3.4's sharding query frontend (sum / count of the lines before unwrap); `exact`: the plain average. */
export type AvgOverTimeSharding = 'loki-3.4' | 'exact';

/** `[seconds, "value"]` as Prometheus and Loki render a sample. */
export type SamplePair = [number, string];

export interface Series {
  metric: Labels;
  values: SamplePair[];
}

export interface VectorSample {
  metric: Labels;
  value: SamplePair;
}

export type QueryData =
  | { resultType: 'streams'; result: StreamResult[] }
  | { resultType: 'matrix'; result: Series[] }
  | { resultType: 'vector'; result: VectorSample[] }
  | { resultType: 'scalar'; result: SamplePair };

export type QueryResult = QueryData & {
  stats: QueryStats;
  /** `["categorize-labels"]` when entries carry categorized labels. */
  encodingFlags?: string[];
};

const MAX_POINTS = 11_000n;
const SECOND = 1_000_000_000n;
const MS = 1_000_000n;

/** `/loki/api/v1/query_range`: a log query gives streams, a metric query a matrix. */
export async function evaluateRange(store: LogStore, p: QueryParams): Promise<QueryResult> {
  const expr = parse(p.query);
  const stats = new StatsCollector();
  if (p.end < p.start) throw errors.endBeforeStart();
  checkLength(p);
  const scanner = newScanner(store, p, stats);
  if (isLogQuery(expr)) {
    checkEntriesLimit(p);
    const result = await evaluateLogQuery(
      expr,
      {
        start: p.start,
        end: p.end,
        limit: p.limit,
        direction: p.direction,
        interval: p.interval,
        categorizeLabels: !!p.categorizeLabels,
        multiTenant: tenantsOf(p.tenant).length > 1,
      },
      scanner,
    );
    stats.entriesReturned = result.reduce((n, s) => n + s.values.length, 0);
    return {
      resultType: 'streams',
      result,
      stats: stats.finish(),
      ...(p.categorizeLabels ? { encodingFlags: ['categorize-labels'] } : {}),
    };
  }
  if (usesApproxTopk(expr)) throw errors.sketchInstantOnly();
  const step = p.step ?? defaultStep(p.start, p.end);
  if (step <= 0n) throw errors.zeroStep();
  if ((p.end - p.start) / step > MAX_POINTS) throw errors.maxPoints();
  // Loki aligns to the step only in its query splitter, which `split_queries_by_interval: 0` turns off.
  const grid = p.limits.split_queries_by_interval > 0 ? alignedGrid(p.start, p.end, step) : plainGrid(p.start, p.end, step);
  const value = await evaluateMetric(asEvaluated(expr, p), { grid, scanner, maxSeries: maxSeriesOf(p) });
  const result = toMatrix(value, grid);
  if (result.length > maxSeriesOf(p)) throw errors.maxSeries(maxSeriesOf(p));
  stats.entriesReturned = result.reduce((n, s) => n + s.values.length, 0);
  return { resultType: 'matrix', result, stats: stats.finish() };
}

/** Whether `approx_topk` appears anywhere: Loki evaluates it with count-min sketches, instant only. */
function usesApproxTopk(e: MetricExpr): boolean {
  switch (e.kind) {
    case 'VectorAggregation':
      return e.op === 'approx_topk' || usesApproxTopk(e.inner);
    case 'BinaryOp':
      return usesApproxTopk(e.left) || usesApproxTopk(e.right);
    case 'LabelReplace':
      return usesApproxTopk(e.inner);
    default:
      return false;
  }
}

/** `/loki/api/v1/query`: a metric query at `start` gives a vector or a scalar. */
export async function evaluateInstant(store: LogStore, p: QueryParams): Promise<QueryResult> {
  const expr = parse(p.query);
  if (isLogQuery(expr)) throw errors.instantLogQuery();
  const stats = new StatsCollector();
  const grid = instantGrid(p.start);
  const scanner = newScanner(store, p, stats);
  const value = await evaluateMetric(asEvaluated(expr as MetricExpr, p), { grid, scanner, maxSeries: maxSeriesOf(p) });
  const t = toSeconds(p.start);
  if (value.kind === 'scalar') {
    return { resultType: 'scalar', result: [t, formatSampleValue(value.values[0] as number)], stats: stats.finish() };
  }
  const result: VectorSample[] = [];
  for (const s of value.series) {
    if (s.present[0]) result.push({ metric: s.labels, value: [t, formatSampleValue(s.values[0] as number)] });
  }
  if (result.length > maxSeriesOf(p)) throw errors.maxSeries(maxSeriesOf(p));
  stats.entriesReturned = result.length;
  return { resultType: 'vector', result, stats: stats.finish() };
}

/** Loki's default step: max(1, floor((end − start) / 250 s)) seconds. */
export function defaultStep(start: bigint, end: bigint): bigint {
  const s = (end - start) / SECOND / 250n;
  return (s > 1n ? s : 1n) * SECOND;
}

/** The metric expression as the configured frontend would evaluate it. */
function asEvaluated(expr: MetricExpr, p: QueryParams): MetricExpr {
  return p.avgOverTimeSharding === 'loki-3.4' ? rewriteShardedAvg(expr) : expr;
}

function parse(query: string | Expr): Expr {
  if (typeof query !== 'string') return query;
  try {
    return parseExpr(query);
  } catch (err) {
    if (err instanceof ParseError) throw new QueryError(err.message, 400);
    throw err;
  }
}

function tenantsOf(tenant: string | string[]): string[] {
  const list = Array.isArray(tenant) ? tenant : tenant.split('|');
  return [...new Set(list.filter((t) => t !== ''))];
}

function newScanner(store: LogStore, p: QueryParams, stats: StatsCollector): Scanner {
  const timeout = p.limits.query_timeout;
  return new Scanner({
    store,
    tenants: tenantsOf(p.tenant),
    signal: p.signal,
    deadline: timeout > 0 ? performance.now() + timeout : Infinity,
    stats,
  });
}

function maxSeriesOf(p: QueryParams): number {
  return p.limits.max_query_series > 0 ? p.limits.max_query_series : Infinity;
}

function checkLength(p: QueryParams): void {
  const limit = BigInt(Math.round(p.limits.max_query_length)) * MS;
  if (limit > 0n && p.end - p.start > limit) throw errors.queryTooLong(p.end - p.start, limit);
}

function checkEntriesLimit(p: QueryParams): void {
  const max = p.limits.max_entries_limit_per_query;
  if (max > 0 && p.limit > max) throw errors.maxEntries(p.limit, max);
}

function toSeconds(t: bigint): number {
  return Number(t / MS) / 1000;
}

function toMatrix(value: StepValue, grid: StepGrid): Series[] {
  const times: number[] = [];
  for (let i = 0; i < grid.count; i++) times.push(toSeconds(stepTime(grid, i)));
  if (value.kind === 'scalar') {
    return [{ metric: {}, values: times.map((t, i) => [t, formatSampleValue(value.values[i] as number)]) }];
  }
  const out: Series[] = [];
  for (const s of value.series) {
    const values: SamplePair[] = [];
    for (let i = 0; i < grid.count; i++) {
      if (s.present[i]) values.push([times[i] as number, formatSampleValue(s.values[i] as number)]);
    }
    if (values.length) out.push({ metric: s.labels, values });
  }
  return out.sort((a, b) => compareLabels(a.metric, b.metric));
}
