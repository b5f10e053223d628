/**
 * `lode bench query`: runs a set of LogQL queries repeatedly against a server (by default the
 * kinds a dashboard runs over data from `lode bench ingest`) and reports latency per query.
 */
import { getData, type Connection } from '../client.js';
import { ServerError } from '../errors.js';
import { progressBar } from './progress.js';
import { latency, type LatencySummary } from './summary.js';

export const DEFAULT_QUERIES = [
  '{app="api", bench="lode"}',
  '{bench="lode"} |= "payment declined"',
  '{app="web"} | logfmt | status >= 500',
  'sum by (app) (count_over_time({bench="lode"}[1m]))',
  'sum by (level) (rate({env="prod"} | logfmt [5m]))',
  'quantile_over_time(0.99, {app="api"} | logfmt | unwrap duration(duration) [5m]) by (env)',
];

export interface QueryBenchOptions {
  queries: string[];
  runs: number;
  concurrency: number;
  start: bigint;
  end: bigint;
  limit: number;
  progress: boolean;
}

export interface QueryBenchRow {
  query: string;
  runs: number;
  errors: number;
  firstError?: string;
  ms: LatencySummary;
  linesProcessed: number;
}

interface Stats {
  stats?: { summary?: { totalLinesProcessed?: number } };
}

export async function benchQuery(conn: Connection, o: QueryBenchOptions): Promise<QueryBenchRow[]> {
  const bar = progressBar(o.queries.length * o.runs, 'queries', o.progress);
  const rows: QueryBenchRow[] = [];
  for (const query of o.queries) {
    const times: number[] = [];
    let errors = 0;
    let firstError: string | undefined;
    let linesProcessed = 0;
    let remaining = o.runs;
    const worker = async () => {
      while (remaining > 0) {
        remaining--;
        const t0 = performance.now();
        try {
          const data = await getData<Stats>(conn, '/loki/api/v1/query_range', {
            query,
            start: o.start.toString(),
            end: o.end.toString(),
            limit: String(o.limit),
          });
          times.push(performance.now() - t0);
          linesProcessed = data.stats?.summary?.totalLinesProcessed ?? linesProcessed;
        } catch (err) {
          if (!(err instanceof ServerError)) throw err;
          errors++;
          firstError ??= err.message;
        }
        bar.increment(1);
      }
    };
    await Promise.all(Array.from({ length: o.concurrency }, worker));
    rows.push({ query, runs: o.runs, errors, ...(firstError ? { firstError } : {}), ms: latency(times), linesProcessed });
  }
  bar.stop();
  return rows;
}
