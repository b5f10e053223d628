/**
 * Command-line parsing shared by the client commands: node:util parseArgs with the connection
 * flags every command has, environment fallbacks (LODE_ADDR, LODE_TENANT, LODE_API_KEY), and
 * parse failures turned into UsageError (exit code 2).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './errors.js';
import { nowNs, parseDuration, parseTimestamp } from './time.js';
import type { Connection } from './client.js';

type Options = NonNullable<ParseArgsConfig['options']>;

export const DEFAULT_ADDR = 'http://127.0.0.1:3100';

export const CONNECTION_OPTIONS = {
  addr: { type: 'string' },
  tenant: { type: 'string' },
  'api-key': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options;

export const CONNECTION_HELP = `Connection:
  --addr URL        server address (env LODE_ADDR, default ${DEFAULT_ADDR})
  --tenant ID       tenant, sent as X-Scope-OrgID (env LODE_TENANT)
  --api-key KEY     bearer token (env LODE_API_KEY)
  -h, --help        show this help
`;

export const RANGE_OPTIONS = {
  since: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
} as const satisfies Options;

export const RANGE_HELP = `Time range:
  --since DUR       look back this far from --to (default 1h); e.g. 30m, 6h, 2d
  --from TIME       start (RFC 3339, unix seconds, or now); overrides --since
  --to TIME         end (default now)
`;

export interface Parsed<O extends Options> {
  values: ReturnType<typeof parseArgs<{ options: O; allowPositionals: true; strict: true }>>['values'];
  positionals: string[];
}

export function parse<O extends Options>(argv: string[], options: O): Parsed<O> {
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { values, positionals };
  } catch (err) {
    // parseArgs throws TypeErrors with ERR_PARSE_ARGS_* codes for unknown or malformed flags.
    throw new UsageError((err as Error).message);
  }
}

export function connectionOf(values: { addr?: string | undefined; tenant?: string | undefined; 'api-key'?: string | undefined }): Connection {
  const addr = values.addr ?? process.env.LODE_ADDR ?? DEFAULT_ADDR;
  let url: URL;
  try {
    url = new URL(addr);
  } catch {
    throw new UsageError(`--addr: "${addr}" is not a URL; use e.g. ${DEFAULT_ADDR}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--addr: "${addr}" must start with http:// or https://`);
  const tenant = values.tenant ?? process.env.LODE_TENANT;
  const apiKey = values['api-key'] ?? process.env.LODE_API_KEY;
  return { addr: url.href.replace(/\/$/, ''), ...(tenant ? { tenant } : {}), ...(apiKey ? { apiKey } : {}) };
}

export interface TimeRange {
  start: bigint;
  end: bigint;
}

export function rangeOf(values: { since?: string | undefined; from?: string | undefined; to?: string | undefined }, defaultSince = '1h'): TimeRange {
  const end = values.to === undefined ? nowNs() : parseTimestamp(values.to, '--to');
  const start = values.from === undefined ? end - parseDuration(values.since ?? defaultSince, '--since') : parseTimestamp(values.from, '--from');
  if (start > end) throw new UsageError('--from must be before --to');
  return { start, end };
}

export function positiveInt(text: string | undefined, flag: string, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) <= 0) throw new UsageError(`${flag}: "${text}" is not a positive whole number`);
  return Number(text);
}

export function nonNegativeInt(text: string | undefined, flag: string, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text)) throw new UsageError(`${flag}: "${text}" is not a whole number`);
  return Number(text);
}

export function oneOf<T extends string>(text: string | undefined, flag: string, allowed: readonly T[], fallback: T): T {
  if (text === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(text)) throw new UsageError(`${flag}: "${text}" is not one of ${allowed.join(', ')}`);
  return text as T;
}

/** Exactly one positional argument (the LogQL query, usually). */
export function single(positionals: string[], what: string): string {
  if (positionals.length !== 1) throw new UsageError(`expected exactly one ${what}, got ${positionals.length}${positionals.length > 1 ? ' (quote the query)' : ''}`);
  return positionals[0]!;
}
