/** `lode instant '<logql>'`: an instant (metric) query at one time, printed as a table. */
import { CONNECTION_HELP, CONNECTION_OPTIONS, connectionOf, oneOf, parse, single } from './args.js';
import { getData } from './client.js';
import { useColour } from './colour.js';
import { EXIT_OK } from './errors.js';
import { EntryPrinter, OUTPUT_HELP, OUTPUT_MODES } from './format.js';
import { entriesOf, type QueryData } from './loki-types.js';
import { printMetric } from './metric-output.js';
import { nowNs, parseTimestamp } from './time.js';

const USAGE = `Usage: lode instant '<logql>' [options]

Evaluates a LogQL metric query at one instant (/loki/api/v1/query).

Options:
  --time TIME       evaluation time (RFC 3339, unix seconds, or now; default now)
  --limit N         most series or lines the server returns (default 100)
${OUTPUT_HELP}${CONNECTION_HELP}`;

const OPTIONS = {
  ...CONNECTION_OPTIONS,
  time: { type: 'string' },
  limit: { type: 'string' },
  output: { type: 'string', short: 'o' },
} as const;

export async function instantCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, OPTIONS);
  if (values.help) {
    process.stdout.write(USAGE);
    return EXIT_OK;
  }
  const query = single(positionals, 'LogQL query');
  const conn = connectionOf(values);
  const mode = oneOf(values.output, '--output', OUTPUT_MODES, 'default');
  const time = values.time === undefined ? nowNs() : parseTimestamp(values.time, '--time');
  const data = await getData<QueryData>(conn, '/loki/api/v1/query', {
    query,
    time: time.toString(),
    ...(values.limit ? { limit: values.limit } : {}),
  });
  const colour = useColour();
  if (data.resultType !== 'streams') {
    printMetric(data, mode, colour);
    return EXIT_OK;
  }
  // Loki refuses log queries here; print them anyway should a server answer one.
  if (mode === 'json') process.stdout.write(JSON.stringify({ resultType: data.resultType, result: data.result }) + '\n');
  else {
    const printer = new EntryPrinter(mode, colour);
    for (const e of entriesOf(data.result)) printer.print(e);
  }
  return EXIT_OK;
}
