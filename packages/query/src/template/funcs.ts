/**
 * The functions LogQL templates can call: Go's builtins, the sprig subset Loki registers, and
 * Loki's own (`ToLower`, `regexReplaceAll`, `bytes`, `duration`, `unixEpochMillis`, …).
 */
import { createHash } from 'node:crypto';
import { compileRe2 } from '@lode/store';
import { expandGoTemplate } from '../pipeline/go-expand.js';
import { parseGoDuration, parseGoFloat, parseHumanBytes } from '../pipeline/units.js';
import type { TemplateFunc } from './exec.js';
import { sprintf } from './printf.js';
import { formatTime, GoTime, isMap, sprint, truth, typeName, type GoValue } from './values.js';

function want(n: number, args: GoValue[], name: string): void {
  if (args.length !== n) throw new Error(`wrong number of args for ${name}: want ${n} got ${args.length}`);
}

function str(v: GoValue | undefined): string {
  if (typeof v === 'string') return v;
  throw new Error(`wrong type for value; expected string; got ${typeName(v ?? null)}`);
}

function int(v: GoValue | undefined): number {
  if (typeof v === 'bigint') return Number(v);
  throw new Error(`wrong type for value; expected int; got ${typeName(v ?? null)}`);
}

function timeArg(v: GoValue | undefined): GoTime {
  if (v instanceof GoTime) return v;
  throw new Error(`wrong type for value; expected time.Time; got ${typeName(v ?? null)}`);
}

/** spf13/cast ToInt64: numbers truncate, strings parse (base prefixes, trailing ".0"), else 0. */
function toInt64(v: GoValue): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? BigInt(Math.trunc(v)) : 0n;
  if (typeof v === 'boolean') return v ? 1n : 0n;
  if (typeof v === 'string') {
    const s = v.replace(/\.0*$/, '');
    const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO]?[0-7]+|[1-9]\d*|0)$/.exec(s);
    if (!m) return 0n;
    let body = m[2]!;
    if (/^0[0-7]/.test(body)) body = '0o' + body.slice(1);
    const r = BigInt(body);
    return m[1] === '-' ? -r : r;
  }
  return 0n;
}

function toFloat64(v: GoValue): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    try {
      return parseGoFloat(v);
    } catch {
      return 0;
    }
  }
  return 0;
}

function wrap64(v: bigint): bigint {
  return BigInt.asIntN(64, v);
}

/** Go's `strings.Title`: upper-cases the first letter of each word. */
function title(s: string): string {
  let prev = ' ';
  let out = '';
  for (const ch of s) {
    const sep = !/[\p{L}\p{N}_']/u.test(prev);
    out += sep ? ch.toUpperCase() : ch;
    prev = ch;
  }
  return out;
}

function cutset(s: string, set: string, left: boolean, right: boolean): string {
  const chars = new Set([...set]);
  const arr = [...s];
  let a = 0;
  let b = arr.length;
  if (left) while (a < b && chars.has(arr[a]!)) a++;
  if (right) while (b > a && chars.has(arr[b - 1]!)) b--;
  return arr.slice(a, b).join('');
}

function goTrimSpace(s: string): string {
  return s.replace(/^[\s\u0085]+|[\s\u0085]+$/gu, '');
}

/** Go's url.QueryEscape. */
function queryEscape(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()*~]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())
    .replace(/%20/g, '+');
}

