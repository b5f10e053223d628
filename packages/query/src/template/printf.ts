/** Go's `fmt.Sprintf` for the verbs templates use (`%s %d %v %q %f %x %e %g %t %c %%` with flags, width, precision). */
import { formatFloatG, GoTime, sprint, typeName, type GoValue } from './values.js';

interface Spec {
  minus: boolean;
  plus: boolean;
  zero: boolean;
  space: boolean;
  sharp: boolean;
  width?: number;
  prec?: number;
}

function pad(s: string, spec: Spec, numeric: boolean): string {
  if (spec.width === undefined || s.length >= spec.width) return s;
  const n = spec.width - [...s].length;
  if (n <= 0) return s;
  if (spec.minus) return s + ' '.repeat(n);
  if (spec.zero && numeric) {
    const sign = /^[+\- ]/.test(s) ? s[0]! : '';
    return sign + '0'.repeat(n) + s.slice(sign.length);
  }
  return ' '.repeat(n) + s;
}

function quote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + '"';
}

function sign(neg: boolean, spec: Spec): string {
  return neg ? '-' : spec.plus ? '+' : spec.space ? ' ' : '';
}

function fmtInt(v: bigint, verb: string, spec: Spec): string {
  const neg = v < 0n;
  const a = neg ? -v : v;
  let digits: string;
  switch (verb) {
    case 'x':
      digits = a.toString(16);
      if (spec.sharp) digits = '0x' + digits;
      break;
    case 'X':
      digits = a.toString(16).toUpperCase();
      if (spec.sharp) digits = '0X' + digits;
      break;
    case 'o':
      digits = a.toString(8);
      if (spec.sharp) digits = '0' + digits;
      break;
    case 'O':
      digits = '0o' + a.toString(8);
      break;
    case 'b':
      digits = a.toString(2);
      break;
    default:
      digits = a.toString(10);
  }
  if (spec.prec !== undefined) digits = digits.padStart(spec.prec, '0');
  return pad(sign(neg, spec) + digits, { ...spec, zero: spec.zero && spec.prec === undefined }, true);
}

function fmtFloat(v: number, verb: string, spec: Spec): string {
  const neg = v < 0 || Object.is(v, -0);
  const a = Math.abs(v);
  let s: string;
  if (!Number.isFinite(a)) s = Number.isNaN(a) ? 'NaN' : 'Inf';
  else
    switch (verb) {
      case 'e':
      case 'E': {
        const e = a.toExponential(spec.prec ?? 6);
        const [m, x] = e.split('e') as [string, string];
        const xn = Number(x);
        s = `${m}e${xn < 0 ? '-' : '+'}${String(Math.abs(xn)).padStart(2, '0')}`;
        if (verb === 'E') s = s.toUpperCase();
        break;
      }
      case 'f':
      case 'F':
        s = a.toFixed(spec.prec ?? 6);
        break;
      case 'g':
      case 'G':
        s = formatFloatG(a, spec.prec ?? -1);
        if (verb === 'G') s = s.toUpperCase();
        break;
      default:
        s = formatFloatG(a, spec.prec ?? -1);
    }
  if (Number.isNaN(v)) return pad((spec.plus ? '+' : spec.space ? ' ' : '') + 'NaN', { ...spec, zero: false }, false);
  return pad(sign(neg, spec) + s, { ...spec, zero: spec.zero && Number.isFinite(a) }, true);
}

function bad(verb: string, v: GoValue): string {
  return `%!${verb}(${typeName(v)}=${sprint(v)})`;
}

function fmtOne(verb: string, v: GoValue, spec: Spec): string {
  if (verb === 'T') return pad(typeName(v), spec, false);
  if (v === null) return verb === 'v' || verb === 's' ? pad('<nil>', spec, false) : `%!${verb}(<nil>)`;
  switch (typeof v) {
    case 'boolean':
      return verb === 't' || verb === 'v' ? pad(String(v), spec, false) : bad(verb, v);
    case 'bigint':
      if ('dxXobO'.includes(verb)) return fmtInt(v, verb, spec);
      if (verb === 'v') return fmtInt(v, 'd', spec);
      if (verb === 'c') return pad(String.fromCodePoint(Number(v)), spec, false);
      if (verb === 'q') return pad("'" + String.fromCodePoint(Number(v)) + "'", spec, false);
      if (verb === 'U') return pad('U+' + v.toString(16).toUpperCase().padStart(4, '0'), spec, false);
      return bad(verb, v);
    case 'number':
      if ('eEfFgGv'.includes(verb)) return fmtFloat(v, verb, spec);
      return bad(verb, v);
    case 'string': {
      let s = v;
      switch (verb) {
        case 'v':
        case 's':
          if (spec.prec !== undefined) s = [...s].slice(0, spec.prec).join('');
          return pad(s, spec, false);
        case 'q':
          return pad(quote(s), spec, false);
        case 'x':
        case 'X': {
          const h = Buffer.from(s, 'utf8').toString('hex');
          return pad(verb === 'X' ? h.toUpperCase() : h, spec, false);
        }
        default:
          return bad(verb, v);
      }
    }
  }
  if (v instanceof GoTime || verb === 'v' || verb === 's') return pad(sprint(v), spec, false);
  return bad(verb, v);
}

/** `fmt.Sprintf(format, args...)`, including Go's `%!verb(...)` markers for bad or missing args. */
export function sprintf(format: string, args: GoValue[]): string {
  let out = '';
  let argi = 0;
  for (let i = 0; i < format.length; i++) {
    const c = format[i]!;
    if (c !== '%') {
      out += c;
      continue;
    }
    i++;
    if (i >= format.length) {
      out += '%!(NOVERB)';
      break;
    }
    const spec: Spec = { minus: false, plus: false, zero: false, space: false, sharp: false };
    for (; i < format.length; i++) {
      const f = format[i];
      if (f === '-') spec.minus = true;
      else if (f === '+') spec.plus = true;
      else if (f === '0') spec.zero = !spec.minus;
      else if (f === ' ') spec.space = true;
      else if (f === '#') spec.sharp = true;
      else break;
    }
    const num = (): number | undefined => {
      if (format[i] === '*') {
        i++;
        const a = args[argi++];
        return typeof a === 'bigint' ? Number(a) : undefined;
      }
      const m = /^\d+/.exec(format.slice(i));
      if (!m) return undefined;
      i += m[0].length;
      return Number(m[0]);
    };
    spec.width = num();
    if (format[i] === '.') {
      i++;
      spec.prec = num() ?? 0;
    }
    const verb = format[i];
    if (verb === undefined) {
      out += '%!(NOVERB)';
      break;
    }
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (argi >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    out += fmtOne(verb, args[argi++]!, spec);
  }
  if (argi < args.length) {
    out += '%!(EXTRA ' + args.slice(argi).map((a) => `${typeName(a)}=${sprint(a)}`).join(', ') + ')';
  }
  return out;
}
