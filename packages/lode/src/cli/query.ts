/**
 * `lode query '<logql>'`: a range query, like `logcli query`. Log queries are fetched in batches
 * (the server caps one answer at max_entries_limit_per_query) until --limit lines are printed,
 * each batch continuing from the last timestamp seen without repeating lines; metric queries
 * print an aligned table.
 */
import { CONNECTION_HELP, CONNECTION_OPTIONS, RANGE_HELP, RANGE_OPTIONS, connectionOf, oneOf, parse, positiveInt, rangeOf, single } from './args.js';
import { getData } from './client.js';
import { useColour } from './colour.js';
import { EntryPrinter, OUTPUT_HELP, OUTPUT_MODES, type OutputMode } from './format.js';
import { printMetric } from './metric-output.js';
import { parseDuration } from './time.js';
import { entriesOf, type Entry, type QueryData, type StreamResult } from './loki-types.js';
import { EXIT_OK } from './errors.js';

const USAGE = `Usage: lode query '<logql>' [options]

Runs a LogQL range query. Log queries print one line per entry; metric queries print a table.

Options:
  --limit N         most log lines to print (default 30)
  --batch N         lines fetched per request (default 1000)
  --forward         oldest first (default: newest first)
  --step DUR        resolution of metric queries (default: the server's)
${OUTPUT_HELP}${RANGE_HELP}${CONNECTION_HELP}`;

const OPTIONS = {
  ...CONNECTION_OPTIONS,
  ...RANGE_OPTIONS,
  limit: { type: 'string' },
  batch: { type: 'string' },
  forward: { type: 'boolean' },
  step: { type: 'string' },
  output: { type: 'string', short: 'o' },
} as const;

export async function queryCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, OPTIONS);
  if (values.help) {
    process.stdout.write(USAGE);
    return EXIT_OK;
  }
  const query = single(positionals, 'LogQL query');
  const conn = connectionOf(values);
  const range = rangeOf(values);
  const limit = positiveInt(values.limit, '--limit', 30);
  const batch = positiveInt(values.batch, '--batch', 1000);
  const mode = oneOf(values.output, '--output', OUTPUT_MODES, 'default');
  const step = values.step === undefined ? undefined : (Number(parseDuration(values.step, '--step')) / 1e9).toString();
  const direction = values.forward ? 'forward' : 'backward';
  const colour = useColour();

  const base = { query, direction, ...(step ? { step } : {}) };
  let asked = Math.min(limit, batch);
  const first = await getData<QueryData>(conn, '/loki/api/v1/query_range', {
    ...base,
    start: range.start.toString(),
    end: range.end.toString(),
    limit: String(asked),
  });
  if (first.resultType !== 'streams') {
    printMetric(first, mode, colour);
    return EXIT_OK;
  }
  const printer = mode === 'json' ? undefined : new EntryPrinter(mode, colour);
  const collected: StreamResult[] = [];
  let pending = first.result;
  let printed = 0;
  let window = { ...range };
  // Lines at the batch boundary's timestamp that were already printed: the next batch includes
  // that timestamp again (it may hold more lines than fitted), and these must not repeat.
  let boundary: { ts: bigint; seen: Set<string> } | undefined;
  for (;;) {
    const entries = sortEntries(entriesOf(pending), direction === 'forward');
    let fresh = 0;
    for (const e of entries) {
      if (printed >= limit) break;
      const key = `${JSON.stringify(e.labels)}\n${e.line}`;
      if (boundary && e.ts === boundary.ts && boundary.seen.has(key)) continue;
      if (!boundary || e.ts !== boundary.ts) boundary = { ts: e.ts, seen: new Set() };
      boundary.seen.add(key);
      fresh++;
      printed++;
      if (printer) printer.print(e);
      else collected.push({ stream: e.labels, values: [[e.ts.toString(), e.line]] });
    }
    if (printed >= limit || entries.length < asked || fresh === 0 || !boundary) break;
    window = direction === 'forward' ? { start: boundary.ts, end: window.end } : { start: window.start, end: boundary.ts + 1n };
    asked = Math.min(limit - printed + boundary.seen.size, batch);
    pending = (
      await getData<{ result: StreamResult[] }>(conn, '/loki/api/v1/query_range', {
        ...base,
        start: window.start.toString(),
        end: window.end.toString(),
        limit: String(asked),
      })
    ).result;
  }
  if (mode === 'json') process.stdout.write(JSON.stringify({ resultType: 'streams', result: mergeStreams(collected) }) + '\n');
  return EXIT_OK;
}

function sortEntries(entries: Entry[], forward: boolean): Entry[] {
  return entries.sort((a, b) => (a.ts === b.ts ? 0 : (a.ts < b.ts) === forward ? -1 : 1));
}

/** Regroups printed entries by stream, keeping the print order within each. */
function mergeStreams(entries: StreamResult[]): StreamResult[] {
  const byKey = new Map<string, StreamResult>();
  for (const e of entries) {
    const key = JSON.stringify(e.stream);
    const s = byKey.get(key);
    if (s) s.values.push(...e.values);
    else byKey.set(key, { stream: e.stream, values: [...e.values] });
  }
  return [...byKey.values()];
}