function queryUnescape(s: string): string {
  if (/%(?![0-9a-fA-F]{2})/.test(s)) {
    const bad = /%.{0,2}/.exec(s.slice(s.search(/%(?![0-9a-fA-F]{2})/)))![0];
    throw new Error(`invalid URL escape ${JSON.stringify(bad)}`);
  }
  return Buffer.from(s.replace(/\+/g, ' ').replace(/%([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
}

function fromJsonValue(v: unknown): GoValue {
  if (v === null || typeof v === 'string' || typeof v === 'boolean' || typeof v === 'number') return v;
  if (Array.isArray(v)) return v.map(fromJsonValue);
  const o: { [k: string]: GoValue } = {};
  for (const [k, x] of Object.entries(v as object)) o[k] = fromJsonValue(x);
  return o;
}

function empty(v: GoValue): boolean {
  return !truth(v);
}

/** Go's time.Time zero value, what failed parses return. */
const ZERO_TIME = new GoTime(-62135596800000000000n);

/** Parses `value` with a Go layout (the numeric layouts users write); zero time when it does not fit. */
function parseTime(layout: string, value: string, offsetSec = 0, zone = 'UTC'): GoTime {
  const tokens: [string, string][] = [
    ['2006', '(\\d{4})'], ['01', '(\\d{2})'], ['02', '(\\d{2})'], ['15', '(\\d{2})'], ['04', '(\\d{2})'], ['05', '(\\d{2})'],
    ['Z07:00', '(Z|[+-]\\d{2}:\\d{2})'], ['-07:00', '([+-]\\d{2}:\\d{2})'], ['-0700', '([+-]\\d{4})'], ['MST', '([A-Z]{3,4})'],
    ['Jan', '([A-Z][a-z]{2})'], ['_2', '\\s?(\\d{1,2})'], ['1', '(\\d{1,2})'], ['2', '(\\d{1,2})'],
  ];
  let re = '';
  const order: string[] = [];
  let i = 0;
  while (i < layout.length) {
    const frac = /^[.,](0+|9+)/.exec(layout.slice(i));
    if (frac) {
      re += '(?:[.,](\\d+))?';
      order.push('frac');
      i += frac[0].length;
      continue;
    }
    const t = tokens.find(([k]) => layout.startsWith(k, i));
    if (t) {
      re += t[1];
      order.push(t[0]);
      i += t[0].length;
    } else {
      re += layout[i]!.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
      i++;
    }
  }
  // Go accepts fractional seconds after "05" even when the layout has none.
  re = re.replace('(\\d{2})', '(\\d{2})');
  const m = new RegExp(`^${re}$`).exec(value);
  if (!m) return ZERO_TIME;
  let y = 1, mo = 1, d = 1, h = 0, mi = 0, s = 0, ns = 0n, off = offsetSec;
  const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  order.forEach((k, idx) => {
    const v = m[idx + 1];
    if (v === undefined) return;
    switch (k) {
      case '2006': y = Number(v); break;
      case '01': case '1': mo = Number(v); break;
      case 'Jan': mo = MONTHS.indexOf(v) + 1; break;
      case '02': case '2': case '_2': d = Number(v); break;
      case '15': h = Number(v); break;
      case '04': mi = Number(v); break;
      case '05': s = Number(v); break;
      case 'frac': ns = BigInt(v.padEnd(9, '0').slice(0, 9)); break;
      case 'Z07:00': case '-07:00': case '-0700':
        if (v !== 'Z') {
          const sign = v[0] === '-' ? -1 : 1;
          const digits = v.slice(1).replace(':', '');
          off = sign * (Number(digits.slice(0, 2)) * 3600 + Number(digits.slice(2, 4)) * 60);
        } else off = 0;
        break;
    }
  });
  const ms = Date.UTC(y, mo - 1, d, h, mi, s) - off * 1000;
  const zname = off === offsetSec ? zone : off === 0 ? 'UTC' : '';
  return new GoTime(BigInt(ms) * 1_000_000n + ns, off, zname);
}

/** Fixed zones we can resolve without a tz database: UTC and `Etc/GMT±N`; everything else is UTC (Loki's fallback). */
function zoneOffset(zone: string): [number, string] {
  const m = /^Etc\/GMT([+-])(\d{1,2})$/.exec(zone);
  if (m) return [(m[1] === '+' ? -1 : 1) * Number(m[2]) * 3600, (m[1] === '+' ? '-' : '+') + m[2]!.padStart(2, '0')];
  return [0, 'UTC'];
}

function unixToTime(epoch: string): GoTime {
  if (!/^-?\d+$/.test(epoch)) throw new Error(`strconv.ParseInt: parsing ${JSON.stringify(epoch)}: invalid syntax`);
  const v = BigInt(epoch);
  switch (epoch.replace('-', '').length) {
    case 5: return new GoTime(v * 86_400_000_000_000n);
    case 10: return new GoTime(v * 1_000_000_000n);
    case 13: return new GoTime(v * 1_000_000n);
    case 16: return new GoTime(v * 1_000n);
    case 19: return new GoTime(v);
    default: throw new Error(`unable to parse time '${epoch}'`);
  }
}

function cmpKind(v: GoValue): 'bool' | 'int' | 'float' | 'string' | 'other' {
  switch (typeof v) {
    case 'boolean': return 'bool';
    case 'bigint': return 'int';
    case 'number': return 'float';
    case 'string': return 'string';
  }
  return 'other';
}

function eqPair(a: GoValue, b: GoValue): boolean {
  const ka = cmpKind(a);
  const kb = cmpKind(b);
  if (ka === 'other' || kb === 'other') {
    if (a === null || b === null) return a === b;
    throw new Error('invalid type for comparison');
  }
  if (ka !== kb) throw new Error('incompatible types for comparison');
  return a === b;
}

function lessPair(a: GoValue, b: GoValue): boolean {
  const ka = cmpKind(a);
  const kb = cmpKind(b);
  if (ka === 'other' || kb === 'other' || ka === 'bool' || kb === 'bool') throw new Error('invalid type for comparison');
  if (ka !== kb) throw new Error('incompatible types for comparison');
  return (a as string | number | bigint) < (b as string | number | bigint);
}

function floatOp(args: GoValue[], op: (a: number, b: number) => number, name: string): number {
  if (args.length === 0) throw new Error(`wrong number of args for ${name}: want at least 1 got 0`);
  let acc = toFloat64(args[0]!);
  for (const a of args.slice(1)) acc = op(acc, toFloat64(a));
  return acc;
}

/** Rounds like sprig's `round` (half away from zero at precision p). */
function roundTo(v: number, p: number): number {
  const f = 10 ** p;
  const x = v * f;
  const r = x < 0 ? -Math.round(-x) : Math.round(x);
  return r / f;
}

const FUNCS: [string, TemplateFunc][] = [
  // Go builtins (and/or are evaluated lazily by the executor)
  ['and', () => null],
  ['or', () => null],
  ['not', (a) => (want(1, a, 'not'), !truth(a[0]!))],
  ['len', (a) => {
    want(1, a, 'len');
    const v = a[0]!;
    if (typeof v === 'string') return BigInt(Buffer.byteLength(v));
    if (Array.isArray(v)) return BigInt(v.length);
    if (isMap(v)) return BigInt(Object.keys(v).length);
    throw new Error(`len of type ${typeName(v)}`);
  }],
  ['index', (a) => {
    let v = a[0] ?? null;
    for (const k of a.slice(1)) {
      if (Array.isArray(v)) {
        const i = Number(toInt64(k));
        if (i < 0 || i >= v.length) throw new Error(`index out of range: ${i}`);
        v = v[i]!;
      } else if (isMap(v)) v = v[str(k)] ?? null;
      else throw new Error(`can't index item of type ${typeName(v)}`);
    }
    return v;
  }],
  ['print', (a) => a.map((v, i) => (i > 0 && typeof v !== 'string' && typeof a[i - 1] !== 'string' ? ' ' : '') + sprint(v)).join('')],
  ['println', (a) => a.map(sprint).join(' ') + '\n'],
  ['printf', (a) => sprintf(str(a[0]), a.slice(1))],
  ['urlquery', (a) => queryEscape(a.map(sprint).join(''))],
  ['html', (a) => a.map(sprint).join('').replace(/[<>&'"\0]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&#39;', '"': '&#34;', '\0': '\uFFFD' })[c]!)],
  ['js', (a) => a.map(sprint).join('').replace(/[\\'"<>&=\n\r\t]/g, (c) => ({ '\\': '\\\\', "'": "\\'", '"': '\\"', '<': '\\u003C', '>': '\\u003E', '&': '\\u0026', '=': '\\u003D', '\n': '\\n', '\r': '\\r', '\t': '\\t' })[c]!)],
  ['eq', (a) => {
    if (a.length < 2) throw new Error('missing argument for comparison');
    return a.slice(1).some((b) => eqPair(a[0]!, b));
  }],
  ['ne', (a) => (want(2, a, 'ne'), !eqPair(a[0]!, a[1]!))],
  ['lt', (a) => (want(2, a, 'lt'), lessPair(a[0]!, a[1]!))],
  ['le', (a) => (want(2, a, 'le'), lessPair(a[0]!, a[1]!) || eqPair(a[0]!, a[1]!))],
  ['gt', (a) => (want(2, a, 'gt'), !lessPair(a[0]!, a[1]!) && !eqPair(a[0]!, a[1]!))],
  ['ge', (a) => (want(2, a, 'ge'), !lessPair(a[0]!, a[1]!))],
  // Loki's own
  ['ToLower', (a) => (want(1, a, 'ToLower'), str(a[0]).toLowerCase())],
  ['ToUpper', (a) => (want(1, a, 'ToUpper'), str(a[0]).toUpperCase())],
  ['Replace', (a) => {
    want(4, a, 'Replace');
    const [s, o, n] = [str(a[0]), str(a[1]), str(a[2])];
    let count = int(a[3]);
    if (count < 0) return o === '' ? [...s].join(n).replace(/^/, n) + n : s.split(o).join(n);
    let out = s;
    let from = 0;
    while (count-- > 0) {
      const i = out.indexOf(o, from);
      if (i < 0) break;
      out = out.slice(0, i) + n + out.slice(i + o.length);
      from = i + n.length + (o === '' ? 1 : 0);
    }
    return out;
  }],
  ['Trim', (a) => (want(2, a, 'Trim'), cutset(str(a[0]), str(a[1]), true, true))],
  ['TrimLeft', (a) => (want(2, a, 'TrimLeft'), cutset(str(a[0]), str(a[1]), true, false))],
  ['TrimRight', (a) => (want(2, a, 'TrimRight'), cutset(str(a[0]), str(a[1]), false, true))],
  ['TrimPrefix', (a) => (want(2, a, 'TrimPrefix'), str(a[0]).startsWith(str(a[1])) ? str(a[0]).slice(str(a[1]).length) : str(a[0]))],
  ['TrimSuffix', (a) => (want(2, a, 'TrimSuffix'), str(a[1]) !== '' && str(a[0]).endsWith(str(a[1])) ? str(a[0]).slice(0, -str(a[1]).length) : str(a[0]))],
  ['TrimSpace', (a) => (want(1, a, 'TrimSpace'), goTrimSpace(str(a[0])))],
  ['regexReplaceAll', (a) => {
    want(3, a, 'regexReplaceAll');
    const re = compileRe2(str(a[0]), { flags: 'g' });
    return str(a[1]).replace(re, (...m) => expandGoTemplate(str(a[2]), toExec(m)));
  }],
  ['regexReplaceAllLiteral', (a) => {
    want(3, a, 'regexReplaceAllLiteral');
    const repl = str(a[2]);
    return str(a[1]).replace(compileRe2(str(a[0]), { flags: 'g' }), () => repl);
  }],
  ['count', (a) => {
    want(2, a, 'count');
    const re = compileRe2(str(a[0]), { flags: 'g' });
    let n = 0n;
    const s = str(a[1]);
    for (let m = re.exec(s); m; m = re.exec(s)) {
      n++;
      if (m[0] === '') re.lastIndex++;
    }
    return n;
  }],
  ['urldecode', (a) => (want(1, a, 'urldecode'), queryUnescape(str(a[0])))],
  ['urlencode', (a) => (want(1, a, 'urlencode'), queryEscape(str(a[0])))],
  ['bytes', (a) => (want(1, a, 'bytes'), parseHumanBytes(str(a[0])))],
  ['duration', (a) => (want(1, a, 'duration'), Number(parseGoDuration(str(a[0]))) / 1e9)],
  ['duration_seconds', (a) => (want(1, a, 'duration_seconds'), Number(parseGoDuration(str(a[0]))) / 1e9)],
  ['unixEpochMillis', (a) => (want(1, a, 'unixEpochMillis'), floorDiv(timeArg(a[0]).ns, 1_000_000n).toString())],
  ['unixEpochNanos', (a) => (want(1, a, 'unixEpochNanos'), timeArg(a[0]).ns.toString())],
  ['unixEpoch', (a) => (want(1, a, 'unixEpoch'), floorDiv(timeArg(a[0]).ns, 1_000_000_000n).toString())],
  ['toDateInZone', (a) => {
    want(3, a, 'toDateInZone');
    const [off, name] = zoneOffset(str(a[1]));
    return parseTime(str(a[0]), str(a[2]), off, name);
  }],
  ['unixToTime', (a) => (want(1, a, 'unixToTime'), unixToTime(str(a[0])))],
  ['alignLeft', (a) => {
    want(2, a, 'alignLeft');
    const n = int(a[0]);
    const r = [...str(a[1])];
    return n < 0 ? r.join('') : r.length >= n ? r.slice(0, n).join('') : r.join('') + ' '.repeat(n - r.length);
  }],
  ['alignRight', (a) => {
    want(2, a, 'alignRight');
    const n = int(a[0]);
    const r = [...str(a[1])];
    return n < 0 ? r.join('') : r.length >= n ? r.slice(r.length - n).join('') : ' '.repeat(n - r.length) + r.join('');
  }],
  // sprig subset
  ['b64enc', (a) => (want(1, a, 'b64enc'), Buffer.from(str(a[0]), 'utf8').toString('base64'))],
  ['b64dec', (a) => {
    want(1, a, 'b64dec');
    const s = str(a[0]);
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) return 'illegal base64 data at input byte 0';
    return Buffer.from(s, 'base64').toString('utf8');
  }],
  ['sha256', (a) => (want(1, a, 'sha256'), createHash('sha256').update(str(a[0])).digest('hex'))],
  ['lower', (a) => (want(1, a, 'lower'), str(a[0]).toLowerCase())],
  ['upper', (a) => (want(1, a, 'upper'), str(a[0]).toUpperCase())],
  ['title', (a) => (want(1, a, 'title'), title(str(a[0])))],
  ['trunc', (a) => {
    want(2, a, 'trunc');
    const c = int(a[0]);
    const s = str(a[1]);
    const b = Buffer.from(s, 'utf8');
    if (c < 0 && b.length + c > 0) return byteSlice(b, b.length + c, b.length);
    if (c >= 0 && b.length > c) return byteSlice(b, 0, c);
    return s;
  }],
  ['substr', (a) => {
    want(3, a, 'substr');
    // sprig slices Go strings: offsets count UTF-8 bytes ("Köln" 0..3 is "Kö").
    const start = int(a[0]);
    const end = int(a[1]);
    const b = Buffer.from(str(a[2]), 'utf8');
    if (start < 0) return end < 0 ? '' : byteSlice(b, 0, Math.min(end, b.length));
    if (end < 0 || end > b.length) return start > b.length ? '' : byteSlice(b, start, b.length);
    if (start > end) return '';
    return byteSlice(b, start, end);
  }],
  ['contains', (a) => (want(2, a, 'contains'), str(a[1]).includes(str(a[0])))],
  ['hasPrefix', (a) => (want(2, a, 'hasPrefix'), str(a[1]).startsWith(str(a[0])))],
  ['hasSuffix', (a) => (want(2, a, 'hasSuffix'), str(a[1]).endsWith(str(a[0])))],
  ['indent', (a) => (want(2, a, 'indent'), ' '.repeat(Math.max(int(a[0]), 0)) + str(a[1]).split('\n').join('\n' + ' '.repeat(Math.max(int(a[0]), 0))))],
  ['nindent', (a) => (want(2, a, 'nindent'), '\n' + ' '.repeat(Math.max(int(a[0]), 0)) + str(a[1]).split('\n').join('\n' + ' '.repeat(Math.max(int(a[0]), 0))))],
  ['replace', (a) => (want(3, a, 'replace'), str(a[2]).split(str(a[0])).join(str(a[1])))],
  ['repeat', (a) => {
    want(2, a, 'repeat');
    const n = int(a[0]);
    if (n < 0) throw new Error('strings: negative Repeat count');
    if (n * str(a[1]).length > 1 << 20) throw new Error('strings: Repeat output length overflow');
    return str(a[1]).repeat(n);
  }],
  ['trim', (a) => (want(1, a, 'trim'), goTrimSpace(str(a[0])))],
  ['trimAll', (a) => (want(2, a, 'trimAll'), cutset(str(a[1]), str(a[0]), true, true))],
  ['trimSuffix', (a) => (want(2, a, 'trimSuffix'), str(a[0]) !== '' && str(a[1]).endsWith(str(a[0])) ? str(a[1]).slice(0, -str(a[0]).length) : str(a[1]))],
  ['trimPrefix', (a) => (want(2, a, 'trimPrefix'), str(a[1]).startsWith(str(a[0])) ? str(a[1]).slice(str(a[0]).length) : str(a[1]))],
  ['int', (a) => (want(1, a, 'int'), toInt64(a[0]!))],
  ['float64', (a) => (want(1, a, 'float64'), toFloat64(a[0]!))],
  ['add', (a) => wrap64(a.reduce<bigint>((s, v) => s + toInt64(v), 0n))],
  ['sub', (a) => (want(2, a, 'sub'), wrap64(toInt64(a[0]!) - toInt64(a[1]!)))],
  ['mul', (a) => wrap64(a.reduce<bigint>((s, v) => s * toInt64(v), 1n))],
  ['div', (a) => {
    want(2, a, 'div');
    const d = toInt64(a[1]!);
    if (d === 0n) throw new Error('runtime error: integer divide by zero');
    return toInt64(a[0]!) / d;
  }],
  ['mod', (a) => {
    want(2, a, 'mod');
    const d = toInt64(a[1]!);
    if (d === 0n) throw new Error('runtime error: integer divide by zero');
    return toInt64(a[0]!) % d;
  }],
  ['addf', (a) => floatOp(a.length ? a : [0n], (x, y) => x + y, 'addf')],
  ['subf', (a) => floatOp(a, (x, y) => x - y, 'subf')],
  ['mulf', (a) => floatOp(a, (x, y) => x * y, 'mulf')],
  ['divf', (a) => floatOp(a, (x, y) => x / y, 'divf')],
  ['max', (a) => a.slice(1).reduce<bigint>((m, v) => (toInt64(v) > m ? toInt64(v) : m), toInt64(a[0] ?? 0n))],
  ['min', (a) => a.slice(1).reduce<bigint>((m, v) => (toInt64(v) < m ? toInt64(v) : m), toInt64(a[0] ?? 0n))],
  ['maxf', (a) => a.slice(1).reduce<number>((m, v) => Math.max(m, toFloat64(v)), toFloat64(a[0] ?? 0n))],
  ['minf', (a) => a.slice(1).reduce<number>((m, v) => Math.min(m, toFloat64(v)), toFloat64(a[0] ?? 0n))],
  ['ceil', (a) => (want(1, a, 'ceil'), Math.ceil(toFloat64(a[0]!)))],
  ['floor', (a) => (want(1, a, 'floor'), Math.floor(toFloat64(a[0]!)))],
  ['round', (a) => {
    if (a.length < 2) throw new Error(`wrong number of args for round: want at least 2 got ${a.length}`);
    return roundTo(toFloat64(a[0]!), int(a[1]));
  }],
  ['fromJson', (a) => {
    want(1, a, 'fromJson');
    try {
      return fromJsonValue(JSON.parse(str(a[0])));
    } catch {
      return null;
    }
  }],
  ['date', (a) => {
    want(2, a, 'date');
    const v = a[1]!;
    const t = v instanceof GoTime ? v : typeof v === 'bigint' ? new GoTime(v * 1_000_000_000n) : new GoTime(BigInt(Date.now()) * 1_000_000n);
    return formatTime(t, str(a[0]));
  }],
  ['toDate', (a) => (want(2, a, 'toDate'), parseTime(str(a[0]), str(a[1])))],
  ['now', (a) => (want(0, a, 'now'), new GoTime(BigInt(Date.now()) * 1_000_000n))],
  ['default', (a) => {
    if (a.length < 1) throw new Error('wrong number of args for default: want at least 1 got 0');
    return a.length < 2 || empty(a[1]!) ? a[0]! : a[1]!;
  }],
];

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}

/** Rebuilds a RegExpExecArray from String.replace's callback arguments. */
function toExec(m: unknown[]): RegExpExecArray {
  const hasGroups = typeof m[m.length - 1] === 'object' && m[m.length - 1] !== null;
  const groups = hasGroups ? (m[m.length - 1] as Record<string, string>) : undefined;
  const caps = m.slice(0, hasGroups ? -3 : -2) as string[];
  const arr = caps as unknown as RegExpExecArray;
  arr.groups = groups;
  return arr;
}

/** Function names → implementations, without `__line__`/`__timestamp__` (bound per entry). */
export const TEMPLATE_FUNCS: ReadonlyMap<string, TemplateFunc> = new Map(FUNCS);

export { ZERO_TIME };

/** A byte range of a UTF-8 string; a cut rune becomes U+FFFD, as Go's JSON output shows it. */
function byteSlice(b: Buffer, from: number, to: number): string {
  return b.toString('utf8', from, to);
}
