/**
 * The metadata endpoints: labels, label values, series, index stats and volume. They read only
 * the label index and chunk summaries, never chunk bytes.
 */
import type { IndexStats, Labels, LogStore, Matcher, SelectQuery } from '@lode/store';
import { BadRequest, boundsParams, durationParam, limitParam, param, type Params } from './params.js';
import { selectorMatchers } from './selector.js';

const SIX_HOURS_NS = 6n * 3600n * 1_000_000_000n;
const ONE_HOUR_NS = 3600n * 1_000_000_000n;

/** The store answers each tenant sorted and unique, so only a multi-tenant read needs merging. */
function sortedUnion(lists: string[][]): string[] {
  if (lists.length === 1) return lists[0]!;
  return [...new Set(lists.flat())].sort();
}

function selectQuery(params: Params, defaultSince: bigint): SelectQuery {
  const { start, end } = boundsParams(params, defaultSince);
  const text = param(params, 'query');
  return { from: start, to: end, matchers: text === undefined ? [] : selectorMatchers(text) };
}

export function labelNames(store: LogStore, tenants: string[], params: Params): string[] {
  const q = selectQuery(params, SIX_HOURS_NS);
  return sortedUnion(tenants.map((t) => store.labelNames(t, q)));
}

export function labelValues(store: LogStore, tenants: string[], name: string, params: Params): string[] {
  const q = selectQuery(params, SIX_HOURS_NS);
  return sortedUnion(tenants.map((t) => store.labelValues(t, name, q)));
}

function labelKey(labels: Labels): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export function series(store: LogStore, tenants: string[], params: Params): Labels[] {
  const { start, end } = boundsParams(params, SIX_HOURS_NS);
  const selectors = params.get('match[]') ?? params.get('match') ?? [];
  if (selectors.length === 0) throw new BadRequest('at least one match[] selector is required');
  const matcherSets = selectors.map(selectorMatchers);
  if (tenants.length === 1) return store.series(tenants[0]!, { from: start, to: end }, matcherSets);
  const seen = new Map<string, Labels>();
  for (const t of tenants) {
    for (const labels of store.series(t, { from: start, to: end }, matcherSets)) seen.set(labelKey(labels), labels);
  }
  return [...seen.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, l]) => l);
}

export function indexStats(store: LogStore, tenants: string[], params: Params): IndexStats {
  const q = selectQuery(params, ONE_HOUR_NS);
  if (q.matchers.length === 0) throw new BadRequest('query is required: a stream selector like {app="api"}');
  const total: IndexStats = { streams: 0, chunks: 0, entries: 0, bytes: 0 };
  for (const t of tenants) {
    const s = store.indexStats(t, q);
    total.streams += s.streams;
    total.chunks += s.chunks;
    total.entries += s.entries;
    total.bytes += s.bytes;
  }
  return total;
}

interface VolumeRequest {
  q: SelectQuery;
  limit: number;
  /** Labels to group by; empty = the names of the selector's matchers (Loki's default). */
  targets: string[];
  byLabels: boolean;
}

function volumeRequest(params: Params): VolumeRequest {
  const q = selectQuery(params, ONE_HOUR_NS);
  if (q.matchers.length === 0) throw new BadRequest('query is required: a stream selector like {app="api"}');
  const aggregateBy = param(params, 'aggregateBy') ?? 'series';
  if (aggregateBy !== 'series' && aggregateBy !== 'labels') {
    throw new BadRequest(`invalid aggregateBy "${aggregateBy}": use series or labels`);
  }
  const targetText = param(params, 'targetLabels');
  const targets = targetText ? targetText.split(',').map((s) => s.trim()).filter(Boolean) : [...new Set(q.matchers.map((m: Matcher) => m.name))];
  return { q, limit: limitParam(params, 100), targets, byLabels: aggregateBy === 'labels' };
}

/** The volume keys one stream contributes to: a label subset, or one key per label name. */
function volumeKeys(labels: Labels, req: VolumeRequest): Labels[] {
  if (req.byLabels) {
    const names = req.targets.length ? req.targets.filter((n) => n in labels) : Object.keys(labels);
    return names.map((n) => ({ [n]: '' }));
  }
  const key: Record<string, string> = {};
  for (const name of req.targets) if (labels[name] !== undefined) key[name] = labels[name]!;
  return [key];
}

/** Bytes per volume key and per step bucket (one bucket for the instant form). */
function accumulateVolume(store: LogStore, tenants: string[], req: VolumeRequest, step: bigint | undefined): Map<string, { metric: Labels; buckets: Map<bigint, number> }> {
  const out = new Map<string, { metric: Labels; buckets: Map<bigint, number> }>();
  for (const t of tenants) {
    for (const s of store.chunkSummaries(t, req.q)) {
      const bucket = step === undefined ? req.q.to : req.q.from + ((s.maxTs - req.q.from) / step) * step;
      for (const metric of volumeKeys(s.stream.labels, req)) {
        const k = labelKey(metric);
        let row = out.get(k);
        if (!row) out.set(k, (row = { metric, buckets: new Map() }));
        row.buckets.set(bucket, (row.buckets.get(bucket) ?? 0) + s.bytes);
      }
    }
  }
  return out;
}

function seconds(ns: bigint): number {
  return Number(ns) / 1e9;
}

export function volume(store: LogStore, tenants: string[], params: Params) {
  const req = volumeRequest(params);
  const rows = [...accumulateVolume(store, tenants, req, undefined).values()]
    .map((r) => ({ metric: r.metric, total: [...r.buckets.values()].reduce((a, b) => a + b, 0) }))
    .sort((a, b) => b.total - a.total)
    .slice(0, req.limit);
  return {
    resultType: 'vector',
    result: rows.map((r) => ({ metric: r.metric, value: [seconds(req.q.to), String(r.total)] })),
  };
}

export function volumeRange(store: LogStore, tenants: string[], params: Params) {
  const req = volumeRequest(params);
  const step = durationParam(params, 'step') ?? BigInt(Math.max(1, Math.floor(Number(req.q.to - req.q.from) / 1e9 / 250))) * 1_000_000_000n;
  if (step <= 0n) throw new BadRequest('zero or negative query resolution step widths are not accepted. Try a positive integer');
  const rows = [...accumulateVolume(store, tenants, req, step).values()]
    .map((r) => ({ r, total: [...r.buckets.values()].reduce((a, b) => a + b, 0) }))
    .sort((a, b) => b.total - a.total)
    .slice(0, req.limit);
  return {
    resultType: 'matrix',
    result: rows.map(({ r }) => ({
      metric: r.metric,
      values: [...r.buckets.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([t, v]) => [seconds(t), String(v)]),
    })),
  };
}
