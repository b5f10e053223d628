/**
 * `lode push --labels '{app="x"}' [file…]`: reads lines from files or stdin and pushes them in
 * batches, flushing when a batch is full or --flush-interval passes without one filling up.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { CONNECTION_HELP, CONNECTION_OPTIONS, connectionOf, nonNegativeInt, parse, positiveInt } from './args.js';
import { EXIT_FAILURE, EXIT_OK, UsageError } from './errors.js';
import { parseLabelSet } from './label-set.js';
import { Pusher } from './pusher.js';
import { parseDuration } from './time.js';

const USAGE = `Usage: lode push --labels '{app="x"}' [file…] [options]

Pushes every non-empty line of the files (or stdin, also as "-") as one log stream, timestamped
on arrival (strictly increasing, so input order is kept). Exit code 1 if any batch was refused.

Options:
  --labels SET         stream labels, e.g. '{app="api", env="prod"}' (required)
  --batch-size N       most lines per request (default 1000)
  --batch-bytes N      most line bytes per request (default 1048576)
  --flush-interval DUR send a partial batch after this long (default 1s)
  --retries N          retries per batch on 429, 5xx or connection errors (default 10)
  -q, --quiet          no summary on stderr
${CONNECTION_HELP}`;

const OPTIONS = {
  ...CONNECTION_OPTIONS,
  labels: { type: 'string' },
  'batch-size': { type: 'string' },
  'batch-bytes': { type: 'string' },
  'flush-interval': { type: 'string' },
  retries: { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
} as const;

export async function pushCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, OPTIONS);
  if (values.help) {
    process.stdout.write(USAGE);
    return EXIT_OK;
  }
  if (values.labels === undefined) throw new UsageError('--labels is required, e.g. --labels \'{app="api"}\'');
  const labels = parseLabelSet(values.labels);
  const conn = connectionOf(values);
  const batchSize = positiveInt(values['batch-size'], '--batch-size', 1000);
  const batchBytes = positiveInt(values['batch-bytes'], '--batch-bytes', 1 << 20);
  const flushMs = Number(parseDuration(values['flush-interval'] ?? '1s', '--flush-interval') / 1_000_000n);
  const retries = nonNegativeInt(values.retries, '--retries', 10);
  const quiet = values.quiet === true;

  const pusher = new Pusher(conn, {
    labels,
    maxRetries: retries,
    onRejected: (err, lines) => process.stderr.write(`lode push: ${lines} lines refused: ${err.message}\n`),
    onRetry: (why, ms) => quiet || process.stderr.write(`lode push: ${why}; retrying in ${(ms / 1000).toFixed(1)}s\n`),
  });

  let batch: Array<[string, string]> = [];
  let bytes = 0;
  let sending: Promise<unknown> = Promise.resolve();
  const flush = () => {
    if (batch.length === 0) return sending;
    const values = batch;
    batch = [];
    bytes = 0;
    sending = sending.then(() => pusher.push(values));
    return sending;
  };
  const timer = setInterval(() => void flush(), flushMs);
  try {
    for (const input of positionals.length ? positionals : ['-']) {
      const stream = input === '-' ? process.stdin : createReadStream(input);
      const opened = new Promise<void>((resolve, reject) => {
        if (input === '-') return resolve();
        stream.once('open', () => resolve());
        stream.once('error', (err: NodeJS.ErrnoException) => reject(new UsageError(`cannot read ${input}: ${err.code ?? err.message}`)));
      });
      await opened;
      for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) {
        if (line.length === 0) continue;
        batch.push([pusher.stamp().toString(), line]);
        bytes += line.length;
        if (batch.length >= batchSize || bytes >= batchBytes) await flush();
      }
    }
    await flush();
  } finally {
    clearInterval(timer);
  }
  await sending;
  const s = pusher.stats;
  if (!quiet) {
    process.stderr.write(`lode push: ${s.lines} lines (${s.bytes} bytes) in ${s.batches} batches, ${s.retries} retries${s.failedLines ? `, ${s.failedLines} lines refused` : ''}\n`);
  }
  return s.failedBatches > 0 ? EXIT_FAILURE : EXIT_OK;
}
