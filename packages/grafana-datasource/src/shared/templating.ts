// Template variables and ad-hoc filters applied to a query's LogQL. Pure functions: the datasource passes in
// Grafana's `getTemplateSrv().replace`, so this logic is testable without a Grafana runtime.
import { addLabelFilter, escapeRegex, type MatchOp } from './logql.js';

/** The part of a Grafana variable that decides how its value is written into LogQL. */
export interface VariableShape {
  multi?: boolean;
  includeAll?: boolean;
}

/** Grafana's `AdHocVariableFilter`, structurally. */
export interface AdHocFilter {
  key: string;
  operator: string;
  value: string;
}

/** `getTemplateSrv().replace` with a custom formatter, or without one (plain text, e.g. a legend). */
export type ReplaceFn = (text: string, format?: (value: string | string[], variable?: VariableShape) => string) => string;

/** Multi-value and "All" variables become a regex alternation of escaped values (as Loki's datasource does). */
export function formatVariable(value: string | string[], variable?: VariableShape): string {
  if (Array.isArray(value)) return value.length === 1 ? escapeRegex(value[0]!) : `(${value.map(escapeRegex).join('|')})`;
  if (variable?.multi || variable?.includeAll) return escapeRegex(value);
  return value;
}

const ADHOC_OPS: Record<string, MatchOp> = { '=': '=', '!=': '!=', '=~': '=~', '!~': '!~' };

/** Adds one ad-hoc filter as a label filter; operators LogQL has no label-matcher form for are ignored. */
export function applyAdHocFilter(expr: string, filter: AdHocFilter): string {
  const op = ADHOC_OPS[filter.operator];
  if (!op || !filter.key) return expr;
  return addLabelFilter(expr, filter.key, op, filter.value);
}

/** The query with variables replaced in its LogQL and legend, then the ad-hoc filters added. */
export function interpolateQuery<Q extends { expr?: string; legendFormat?: string }>(query: Q, replace: ReplaceFn, filters?: readonly AdHocFilter[]): Q {
  let expr = replace(query.expr ?? '', formatVariable);
  for (const f of filters ?? []) expr = applyAdHocFilter(expr, f);
  return { ...query, expr, legendFormat: query.legendFormat ? replace(query.legendFormat) : query.legendFormat };
}
