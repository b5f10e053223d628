// Explore's extra queries: the log volume histogram above a log query, and a logs sample under a metric query.
import { firstLogExpr, isLogsQuery } from './logql.js';
import type { LodeQueryModel } from './types.js';

export type SupplementaryKind = 'logsVolume' | 'logsSample';

export const LOGS_SAMPLE_LINES = 100;

/** Lines per level over the same selection, one bar per `$__auto` step. */
export function logsVolumeQuery(query: LodeQueryModel): LodeQueryModel | undefined {
  if (!query.expr || !isLogsQuery(query.expr)) return undefined;
  return {
    refId: `log-volume-${query.refId}`,
    expr: `sum by (level, detected_level) (count_over_time(${query.expr} | drop __error__ [$__auto]))`,
    queryType: 'metrics',
    supportingQueryType: 'logsVolume',
  };
}

/** The log lines behind a metric query. */
export function logsSampleQuery(query: LodeQueryModel): LodeQueryModel | undefined {
  if (!query.expr || isLogsQuery(query.expr)) return undefined;
  const logs = firstLogExpr(query.expr);
  if (!logs) return undefined;
  return {
    refId: `log-sample-${query.refId}`,
    expr: logs,
    queryType: 'logs',
    maxLines: LOGS_SAMPLE_LINES,
    direction: 'backward',
    supportingQueryType: 'logsSample',
  };
}

export function supplementaryQuery(kind: SupplementaryKind, query: LodeQueryModel): LodeQueryModel | undefined {
  return kind === 'logsVolume' ? logsVolumeQuery(query) : logsSampleQuery(query);
}
