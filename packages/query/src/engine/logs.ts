/**
 * Log queries: entries through the pipeline, grouped into streams by their resulting label set,
 * `limit` entries in total in `direction` order over [start, end).
 */
import type { Direction, Labels } from '@lode/store';
import type { LogQueryExpr } from '../logql/ast.js';
import { compileStages } from './compile.js';
import { labelsKey } from './labels.js';
import type { Scanner } from './scan.js';

/** `[ts ns, line]`, or with categorized labels `[ts, line, {structuredMetadata?, parsed?}]`. */
export type StreamValue =
  | [string, string]
  | [string, string, { structuredMetadata?: Record<string, string>; parsed?: Record<string, string> }];

export interface StreamResult {
  stream: Labels;
  values: StreamValue[];
}

export interface LogQueryOptions {
  start: bigint;
  end: bigint;
  limit: number;
  direction: Direction;
  /** Only entries at least this far apart (per stream) are returned (Loki's `interval`). */
  interval?: bigint;
  /** `categorize-labels`: streams keep indexed labels; metadata and parsed labels go per entry. */
  categorizeLabels: boolean;
  /** Added as `__tenant_id__` when a query spans several tenants. */
  multiTenant: boolean;
}

interface StreamAcc {
  result: StreamResult;
  lastTs: bigint | undefined;
}

export async function evaluateLogQuery(expr: LogQueryExpr, opts: LogQueryOptions, scanner: Scanner): Promise<StreamResult[]> {
  const streams = new Map<string, StreamAcc>();
  const pipeline = compileStages(expr.pipeline);
  if (opts.limit <= 0 || opts.end <= opts.start) return [];
  let returned = 0;
  const interval = opts.interval && opts.interval > 0n ? opts.interval : undefined;
  await scanner.scan(
    {
      matchers: expr.matchers,
      from: opts.start,
      to: opts.end,
      direction: opts.direction,
      lineContains: pipeline.requiredLiterals,
      ...(pipeline.mayPass ? { keep: pipeline.mayPass } : {}),
    },
    (e, tenant) => {
      const r =
        e.lineBytes !== undefined
          ? pipeline.processBytes(e.ts, e.lineBytes, e.stream.labels, e.metadata)
          : pipeline.process(e.ts, e.line, undefined, e.stream.labels, e.metadata);
      if (!r) return;
      let streamLabels: Labels;
      let extra: StreamValue[2] | undefined;
      if (opts.categorizeLabels) {
        const split = categorize(r.labels, e.stream.labels, e.metadata);
        streamLabels = split.stream;
        extra = split.extra;
      } else {
        streamLabels = r.labels;
      }
      if (opts.multiTenant) streamLabels = { ...streamLabels, __tenant_id__: tenant };
      const key = labelsKey(streamLabels);
      let acc = streams.get(key);
      if (!acc) {
        acc = { result: { stream: streamLabels, values: [] }, lastTs: undefined };
        streams.set(key, acc);
      }
      if (interval !== undefined && acc.lastTs !== undefined) {
        const gap = opts.direction === 'forward' ? e.ts - acc.lastTs : acc.lastTs - e.ts;
        if (gap < interval) return;
      }
      acc.lastTs = e.ts;
      const ts = e.ts.toString();
      acc.result.values.push(extra ? [ts, r.line, extra] : [ts, r.line]);
      if (++returned >= opts.limit) return false;
    },
  );
  return [...streams.values()].map((a) => a.result);
}

function categorize(
  labels: Labels,
  stream: Labels,
  metadata: Labels,
): { stream: Labels; extra: StreamValue[2] | undefined } {
  const indexed: Record<string, string> = {};
  let structuredMetadata: Record<string, string> | undefined;
  let parsed: Record<string, string> | undefined;
  for (const name in labels) {
    const v = labels[name] as string;
    if (name in stream) indexed[name] = v;
    else if (name in metadata) (structuredMetadata ??= {})[name] = v;
    else (parsed ??= {})[name] = v;
  }
  if (!structuredMetadata && !parsed) return { stream: indexed, extra: undefined };
  const extra: { structuredMetadata?: Record<string, string>; parsed?: Record<string, string> } = {};
  if (structuredMetadata) extra.structuredMetadata = structuredMetadata;
  if (parsed) extra.parsed = parsed;
  return { stream: indexed, extra };
}
