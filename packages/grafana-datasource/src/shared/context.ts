// Log context: the lines just before or after one row, from the same stream.
import { firstSelector, selectorFromLabels } from './logql.js';
import type { LodeQueryModel } from './types.js';

export type ContextDirection = 'BACKWARD' | 'FORWARD';

export const CONTEXT_WINDOW_MS = 2 * 60 * 60 * 1000;

export interface ContextRequest {
  query: LodeQueryModel;
  fromMs: number;
  toMs: number;
}

/**
 * The stream of a row is the part of its labels that lode indexes (the `labels` API lists those names);
 * structured metadata and parsed labels vary per line and would narrow the context to almost nothing.
 */
export function contextSelector(rowLabels: Record<string, string>, indexedNames: Iterable<string>, originalExpr: string): string {
  const indexed = new Set(indexedNames);
  const stream: Record<string, string> = {};
  for (const [k, v] of Object.entries(rowLabels)) if (indexed.has(k)) stream[k] = v;
  if (Object.keys(stream).length > 0) return selectorFromLabels(stream);
  const original = firstSelector(originalExpr);
  if (!original) throw new Error('log context needs a stream selector: the row has no indexed labels and the query has no selector');
  return original;
}

export function buildContextRequest(opts: {
  refId: string;
  rowTimeMs: number;
  rowLabels: Record<string, string>;
  indexedNames: Iterable<string>;
  originalExpr: string;
  direction: ContextDirection;
  limit: number;
}): ContextRequest {
  const expr = contextSelector(opts.rowLabels, opts.indexedNames, opts.originalExpr);
  const backward = opts.direction === 'BACKWARD';
  const query: LodeQueryModel = {
    refId: `context-${opts.refId}`,
    expr,
    queryType: 'logs',
    maxLines: opts.limit,
    direction: backward ? 'backward' : 'forward',
  };
  // The row's own millisecond is included on both sides; the caller drops the row itself by id/time.
  return backward
    ? { query, fromMs: opts.rowTimeMs - CONTEXT_WINDOW_MS, toMs: opts.rowTimeMs + 1 }
    : { query, fromMs: opts.rowTimeMs, toMs: opts.rowTimeMs + CONTEXT_WINDOW_MS };
}
