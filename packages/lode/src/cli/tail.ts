/**
 * `lode tail '<logql>'`: live tail over the WebSocket `/loki/api/v1/tail`. When the connection
 * drops (server restart, network) it reconnects with backoff and resumes from the newest
 * timestamp printed, skipping lines at that timestamp it already printed, so nothing repeats.
 * Lines pushed while disconnected with a timestamp older than that are not recovered.
 */
import { WebSocket } from 'ws';
import { CONNECTION_HELP, CONNECTION_OPTIONS, connectionOf, oneOf, parse, positiveInt, single } from './args.js';
import { headersOf, urlOf, type Connection } from './client.js';
import { useColour } from './colour.js';
import { Backoff, sleep } from './backoff.js';
import { EXIT_OK, ServerError, UsageError } from './errors.js';
import { EntryPrinter } from './format.js';
import { entriesOf, type Entry, type StreamResult } from './loki-types.js';
import { nowNs, parseDuration } from './time.js';

const USAGE = `Usage: lode tail '<logql>' [options]

Prints matching lines as they arrive; reconnects by itself and resumes where it stopped.
Ends on Ctrl-C (exit 0). Fails (exit 1) if the first connection is refused.

Options:
  --since DUR       also print lines from this far back first (default 0s: only new lines)
  --limit N         most lines the server sends per frame (default 100)
  --delay-for SEC   seconds the server waits for late lines, 0-5 (default 0)
  --max-backoff DUR longest wait between reconnection attempts (default 10s)
  -o, --output MODE default | raw | jsonl
${CONNECTION_HELP}`;

const OPTIONS = {
  ...CONNECTION_OPTIONS,
  since: { type: 'string' },
  limit: { type: 'string' },
  'delay-for': { type: 'string' },
  'max-backoff': { type: 'string' },
  output: { type: 'string', short: 'o' },
} as const;

interface TailFrame {
  streams?: StreamResult[];
  dropped_entries?: unknown[] | null;
}

/** Remembers the newest timestamp printed and the lines printed at it. */
class Resume {
  ts = -1n;
  private seen = new Set<string>();

  /** true when `e` is new; records it. */
  admit(e: Entry): boolean {
    const key = `${JSON.stringify(e.labels)}\n${e.line}`;
    if (e.ts === this.ts) {
      if (this.seen.has(key)) return false;
      this.seen.add(key);
    } else if (e.ts > this.ts) {
      this.ts = e.ts;
      this.seen = new Set([key]);
    }
    return true;
  }
}

type Outcome = { kind: 'closed' } | { kind: 'refused'; error: ServerError; retry: boolean } | { kind: 'stopped' };

export async function tailCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, OPTIONS);
  if (values.help) {
    process.stdout.write(USAGE);
    return EXIT_OK;
  }
  const query = single(positionals, 'LogQL query');
  const conn = connectionOf(values);
  const limit = positiveInt(values.limit, '--limit', 100);
  const delay = values['delay-for'] ?? '0';
  if (!/^[0-5]$/.test(delay)) throw new UsageError(`--delay-for: "${delay}" must be a whole number of seconds from 0 to 5`);
  const maxBackoffMs = Number(parseDuration(values['max-backoff'] ?? '10s', '--max-backoff') / 1_000_000n);
  const mode = oneOf(values.output, '--output', ['default', 'raw', 'jsonl'] as const, 'default');
  const printer = new EntryPrinter(mode, useColour());
  const resume = new Resume();
  let start = nowNs() - parseDuration(values.since ?? '0s', '--since');

  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const backoff = new Backoff(250, maxBackoffMs);
  let everConnected = false;
  try {
    while (!stop.signal.aborted) {
      let opened = false;
      const outcome = await connectOnce(conn, { query, limit: String(limit), delay_for: delay, start: start.toString() }, stop.signal, {
        onOpen: () => {
          opened = true;
          everConnected = true;
          backoff.reset();
        },
        onFrame: (frame) => {
          const entries = entriesOf(frame.streams ?? []).sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
          for (const e of entries) if (resume.admit(e)) printer.print(e);
          const dropped = frame.dropped_entries?.length ?? 0;
          if (dropped > 0) process.stderr.write(`lode tail: the server dropped ${dropped} entries (client too slow)\n`);
        },
      });
      if (outcome.kind === 'stopped') break;
      if (outcome.kind === 'refused' && (!outcome.retry || !everConnected)) throw outcome.error;
      if (!everConnected && !opened && outcome.kind === 'closed') throw new ServerError(`cannot reach lode at ${conn.addr}`);
      if (resume.ts >= 0n) start = resume.ts;
      const wait = backoff.next();
      const why = outcome.kind === 'refused' ? outcome.error.message : 'connection closed';
      process.stderr.write(`lode tail: ${why}; reconnecting in ${(wait / 1000).toFixed(1)}s\n`);
      await sleep(wait, stop.signal);
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  return EXIT_OK;
}

function connectOnce(
  conn: Connection,
  params: Record<string, string>,
  signal: AbortSignal,
  on: { onOpen(): void; onFrame(frame: TailFrame): void },
): Promise<Outcome> {
  const url = urlOf(conn, '/loki/api/v1/tail', params);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return new Promise<Outcome>((resolve) => {
    const ws = new WebSocket(url, { headers: headersOf(conn) });
    let settled = false;
    const settle = (o: Outcome) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      resolve(o);
    };
    const onAbort = () => {
      ws.terminate();
      settle({ kind: 'stopped' });
    };
    signal.addEventListener('abort', onAbort, { once: true });
    ws.on('open', on.onOpen);
    ws.on('message', (data) => {
      let frame: TailFrame;
      try {
        frame = JSON.parse(data.toString()) as TailFrame;
      } catch {
        process.stderr.write('lode tail: ignoring a frame that is not JSON\n');
        return;
      }
      on.onFrame(frame);
    });
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        const retry = status === 429 || status >= 500;
        settle({ kind: 'refused', retry, error: new ServerError(`server answered ${status}${body.trim() ? `: ${body.trim()}` : ''}`, status) });
        ws.terminate();
      });
    });
    ws.on('error', (err) => {
      const code = (err as NodeJS.ErrnoException).code ?? err.message;
      settle({ kind: 'refused', retry: true, error: new ServerError(`cannot reach lode at ${conn.addr}: ${code}`) });
    });
    ws.on('close', () => settle({ kind: 'closed' }));
  });
}
