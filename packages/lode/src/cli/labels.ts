/** `lode labels [name]`: label names, or the values of one label, in a time range. */
import { CONNECTION_HELP, CONNECTION_OPTIONS, RANGE_HELP, RANGE_OPTIONS, connectionOf, oneOf, parse, rangeOf } from './args.js';
import { getData } from './client.js';
import { EXIT_OK, UsageError } from './errors.js';

const USAGE = `Usage: lode labels [name] [options]

Without a name: every label name. With a name: the values of that label.

Options:
  --query SELECTOR  only labels of streams matching this selector, e.g. '{app="api"}'
  -o, --output MODE default | raw | jsonl | json (default, raw and jsonl print one per line)
${RANGE_HELP}${CONNECTION_HELP}`.replace('(default 1h)', '(default 6h)');

const OPTIONS = { ...CONNECTION_OPTIONS, ...RANGE_OPTIONS, query: { type: 'string' }, output: { type: 'string', short: 'o' } } as const;

export async function labelsCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, OPTIONS);
  if (values.help) {
    process.stdout.write(USAGE);
    return EXIT_OK;
  }
  if (positionals.length > 1) throw new UsageError(`expected at most one label name, got ${positionals.length}`);
  const conn = connectionOf(values);
  const range = rangeOf(values, '6h');
  const mode = oneOf(values.output, '--output', ['default', 'raw', 'jsonl', 'json'] as const, 'default');
  const name = positionals[0];
  const path = name === undefined ? '/loki/api/v1/labels' : `/loki/api/v1/label/${encodeURIComponent(name)}/values`;
  const data = await getData<string[]>(conn, path, { start: range.start.toString(), end: range.end.toString(), query: values.query });
  if (mode === 'json') process.stdout.write(JSON.stringify(data) + '\n');
  else for (const v of data) process.stdout.write((mode === 'jsonl' ? JSON.stringify(v) : v) + '\n');
  return EXIT_OK;
}
