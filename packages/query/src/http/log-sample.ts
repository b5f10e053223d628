/**
 * Lines matched by a log query, for the endpoints that look at content rather than the index
 * (detected fields, patterns): the selector plus the query's pipeline, newest or oldest first,
 * up to a line budget, across every tenant of the request.
 */
import type { Direction, LogStore, StoredEntry } from '@lode/store';
import type { LogQueryExpr } from '../logql/index.js';
import { compilePipeline } from '../pipeline/index.js';

export interface SampledLine {
  entry: StoredEntry;
  /** The line after the query's pipeline (line_format may have rewritten it). */
  line: string;
}

export interface SampleQuery {
  expr: LogQueryExpr;
  from: bigint;
  to: bigint;
  direction: Direction;
  maxLines: number;
}

/** Calls `visit` for each matching line until `maxLines` lines (per tenant) have been seen. */
export function sampleLines(store: LogStore, tenants: string[], q: SampleQuery, visit: (s: SampledLine) => void): void {
  const pipeline = compilePipeline(q.expr.pipeline);
  for (const tenant of tenants) {
    let seen = 0;
    const entries = store.entries(tenant, {
      matchers: [...q.expr.matchers],
      from: q.from,
      to: q.to,
      direction: q.direction,
      lineContains: pipeline.requiredLiterals,
    });
    for (const entry of entries) {
      const r = pipeline.process(entry.ts, entry.line, undefined, entry.stream.labels, entry.metadata);
      if (!r) continue;
      visit({ entry, line: r.line });
      if (++seen >= q.maxLines) break;
    }
  }
}
