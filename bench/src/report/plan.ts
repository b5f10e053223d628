/** Which benchmarks the report runs, with which sizes, and how their output is read. */
import type { Figure } from './figures.js';
import { parseIngest, parseMetadata, parseQuery, parseStore } from './parse.js';
import { parseSyslog } from './syslog.js';

export const BENCHMARKS = ['store', 'ingest', 'syslog', 'metadata', 'query'] as const;
export type BenchmarkKey = (typeof BENCHMARKS)[number];

export interface BenchmarkPlan {
  key: BenchmarkKey;
  title: string;
  /** Script path relative to the repository root. */
  script: string;
  args: string[];
  /** For 'syslog': lines to push through a `lode serve` the report starts (see syslog.ts). */
  syslogLines?: number;
  parse: (stdout: string) => Figure[];
  /** Where the targets come from and what they assume. */
  targets: string;
  /** What this mode changes against the sizes the targets were set for. */
  sizeNote: string;
}

export function plan(key: BenchmarkKey, quick: boolean): BenchmarkPlan {
  switch (key) {
    case 'store':
      return {
        key,
        title: 'Store: in-process append with fsync, compression, needle pruning, RSS',
        script: 'bench/dist/store.js',
        args: quick ? ['--entries', '500000'] : [],
        parse: parseStore,
        targets: 'issue 2: ≥ 400,000 entries/s in batches of 1,000 with fsync; ≥ 10:1 compression; a needle decodes ≤ 5% of chunks; RSS under 500 MB for 5 million entries in 100 streams',
        sizeNote: quick ? 'quick mode: 500,000 entries (targets are for 5,000,000), so RSS and compression are not comparable' : '5,000,000 entries in 100 streams, as the targets assume',
      };
    case 'ingest':
      return {
        key,
        title: 'HTTP ingest against a real `lode serve` (fsync before ack, generator on the same machine)',
        script: 'bench/dist/ingest-http.js',
        args: ['--seconds', quick ? '3' : '10'],
        parse: parseIngest,
        targets: 'issue 3: Loki push ≥ 340,000 lines/s; OTLP/HTTP ≥ 150,000 records/s; RSS ≤ 500 MB while ingesting (syslog TCP: see its own section)',
        sizeNote: quick ? 'quick mode: 3 s per protocol (short runs are dominated by warm-up)' : '10 s per protocol',
      };
    case 'syslog':
      return {
        key,
        title: 'Syslog TCP ingest against a real `lode serve` (fsync, counted once queryable)',
        script: 'packages/lode/bin/lode.js',
        args: [],
        syslogLines: quick ? 200_000 : 500_000,
        parse: parseSyslog,
        targets: 'issue 3: syslog TCP ≥ 100,000 messages/s; RSS ≤ 500 MB while ingesting',
        sizeNote: quick ? 'quick mode: 200,000 lines' : '500,000 lines',
      };
    case 'metadata':
      return {
        key,
        title: 'Metadata endpoints over 10,000 streams (sequential keep-alive requests)',
        script: 'bench/dist/metadata.js',
        args: quick ? ['--requests', '100'] : [],
        parse: parseMetadata,
        targets: 'issue 5: p99 ≤ 20 ms over 10,000 streams',
        sizeNote: quick ? 'quick mode: 100 requests per endpoint, so p99 is the second-slowest request' : '300 requests per endpoint',
      };
    case 'query':
      return {
        key,
        title: 'LogQL query latency (in-process `evaluateRange`, no HTTP)',
        script: 'bench/dist/query.js',
        args: quick ? ['--entries', '500000', '--runs', '3'] : [],
        parse: parseQuery,
        targets: "issue 4: 2× faster than Grafana Loki 3.4 measured here on 2.2 M lines (the needle 20×, the count aggregation 5×); the targets are the benchmark's own column",
        sizeNote: quick ? 'quick mode: 500,000 lines, 3 runs per query (targets are for ~5,000,000 lines)' : '5,000,000 lines in 100 streams, median of 5 runs',
      };
  }
}
