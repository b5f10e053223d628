/**
 * Parsers for configuration values given as text (flags, environment, YAML scalars). Each
 * throws a `ConfigValueError` whose message says what form was expected.
 */
export class ConfigValueError extends Error {}

const DURATION_UNITS_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  y: 31_536_000_000,
};
const DURATION_PART = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d|w|y)/y;

/** A Go/Prometheus-style duration (`90s`, `1h30m`, `7d`) or a bare number of seconds → milliseconds. */
export function parseDurationMs(text: string): number {
  const s = text.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s) * 1000;
  let total = 0;
  DURATION_PART.lastIndex = 0;
  let consumed = 0;
  for (let m = DURATION_PART.exec(s); m; m = DURATION_PART.exec(s)) {
    total += Number(m[1]) * DURATION_UNITS_MS[m[2]!]!;
    consumed = DURATION_PART.lastIndex;
  }
  if (s.length === 0 || consumed !== s.length) {
    throw new ConfigValueError(`"${text}" is not a duration: use a number of seconds or units like 30s, 5m, 1h30m, 7d`);
  }
  return total;
}

const BYTE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
};

/** A byte size (`262144`, `256KB`, `1MiB`, `2GB`) → bytes. */
export function parseBytes(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const unit = m ? BYTE_UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) {
    throw new ConfigValueError(`"${text}" is not a byte size: use a number of bytes or units like 256KB, 4MiB, 1GB`);
  }
  return Math.round(Number(m[1]) * unit);
}

export function parseBool(text: string): boolean {
  const s = text.trim().toLowerCase();
  if (s === 'true' || s === '1' || s === 'yes' || s === '') return true;
  if (s === 'false' || s === '0' || s === 'no') return false;
  throw new ConfigValueError(`"${text}" is not a boolean: use true or false`);
}

export function parseNumber(text: string): number {
  const n = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(n)) throw new ConfigValueError(`"${text}" is not a number`);
  return n;
}

/** A comma-separated list; the empty string is the empty list (how `--limits.discover_service_name=` disables it). */
export function parseList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** `host:port`, `:port` or `[v6]:port`; port 0 disables the listener. */
export interface ListenAddress {
  host: string;
  port: number;
}

export function parseListen(text: string): ListenAddress {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) {
    throw new ConfigValueError(`"${text}" is not a listen address: use host:port, e.g. 127.0.0.1:3100 (port 0 disables it)`);
  }
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}
