// Turns a datasource query plus Grafana's time context into a Loki API request (path + parameters).
import { formatDurationMs, parseDurationMs } from './duration.js';
import { DEFAULT_MAX_LINES, type LodeQueryModel } from './types.js';

export interface QueryContext {
  fromMs: number;
  toMs: number;
  /** Grafana's suggested interval for the panel, ms (0 when unknown). */
  intervalMs: number;
  /** Grafana's maxDataPoints (panel width), 0 when unknown. */
  maxDataPoints: number;
  /** The datasource's default line limit. */
  defaultMaxLines?: number;
}

export interface LokiRequest {
  path: '/loki/api/v1/query_range' | '/loki/api/v1/query';
  params: URLSearchParams;
  /** The expression after macro expansion (shown as the executed query). */
  expr: string;
  stepMs: number;
}

/** Loki refuses more than 11,000 points per series. */
const MAX_POINTS_PER_SERIES = 11_000;

/** Unix milliseconds → the integer-nanosecond string Loki accepts, without float rounding. */
export function msToNsString(ms: number): string {
  return (BigInt(Math.trunc(ms)) * 1_000_000n).toString();
}

/**
 * The step for a range query: the user's, else Grafana's interval; never below what keeps the series under
 * Loki's point limit, and never below 1 ms.
 */
export function chooseStepMs(query: LodeQueryModel, ctx: QueryContext): number {
  const rangeMs = Math.max(0, ctx.toMs - ctx.fromMs);
  const floorMs = Math.ceil(rangeMs / MAX_POINTS_PER_SERIES);
  const userMs = query.step ? parseDurationMs(query.step) : undefined;
  if (query.step && userMs === undefined) {
    throw new Error(`step ${JSON.stringify(query.step)} is not a duration: use a Go duration such as 30s or 1m`);
  }
  let wanted = userMs ?? ctx.intervalMs;
  if (!userMs && ctx.maxDataPoints > 0) wanted = Math.max(wanted, Math.ceil(rangeMs / ctx.maxDataPoints));
  return Math.max(1, floorMs, Math.round(wanted));
}

/** Expands Grafana's built-in time macros, which the frontend leaves for the backend (as Loki's plugin does). */
export function expandMacros(expr: string, ctx: QueryContext, stepMs: number): string {
  const rangeMs = Math.max(0, ctx.toMs - ctx.fromMs);
  const intervalMs = Math.max(1, ctx.intervalMs || stepMs);
  return expr
    .replace(/\$__auto\b/g, formatDurationMs(stepMs))
    .replace(/\$__interval_ms\b/g, String(intervalMs))
    .replace(/\$__interval\b/g, formatDurationMs(intervalMs))
    .replace(/\$__range_ms\b/g, String(rangeMs))
    .replace(/\$__range_s\b/g, String(Math.round(rangeMs / 1000)))
    .replace(/\$__range\b/g, formatDurationMs(rangeMs));
}

export function buildLokiRequest(query: LodeQueryModel, ctx: QueryContext): LokiRequest {
  if (!query.expr || query.expr.trim() === '') throw new Error('the query is empty: enter a LogQL expression');
  if (!(ctx.toMs >= ctx.fromMs)) throw new Error(`invalid time range: from ${ctx.fromMs} is after to ${ctx.toMs}`);
  const stepMs = chooseStepMs(query, ctx);
  const expr = expandMacros(query.expr, ctx, stepMs);
  const params = new URLSearchParams();
  params.set('query', expr);
  const limit = query.maxLines && query.maxLines > 0 ? Math.floor(query.maxLines) : (ctx.defaultMaxLines ?? DEFAULT_MAX_LINES);
  params.set('limit', String(limit));
  params.set('direction', query.direction ?? 'backward');
  if (query.queryType === 'instant') {
    params.set('time', msToNsString(ctx.toMs));
    return { path: '/loki/api/v1/query', params, expr, stepMs };
  }
  params.set('start', msToNsString(ctx.fromMs));
  params.set('end', msToNsString(ctx.toMs));
  params.set('step', `${stepMs / 1000}`);
  return { path: '/loki/api/v1/query_range', params, expr, stepMs };
}
