/** `lode bench ingest|query`: drives a running server and ends with a summary table or JSON. */
import { CONNECTION_HELP, CONNECTION_OPTIONS, RANGE_HELP, RANGE_OPTIONS, connectionOf, oneOf, parse, positiveInt, rangeOf } from '../args.js';
import type { Connection } from '../client.js';
import { useColour } from '../colour.js';
import { EXIT_FAILURE, EXIT_OK, UsageError } from '../errors.js';
import { table } from '../format.js';
import { PROTOCOLS, type BenchProtocol } from './bodies.js';
import { benchIngest, type IngestResult } from './ingest.js';
import { benchQuery, DEFAULT_QUERIES } from './query.js';
import { keyValueTable } from './summary.js';

const USAGE = `Usage: lode bench ingest|query [options]

ingest: pushes seeded, generated lines (logfmt and JSON) and reports throughput, latency and
        the server's peak RSS (from /metrics).
  --protocol P      loki-json (default), loki-proto (protobuf + snappy), otlp-proto (OTLP/HTTP
                    protobuf to /otlp/v1/logs), syslog-tcp (RFC 5424, octet counting; the run
                    ends once index/stats counts every line), or all (each in turn)
  --syslog-addr A   host:port of the syslog listener (default: --addr's host, port 1514)
  --lines N         lines to push (default 100000)
  --streams N       streams to spread them over (default 24)
  --batch-size N    lines per request (default 1000)
  --concurrency N   requests in flight, or syslog connections (default 4)
  --seed N          generator seed (default 1)

query: runs LogQL queries repeatedly and reports latency per query.
  --query Q         a query to run (repeatable; default: a set over bench ingest's data)
  --runs N          runs per query (default 20)
  --concurrency N   queries in flight (default 2)
  --limit N         line limit of log queries (default 100)
${RANGE_HELP}
Both:
  --json            print the summary as JSON instead of a table (no progress bar)
  Exit code 1 when any request failed.
${CONNECTION_HELP}`;

const OPTIONS = {
  ...CONNECTION_OPTIONS,
  ...RANGE_OPTIONS,
  protocol: { type: 'string' },
  'syslog-addr': { type: 'string' },
  lines: { type: 'string' },
  streams: { type: 'string' },
  'batch-size': { type: 'string' },
  concurrency: { type: 'string' },
  seed: { type: 'string' },
  query: { type: 'string', multiple: true },
  runs: { type: 'string' },
  limit: { type: 'string' },
  json: { type: 'boolean' },
} as const;

export async function benchCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, OPTIONS);
  if (values.help) {
    process.stdout.write(USAGE);
    return EXIT_OK;
  }
  const mode = positionals[0];
  if (positionals.length !== 1 || (mode !== 'ingest' && mode !== 'query')) throw new UsageError('expected "ingest" or "query", e.g. lode bench ingest --lines 100000');
  const conn = connectionOf(values);
  const json = values.json === true;
  const colour = useColour();

  if (mode === 'ingest') {
    const protocol = oneOf(values.protocol, '--protocol', [...PROTOCOLS, 'all'], 'loki-json');
    const protocols: BenchProtocol[] = protocol === 'all' ? [...PROTOCOLS] : [protocol];
    const results: IngestResult[] = [];
    for (const p of protocols) {
      results.push(
        await benchIngest(conn, {
          protocol: p,
          lines: positiveInt(values.lines, '--lines', 100_000),
          streams: positiveInt(values.streams, '--streams', 24),
          batchSize: positiveInt(values['batch-size'], '--batch-size', 1000),
          concurrency: positiveInt(values.concurrency, '--concurrency', 4),
          seed: positiveInt(values.seed, '--seed', 1),
          progress: !json,
          syslogAddr: values['syslog-addr'] ?? defaultSyslogAddr(conn),
        }),
      );
    }
    if (json) process.stdout.write(JSON.stringify(protocol === 'all' ? results : results[0]) + '\n');
    else process.stdout.write(protocol === 'all' ? protocolTable(results, colour) : ingestTable(results[0]!, colour));
    for (const r of results) if (r.firstError) process.stderr.write(`lode bench: ${r.protocol}: ${r.firstError}\n`);
    return results.some((r) => r.failedLines > 0) ? EXIT_FAILURE : EXIT_OK;
  }

  const range = rangeOf(values);
  const rows = await benchQuery(conn, {
    queries: values.query ?? DEFAULT_QUERIES,
    runs: positiveInt(values.runs, '--runs', 20),
    concurrency: positiveInt(values.concurrency, '--concurrency', 2),
    limit: positiveInt(values.limit, '--limit', 100),
    start: range.start,
    end: range.end,
    progress: !json,
  });
  if (json) process.stdout.write(JSON.stringify(rows) + '\n');
  else {
    process.stdout.write(
      table(
        ['QUERY', 'RUNS', 'ERRORS', 'P50 MS', 'P90 MS', 'P99 MS', 'LINES SCANNED'],
        rows.map((r) => [r.query, String(r.runs), String(r.errors), String(r.ms.p50), String(r.ms.p90), String(r.ms.p99), String(r.linesProcessed)]),
        colour,
      ),
    );
    for (const r of rows) if (r.firstError) process.stderr.write(`lode bench: ${r.query}: ${r.firstError}\n`);
  }
  return rows.some((r) => r.errors > 0) ? EXIT_FAILURE : EXIT_OK;
}

/** Syslog listens on the HTTP server's host at the default port unless told otherwise. */
function defaultSyslogAddr(conn: Connection): string {
  return `${new URL(conn.addr).hostname}:1514`;
}

const rssMb = (r: IngestResult): string => (r.serverPeakRssBytes === undefined ? '-' : String(Math.round(r.serverPeakRssBytes / 1e6)));

function ingestTable(r: IngestResult, colour: boolean): string {
  return keyValueTable(
    [
      ['protocol', r.protocol],
      ['lines pushed', r.lines],
      ['line bytes', r.bytes],
      ['requests', r.requests],
      ['retries', r.retries],
      ['lines refused', r.failedLines],
      ['seconds', r.seconds],
      ['lines/s', r.linesPerSecond],
      ['MB/s (line bytes)', r.mbPerSecond],
      ['request p50 ms', r.requestMs.p50],
      ['request p90 ms', r.requestMs.p90],
      ['request p99 ms', r.requestMs.p99],
      ['request max ms', r.requestMs.max],
      ['server peak RSS MB', rssMb(r)],
    ],
    colour,
  );
}

/** One row per protocol (`--protocol all`). */
function protocolTable(results: IngestResult[], colour: boolean): string {
  return table(
    ['PROTOCOL', 'LINES', 'REFUSED', 'SECONDS', 'LINES/S', 'MB/S', 'P50 MS', 'P99 MS', 'SERVER RSS MB'],
    results.map((r) => [r.protocol, String(r.lines), String(r.failedLines), String(r.seconds), String(r.linesPerSecond), String(r.mbPerSecond), String(r.requestMs.p50), String(r.requestMs.p99), rssMb(r)]),
    colour,
  );
}
