/** `lode stats '<selector>'`: streams, chunks, entries and bytes for a selector (/index/stats). */
import { CONNECTION_HELP, CONNECTION_OPTIONS, RANGE_HELP, RANGE_OPTIONS, connectionOf, oneOf, parse, rangeOf, single } from './args.js';
import { getJson } from './client.js';
import { useColour } from './colour.js';
import { EXIT_OK, ServerError } from './errors.js';
import { table } from './format.js';

const USAGE = `Usage: lode stats '<selector>' [options]

Shows how many streams, chunks, entries and bytes a selector covers.

Options:
  -o, --output MODE default (table) | raw | jsonl | json
${RANGE_HELP}${CONNECTION_HELP}`;

const OPTIONS = { ...CONNECTION_OPTIONS, ...RANGE_OPTIONS, output: { type: 'string', short: 'o' } } as const;
const FIELDS = ['streams', 'chunks', 'entries', 'bytes'] as const;

export async function statsCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, OPTIONS);
  if (values.help) {
    process.stdout.write(USAGE);
    return EXIT_OK;
  }
  const query = single(positionals, 'stream selector');
  const conn = connectionOf(values);
  const range = rangeOf(values);
  const mode = oneOf(values.output, '--output', ['default', 'raw', 'jsonl', 'json'] as const, 'default');
  const body = (await getJson(conn, '/loki/api/v1/index/stats', { query, start: range.start.toString(), end: range.end.toString() })) as Record<string, unknown>;
  for (const f of FIELDS) if (typeof body[f] !== 'number') throw new ServerError(`index/stats answered without "${f}": ${JSON.stringify(body).slice(0, 200)}`);
  if (mode === 'json' || mode === 'jsonl') process.stdout.write(JSON.stringify(body) + '\n');
  else if (mode === 'raw') process.stdout.write(FIELDS.map((f) => String(body[f])).join(' ') + '\n');
  else process.stdout.write(table(['STREAMS', 'CHUNKS', 'ENTRIES', 'BYTES'], [FIELDS.map((f) => String(body[f]))], useColour()));
  return EXIT_OK;
}
