/**
 * `/loki/api/v1/patterns`: the matched lines of a time range mined into patterns (see drain.ts),
 * each with its count per step, in Loki's shape:
 * `{"status":"success","data":[{"pattern":"…","level":"info","samples":[[<unix s>, <count>],…]}]}`.
 * Loki mines patterns at ingest; lode mines them at query time over at most MAX_LINES lines.
 */
import type { LogStore } from '@lode/store';
import { Drain, type Cluster } from './drain.js';
import { sampleLines } from './log-sample.js';
import { parseLogQuery } from './selector.js';
import { BadRequest, boundsParams, durationParam, param, type Params } from './params.js';

const ONE_HOUR_NS = 3600n * 1_000_000_000n;
const SECOND = 1_000_000_000n;
const MAX_LINES = 200_000;

interface PatternAcc {
  cluster: Cluster;
  level: string | undefined;
  buckets: Map<number, number>;
  total: number;
}

export interface PatternResult {
  pattern: string;
  level?: string;
  samples: [number, number][];
}

export function patterns(store: LogStore, tenants: string[], params: Params): PatternResult[] {
  const expr = parseLogQuery(param(params, 'query') ?? missingQuery());
  const { start, end } = boundsParams(params, ONE_HOUR_NS);
  const defaultStep = ((end - start) / SECOND / 250n > 1n ? (end - start) / SECOND / 250n : 1n) * SECOND;
  const step = durationParam(params, 'step') ?? defaultStep;
  if (step <= 0n) throw new BadRequest('zero or negative query resolution step widths are not accepted. Try a positive integer');
  const stepSeconds = Number(step / SECOND) || 1;
  // One clusterer per level, so "error" and "info" lines never merge into one pattern.
  const drains = new Map<string, Drain>();
  const accs = new Map<string, PatternAcc>();
  sampleLines(store, tenants, { expr, from: start, to: end, direction: 'forward', maxLines: MAX_LINES }, ({ entry, line }) => {
    const level = entry.metadata.detected_level ?? entry.stream.labels.detected_level ?? entry.stream.labels.level ?? '';
    let drain = drains.get(level);
    if (!drain) drains.set(level, (drain = new Drain()));
    const cluster = drain.train(line);
    if (!cluster) return;
    const key = `${level}\u0000${cluster.id}`;
    let acc = accs.get(key);
    if (!acc) accs.set(key, (acc = { cluster, level: level || undefined, buckets: new Map(), total: 0 }));
    const seconds = Number(entry.ts / SECOND);
    const bucket = seconds - (((seconds % stepSeconds) + stepSeconds) % stepSeconds);
    acc.buckets.set(bucket, (acc.buckets.get(bucket) ?? 0) + 1);
    acc.total++;
  });
  // Clusters that generalised to the same text are one pattern.
  const merged = new Map<string, { pattern: string; level: string | undefined; buckets: Map<number, number>; total: number }>();
  for (const a of accs.values()) {
    const pattern = a.cluster.pattern;
    const key = `${a.level ?? ''}\u0000${pattern}`;
    const m = merged.get(key);
    if (!m) {
      merged.set(key, { pattern, level: a.level, buckets: a.buckets, total: a.total });
      continue;
    }
    for (const [t, n] of a.buckets) m.buckets.set(t, (m.buckets.get(t) ?? 0) + n);
    m.total += a.total;
  }
  return [...merged.values()]
    .sort((a, b) => b.total - a.total)
    .map((a) => ({
      pattern: a.pattern,
      ...(a.level ? { level: a.level } : {}),
      samples: [...a.buckets.entries()].sort(([x], [y]) => x - y),
    }));
}

function missingQuery(): never {
  throw new BadRequest('query parameter is required: a LogQL log query such as {app="api"}');
}
