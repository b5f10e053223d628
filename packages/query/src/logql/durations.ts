/**
 * Duration parsing and printing with Go's exact rules: Prometheus' `model.ParseDuration` /
 * `model.Duration.String` (ranges, `1d`, `1w`, `1y`) and Go's `time.ParseDuration` /
 * `time.Duration.String` (offsets and label-filter literals). All values are nanoseconds.
 */

const MS = 1_000_000n;
const PROM_UNITS: ReadonlyArray<readonly [string, bigint]> = [
  ['y', 365n * 24n * 3600n * 1000n * MS],
  ['w', 7n * 24n * 3600n * 1000n * MS],
  ['d', 24n * 3600n * 1000n * MS],
  ['h', 3600n * 1000n * MS],
  ['m', 60n * 1000n * MS],
  ['s', 1000n * MS],
  ['ms', MS],
];
const MAX_INT64 = (1n << 63n) - 1n;

/** `model.ParseDuration`: nanoseconds, or the Go error text. */
export function parsePromDuration(s: string): bigint | string {
  if (s === '0') return 0n;
  if (s === '') return 'empty duration string';
  const invalid = `not a valid duration string: ${goQuoteSimple(s)}`;
  let rest = s;
  let total = 0n;
  let lastPos = -1;
  while (rest !== '') {
    const num = /^[0-9]*/.exec(rest)![0];
    if (num === '') return invalid;
    rest = rest.slice(num.length);
    const unit = /^[^0-9]*/.exec(rest)![0];
    if (unit === '') return invalid;
    rest = rest.slice(unit.length);
    const pos = PROM_UNITS.findIndex(([u]) => u === unit);
    if (pos < 0) return `unknown unit ${goQuoteSimple(unit)} in duration ${goQuoteSimple(s)}`;
    if (pos <= lastPos) return invalid;
    lastPos = pos;
    const mult = PROM_UNITS[pos]![1];
    const v = BigInt(num);
    if (v > (1n << 63n) / mult) return 'duration out of range';
    total += v * mult;
    if (total > MAX_INT64) return 'duration out of range';
  }
  return total;
}

const GO_UNITS: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1000n,
  'µs': 1000n,
  'μs': 1000n,
  ms: MS,
  s: 1000n * MS,
  m: 60n * 1000n * MS,
  h: 3600n * 1000n * MS,
};

/** `time.ParseDuration`: nanoseconds, or undefined when invalid. */
export function parseGoDuration(input: string): bigint | undefined {
  let s = input;
  let neg = false;
  if (s[0] === '-' || s[0] === '+') {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') return undefined;
  let total = 0n;
  while (s !== '') {
    const m = /^([0-9]*)(?:\.([0-9]*))?/.exec(s)!;
    const intPart = m[1] ?? '';
    const frac = m[2];
    if (intPart === '' && (frac === undefined || frac === '')) return undefined;
    s = s.slice(m[0].length);
    const unit = /^[^0-9.]*/.exec(s)![0];
    if (unit === '') return undefined;
    s = s.slice(unit.length);
    const mult = GO_UNITS[unit];
    if (mult === undefined) return undefined;
    let v = BigInt(intPart || '0') * mult;
    if (frac) {
      // Go truncates the fractional part towards zero at nanosecond precision.
      v += (BigInt(frac) * mult) / 10n ** BigInt(frac.length);
    }
    total += v;
    if (total > MAX_INT64) return undefined;
  }
  return neg ? -total : total;
}

/** `model.Duration.String()`: `1h30m`, `5m`, `1d`, `0s`. */
export function formatPromDuration(ns: bigint): string {
  let ms = ns / MS;
  if (ms === 0n) return '0s';
  let out = '';
  for (const [unit, mult] of PROM_UNITS) {
    const m = mult / MS;
    const n = ms / m;
    if (n > 0n) {
      out += `${n}${unit}`;
      ms -= n * m;
    }
  }
  return out;
}

/** `time.Duration.String()`: `1h0m0s`, `1.5s`, `250ms`, `0s`. */
export function formatGoDuration(ns: bigint): string {
  if (ns === 0n) return '0s';
  const neg = ns < 0n;
  let u = neg ? -ns : ns;
  let out: string;
  if (u < 1_000_000_000n) {
    let unit: string;
    let div: bigint;
    if (u < 1000n) {
      return `${neg ? '-' : ''}${u}ns`;
    } else if (u < 1_000_000n) {
      unit = 'µs';
      div = 1000n;
    } else {
      unit = 'ms';
      div = 1_000_000n;
    }
    out = fixed(u, div) + unit;
  } else {
    const h = u / 3_600_000_000_000n;
    u -= h * 3_600_000_000_000n;
    const m = u / 60_000_000_000n;
    u -= m * 60_000_000_000n;
    out = `${fixed(u, 1_000_000_000n)}s`;
    if (h > 0n) out = `${h}h${m}m${out}`;
    else if (m > 0n) out = `${m}m${out}`;
  }
  return (neg ? '-' : '') + out;
}

/** `v / div` with the fraction's trailing zeros removed (Go's fmtFrac). */
function fixed(v: bigint, div: bigint): string {
  const whole = v / div;
  let frac = (v % div).toString().padStart(div.toString().length - 1, '0').replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : `${whole}`;
}

/** Go's %q for the plain ASCII texts that appear in duration errors. */
function goQuoteSimple(s: string): string {
  return JSON.stringify(s);
}
