/**
 * How Go values are represented while a template runs. Go distinguishes int from float64 in
 * printing and comparisons, so ints are `bigint` and float64s are `number`.
 */

/** A `time.Time`: nanoseconds since the epoch plus the zone it is shown in. */
export class GoTime {
  constructor(
    readonly ns: bigint,
    /** Offset east of UTC in seconds, and the zone's name as Go prints it. */
    readonly offsetSec = 0,
    readonly zone = 'UTC',
  ) {}
}

export type GoValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | GoTime
  | GoValue[]
  | { [key: string]: GoValue };

export function isMap(v: GoValue): v is { [key: string]: GoValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof GoTime);
}

export function typeName(v: GoValue): string {
  if (v === null) return 'nil';
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'number':
      return 'float64';
    case 'bigint':
      return 'int';
    case 'boolean':
      return 'bool';
  }
  if (v instanceof GoTime) return 'time.Time';
  if (Array.isArray(v)) return '[]interface {}';
  return 'map[string]interface {}';
}

/** Go's truthiness for `if`, `with`, `and`, `or`, `not`. */
export function truth(v: GoValue): boolean {
  if (v === null) return false;
  switch (typeof v) {
    case 'string':
      return v.length > 0;
    case 'number':
      return v !== 0;
    case 'bigint':
      return v !== 0n;
    case 'boolean':
      return v;
  }
  if (v instanceof GoTime) return true;
  if (Array.isArray(v)) return v.length > 0;
  return Object.keys(v).length > 0;
}

/** `%v` of a float64: shortest digits, exponent form when the exponent is < -4 or >= 6 (`1e+06`). */
export function formatFloatV(v: number): string {
  return formatFloatG(v, -1, 6);
}

