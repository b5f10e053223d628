/** Latency percentiles and the summary table both bench modes end with. */
import { table } from '../format.js';

export function percentile(sortedMs: number[], p: number): number {
  if (sortedMs.length === 0) return 0;
  return sortedMs[Math.min(sortedMs.length - 1, Math.ceil((p / 100) * sortedMs.length) - 1)]!;
}

export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export function latency(ms: number[]): LatencySummary {
  const sorted = [...ms].sort((a, b) => a - b);
  const round = (v: number) => Math.round(v * 100) / 100;
  return { p50: round(percentile(sorted, 50)), p90: round(percentile(sorted, 90)), p99: round(percentile(sorted, 99)), max: round(sorted.at(-1) ?? 0) };
}

/** A two-column key/value table. */
export function keyValueTable(rows: Array<[string, string | number]>, colour: boolean): string {
  return table(['METRIC', 'VALUE'], rows.map(([k, v]) => [k, String(v)]), colour);
}
