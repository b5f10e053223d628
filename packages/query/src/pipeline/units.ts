/**
 * Go's value parsers as LogQL applies them to label values: `strconv.ParseFloat`,
 * `time.ParseDuration` and go-humanize's `ParseBytes`, with their exact error texts (they end up
 * in `__error_details__`).
 */

export class ConversionError extends Error {
  override readonly name = 'ConversionError';
}

const GO_FLOAT = /^[+-]?(?:(?:\d+(?:_\d+)*)?\.?\d*(?:_\d+)*(?:[eE][+-]?\d+)?|0[xX][0-9a-fA-F_]*\.?[0-9a-fA-F_]*(?:[pP][+-]?\d+)?)$/;

/** `strconv.ParseFloat(s, 64)`: decimal, hex float, `Inf`/`NaN` in any case; no spaces. */
export function parseGoFloat(s: string): number {
  // Plain digits (most label values): exact in a double up to 15 digits, no regexp needed.
  const len = s.length;
  if (len > 0 && len <= 15) {
    let v = 0;
    let k = 0;
    for (; k < len; k++) {
      const d = s.charCodeAt(k) - 48;
      if (d < 0 || d > 9) break;
      v = v * 10 + d;
    }
    if (k === len) return v;
  }
  const lower = s.toLowerCase();
  const body = lower.replace(/^[+-]/, '');
  if (body === 'inf' || body === 'infinity') return lower.startsWith('-') ? -Infinity : Infinity;
  if (body === 'nan') return NaN;
  if (s === '' || !GO_FLOAT.test(s) || !/\d/.test(s)) {
    throw new ConversionError(`strconv.ParseFloat: parsing ${goQuote(s)}: invalid syntax`);
  }
  let v: number;
  if (/^[+-]?0x/i.test(s)) {
    const m = /^([+-]?)0x([0-9a-f_]*)\.?([0-9a-f_]*)(?:p([+-]?\d+))?$/i.exec(s);
    if (!m || m[4] === undefined) throw new ConversionError(`strconv.ParseFloat: parsing ${goQuote(s)}: invalid syntax`);
    const int = m[2]!.replace(/_/g, '');
    const frac = m[3]!.replace(/_/g, '');
    const mant = parseInt(int + frac || '0', 16) / 16 ** frac.length;
    v = mant * 2 ** Number(m[4]);
    if (m[1] === '-') v = -v;
  } else {
    if (s.includes('_')) throw new ConversionError(`strconv.ParseFloat: parsing ${goQuote(s)}: invalid syntax`);
    v = Number(s);
  }
  if (!Number.isFinite(v)) throw new ConversionError(`strconv.ParseFloat: parsing ${goQuote(s)}: value out of range`);
  return v;
}

/** Go's `%q` of a string, for error texts. */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}

const DURATION_UNITS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  'µs': 1_000n,
  'μs': 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

/** `time.ParseDuration`: returns nanoseconds. */
export function parseGoDuration(s: string): bigint {
  const orig = s;
  const bad = (): never => {
    throw new ConversionError(`time: invalid duration ${goQuote(orig)}`);
  };
  let neg = false;
  if (s[0] === '-' || s[0] === '+') {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') bad();
  let total = 0n;
  while (s !== '') {
    const m = /^(\d*)(?:\.(\d*))?/.exec(s)!;
    const intPart = m[1]!;
    const fracPart = m[2];
    if (intPart === '' && (fracPart === undefined || fracPart === '')) bad();
    s = s.slice(m[0].length);
    const u = /^[^\d.]*/.exec(s)![0];
    if (u === '') throw new ConversionError(`time: missing unit in duration ${goQuote(orig)}`);
    const unit = DURATION_UNITS[u];
    if (unit === undefined) throw new ConversionError(`time: unknown unit ${goQuote(u)} in duration ${goQuote(orig)}`);
    s = s.slice(u.length);
    let v = BigInt(intPart || '0') * unit;
    if (fracPart) v += BigInt(Math.floor(Number('0.' + fracPart) * Number(unit)));
    total += v;
    if (total > 9_223_372_036_854_775_807n) bad();
  }
  return neg ? -total : total;
}

const BYTE_SIZES: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  ki: 1024,
  kib: 1024,
  m: 1e6,
  mb: 1e6,
  mi: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1e9,
  gb: 1e9,
  gi: 1024 ** 3,
  gib: 1024 ** 3,
  t: 1e12,
  tb: 1e12,
  ti: 1024 ** 4,
  tib: 1024 ** 4,
  p: 1e15,
  pb: 1e15,
  pi: 1024 ** 5,
  pib: 1024 ** 5,
  e: 1e18,
  eb: 1e18,
  ei: 1024 ** 6,
  eib: 1024 ** 6,
};

/** go-humanize `ParseBytes` ("3MB", "2 KiB", "1,024", case-insensitive units): returns bytes. */
export function parseHumanBytes(s: string): number {
  let last = 0;
  let hasComma = false;
  for (const ch of s) {
    if (!(/\p{Nd}/u.test(ch) || ch === '.' || ch === ',')) break;
    if (ch === ',') hasComma = true;
    last += ch.length;
  }
  let num = s.slice(0, last);
  if (hasComma) num = num.replace(/,/g, '');
  const f = parseGoFloat(num);
  const extra = s.slice(last).trim().toLowerCase();
  const mult = BYTE_SIZES[extra];
  if (mult === undefined) throw new ConversionError(`unhandled size name: ${extra}`);
  const v = f * mult;
  if (v >= 2 ** 64) throw new ConversionError(`too large: ${s}`);
  return Math.floor(v);
}
