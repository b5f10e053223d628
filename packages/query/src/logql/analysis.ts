/** Facts about a parsed query that the planner needs. */
import type { Expr, LogQueryExpr, LogRange, Stage } from './ast.js';

/** A selector with its pipeline: a log query's, or one range aggregation's. */
export type LogSelection = Pick<LogQueryExpr, 'matchers' | 'pipeline'> & { readonly range?: LogRange };

/** Every log selection of a query, left to right (one for a log query, one per range aggregation). */
export function logSelections(e: Expr): LogSelection[] {
  switch (e.kind) {
    case 'LogQuery':
      return [e];
    case 'RangeAggregation':
      return [{ matchers: e.range.matchers, pipeline: e.range.pipeline, range: e.range }];
    case 'VectorAggregation':
    case 'LabelReplace':
      return logSelections(e.inner);
    case 'BinaryOp':
      return [...logSelections(e.left), ...logSelections(e.right)];
    case 'Literal':
    case 'Vector':
      return [];
  }
}

const REGEX_META = /[\\.+*?()|[\]{}^$]/;

/**
 * Literal substrings that every line passing the pipeline must contain, for the store's content
 * filters (`EntryQuery.lineContains`). Only filters before the first stage that rewrites the line
 * count; `or` chains, `ip()`, negations and case-insensitive or non-literal regexps add nothing;
 * a `|~` whose pattern is a plain literal counts like `|=`. Empty strings are left out.
 */
export function requiredLineSubstrings(pipeline: readonly Stage[]): string[] {
  const out: string[] = [];
  for (const s of pipeline) {
    if (s.kind === 'LineFormat' || s.kind === 'UnpackParser' || s.kind === 'Decolorize') break;
    if (s.kind !== 'LineFilter' || s.values.length !== 1) continue;
    const v = s.values[0]!;
    if (v.kind !== 'String' || v.value === '') continue;
    if (s.op === '|=' || (s.op === '|~' && !REGEX_META.test(v.value))) {
      if (!out.includes(v.value)) out.push(v.value);
    }
  }
  return out;
}