/** Go's `%g`/`%e` family core: `prec` -1 = shortest; `eprecShortest` is the exponent cut-off for shortest. */
export function formatFloatG(v: number, prec: number, eprecShortest = 6): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const e = prec < 0 ? v.toExponential() : v.toExponential(Math.max(prec - 1, 0));
  const [mant, expS] = e.split('e') as [string, string];
  const exp = Number(expS);
  let eprec = prec < 0 ? eprecShortest : prec === 0 ? 1 : prec;
  const digits = mant.replace(/[-.]/g, '');
  if (prec >= 0 && eprec > digits.length && digits.length >= exp + 1) eprec = digits.length;
  if (exp < -4 || exp >= eprec) {
    let m = mant;
    if (prec >= 0 && m.includes('.')) m = m.replace(/0+$/, '').replace(/\.$/, '');
    return `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  // plain notation with the same significant digits
  const sig = prec < 0 ? digits.length : Math.max(digits.length, 1);
  const decimals = Math.max(sig - 1 - exp, 0);
  let s = Math.abs(v).toFixed(Math.min(decimals, 100));
  if (prec >= 0 && s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return (v < 0 ? '-' : '') + s;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** Calendar fields of a GoTime in its own zone. */
export function timeFields(t: GoTime): { y: number; mo: number; d: number; h: number; mi: number; s: number; ns: number; wd: number; yd: number } {
  const ms = Number(t.ns / 1_000_000n) + t.offsetSec * 1000;
  const nsRem = Number(((t.ns % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n);
  const d = new Date(ms - (ms % 1000 + 1000) % 1000);
  const start = Date.UTC(d.getUTCFullYear(), 0, 1);
  return {
    y: d.getUTCFullYear(),
    mo: d.getUTCMonth() + 1,
    d: d.getUTCDate(),
    h: d.getUTCHours(),
    mi: d.getUTCMinutes(),
    s: d.getUTCSeconds(),
    ns: nsRem,
    wd: d.getUTCDay(),
    yd: Math.floor((d.getTime() - start) / 86_400_000) + 1,
  };
}

function zoneOffset(t: GoTime, colon: boolean, seconds: boolean, zForUtc: boolean, short = false): string {
  if (zForUtc && t.offsetSec === 0) return 'Z';
  const o = Math.abs(t.offsetSec);
  const sign = t.offsetSec < 0 ? '-' : '+';
  const hh = String(Math.floor(o / 3600)).padStart(2, '0');
  const mm = String(Math.floor((o % 3600) / 60)).padStart(2, '0');
  const ss = String(o % 60).padStart(2, '0');
  if (short) return sign + hh;
  return sign + hh + (colon ? ':' : '') + mm + (seconds ? (colon ? ':' : '') + ss : '');
}

/** Go's `Time.Format(layout)` for the layout elements Loki users write. */
export function formatTime(t: GoTime, layout: string): string {
  const f = timeFields(t);
  const p2 = (n: number): string => String(n).padStart(2, '0');
  let out = '';
  let i = 0;
  const at = (s: string): boolean => layout.startsWith(s, i);
  while (i < layout.length) {
    const fracM = /^[.,](0+|9+)/.exec(layout.slice(i));
    if (fracM && !/\d/.test(layout[i + fracM[0].length] ?? '')) {
      const n = fracM[1]!.length;
      let digits = String(f.ns).padStart(9, '0').slice(0, n);
      if (fracM[1]![0] === '9') {
        digits = digits.replace(/0+$/, '');
        out += digits ? layout[i] + digits : '';
      } else out += layout[i] + digits;
      i += fracM[0].length;
      continue;
    }
    const table: [string, () => string][] = [
      ['January', () => MONTHS[f.mo - 1]!],
      ['Jan', () => MONTHS[f.mo - 1]!.slice(0, 3)],
      ['Monday', () => DAYS[f.wd]!],
      ['Mon', () => DAYS[f.wd]!.slice(0, 3)],
      ['MST', () => t.zone],
      ['2006', () => String(f.y).padStart(4, '0')],
      ['Z07:00:00', () => zoneOffset(t, true, true, true)],
      ['-07:00:00', () => zoneOffset(t, true, true, false)],
      ['Z070000', () => zoneOffset(t, false, true, true)],
      ['-070000', () => zoneOffset(t, false, true, false)],
      ['Z07:00', () => zoneOffset(t, true, false, true)],
      ['-07:00', () => zoneOffset(t, true, false, false)],
      ['Z0700', () => zoneOffset(t, false, false, true)],
      ['-0700', () => zoneOffset(t, false, false, false)],
      ['Z07', () => zoneOffset(t, false, false, true, true)],
      ['-07', () => zoneOffset(t, false, false, false, true)],
      ['002', () => String(f.yd).padStart(3, '0')],
      ['__2', () => String(f.yd).padStart(3, ' ')],
      ['01', () => p2(f.mo)],
      ['02', () => p2(f.d)],
      ['_2', () => String(f.d).padStart(2, ' ')],
      ['06', () => p2(f.y % 100)],
      ['15', () => p2(f.h)],
      ['03', () => p2(f.h % 12 === 0 ? 12 : f.h % 12)],
      ['04', () => p2(f.mi)],
      ['05', () => p2(f.s)],
      ['PM', () => (f.h >= 12 ? 'PM' : 'AM')],
      ['pm', () => (f.h >= 12 ? 'pm' : 'am')],
      ['1', () => String(f.mo)],
      ['2', () => String(f.d)],
      ['3', () => String(f.h % 12 === 0 ? 12 : f.h % 12)],
      ['4', () => String(f.mi)],
      ['5', () => String(f.s)],
    ];
    const hit = table.find(([k]) => at(k));
    if (hit) {
      out += hit[1]();
      i += hit[0].length;
    } else {
      out += layout[i];
      i++;
    }
  }
  return out;
}

/** Go's `%v` of a time.Time: `2006-01-02 15:04:05.999999999 -0700 MST`. */
export function timeString(t: GoTime): string {
  return formatTime(t, '2006-01-02 15:04:05.999999999 -0700 MST');
}

/** `fmt.Sprint(v)` for one value. */
export function sprint(v: GoValue): string {
  if (v === null) return '<nil>';
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
      return formatFloatV(v);
    case 'bigint':
      return v.toString();
    case 'boolean':
      return v ? 'true' : 'false';
  }
  if (v instanceof GoTime) return timeString(v);
  if (Array.isArray(v)) return '[' + v.map(sprint).join(' ') + ']';
  return 'map[' + Object.keys(v).sort().map((k) => `${k}:${sprint(v[k]!)}`).join(' ') + ']';
}
