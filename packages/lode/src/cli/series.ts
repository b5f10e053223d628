/** `lode series '<selector>'…`: the streams matching one or more selectors. */
import { CONNECTION_HELP, CONNECTION_OPTIONS, RANGE_HELP, RANGE_OPTIONS, connectionOf, oneOf, parse, rangeOf } from './args.js';
import { getData } from './client.js';
import { useColour } from './colour.js';
import { EXIT_OK, UsageError } from './errors.js';
import { labelsText, table } from './format.js';
import type { Labels } from './loki-types.js';

const USAGE = `Usage: lode series '<selector>' ['<selector>'…] [options]

Lists the streams (label sets) matching any of the selectors.

Options:
  -o, --output MODE default (one label set per line) | raw | jsonl | json
  --table           one column per label name instead of one label set per line
${RANGE_HELP}${CONNECTION_HELP}`;

const OPTIONS = { ...CONNECTION_OPTIONS, ...RANGE_OPTIONS, output: { type: 'string', short: 'o' }, table: { type: 'boolean' } } as const;

export async function seriesCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, OPTIONS);
  if (values.help) {
    process.stdout.write(USAGE);
    return EXIT_OK;
  }
  if (positionals.length === 0) throw new UsageError('expected at least one stream selector, e.g. \'{app="api"}\'');
  const conn = connectionOf(values);
  const range = rangeOf(values);
  const mode = oneOf(values.output, '--output', ['default', 'raw', 'jsonl', 'json'] as const, 'default');
  const data = await getData<Labels[]>(conn, '/loki/api/v1/series', { 'match[]': positionals, start: range.start.toString(), end: range.end.toString() });
  if (mode === 'json') process.stdout.write(JSON.stringify(data) + '\n');
  else if (mode === 'jsonl') for (const s of data) process.stdout.write(JSON.stringify(s) + '\n');
  else if (values.table) {
    const cols = [...new Set(data.flatMap((s) => Object.keys(s)))].sort();
    process.stdout.write(table(cols, data.map((s) => cols.map((c) => s[c] ?? '')), useColour()));
  } else for (const s of data) process.stdout.write(labelsText(s) + '\n');
  return EXIT_OK;
}
