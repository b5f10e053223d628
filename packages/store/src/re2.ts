/**
 * RE2 → JavaScript RegExp translation, the one used for label matchers, line filters, parsers,
 * label filters, label_replace and template functions. LogQL (like Prometheus) uses Go's RE2
 * syntax; V8's dialect differs in flag groups, named groups, `\z`, `\Q…\E`, POSIX classes, `\s`,
 * `.`, literal braces and Unicode classes. The translation walks the pattern once and emits an
 * equivalent pattern for the `u` flag. Flags set at the very start become RegExp flags; flag groups
 * anywhere else (`a(?i)b`, `(?s:.)`, `(?-m)`) are scoped as in Go by rewriting what they affect
 * (letters to both cases, `.` to `[\s\S]`, `^`/`$` to line-boundary lookarounds). Syntax RE2 itself
 * rejects (backreferences, lookaround) or that has no JS equivalent (ungreedy mode) throws
 * `RegexSyntaxError` with Go's `error parsing regexp: …` text.
 */
import { RegexSyntaxError } from './errors.js';

export interface Re2Options {
  /** Match the whole input (`^(?:…)$`), as label matchers do. */
  anchored?: boolean;
  /** `.` matches `\n` too, as Prometheus' `^(?s:…)$` label matchers do. */
  dotAll?: boolean;
  /** Extra RegExp flags for the caller's use of the result, e.g. `g` for replace-all. */
  flags?: string;
}

/** The Go flags a part of the pattern is under. */
interface FlagScope {
  i: boolean;
  s: boolean;
  m: boolean;
}

/** Thrown inside the translator when a scope turns off a leading flag: translate again without RegExp flags. */
class NeedsScopedFlags extends Error {}

const POSIX_CLASSES: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`\\{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

/** RE2's `\s` is ASCII whitespace without `\v`; JS's includes Unicode spaces. */
const RE2_SPACE = '\\t\\n\\f\\r ';

const GENERAL_CATEGORY = /^(?:[LMNPSZC][a-z]?|Any)$/;

function fail(pattern: string, why: string): never {
  throw new RegexSyntaxError(`error parsing regexp: ${why}: \`${pattern}\``);
}

/** A literal code point, escaped so it is safe anywhere in a `u` pattern. */
function literal(cp: number): string {
  const ch = String.fromCodePoint(cp);
  if (/[0-9A-Za-z]/.test(ch)) return ch;
  return `\\u{${cp.toString(16)}}`;
}

/** The code point `literal` wrote, if `text` is one literal. */
function literalCodePoint(text: string): number | undefined {
  if (/^[0-9A-Za-z]$/.test(text)) return text.charCodeAt(0);
  const m = /^\\u\{([0-9a-f]+)\}$/.exec(text);
  return m ? parseInt(m[1], 16) : undefined;
}

/** The other case of a letter that has exactly one, as Go's simple case folding pairs them. */
function otherCase(cp: number): number | undefined {
  const ch = String.fromCodePoint(cp);
  const up = ch.toUpperCase();
  const other = up !== ch ? up : ch.toLowerCase();
  if (other === ch || [...other].length !== 1) return undefined;
  return other.codePointAt(0);
}

/** [lo, hi] ∩ [from, to], or undefined when empty. */
function clip(lo: number, hi: number, from: number, to: number): [number, number] | undefined {
  const a = Math.max(lo, from);
  const b = Math.min(hi, to);
  return a <= b ? [a, b] : undefined;
}

function unsupportedFlag(pattern: string, flag: string, group: string): never {
  if (flag === 'U') fail(pattern, 'ungreedy mode (?U) is not supported; use lazy quantifiers (*?, +?) instead');
  fail(pattern, `invalid or unsupported Perl syntax: \`${group}\``);
}

function unicodeClass(name: string, negate: boolean, pattern: string): string {
  if (name === 'Any') return negate ? '[^\\s\\S]' : '[\\s\\S]';
  const prop = GENERAL_CATEGORY.test(name) ? name : `Script=${name}`;
  try {
    new RegExp(`\\p{${prop}}`, 'u');
  } catch {
    fail(pattern, `invalid character class range \\p{${name}}`);
  }
  return `${negate ? '\\P' : '\\p'}{${prop}}`;
}

class Translator {
  private i = 0;
  /** The RegExp flags: the leading flag group's, unless scopes need them per part. */
  flags = '';
  /** The flags in force here; `scopes` holds those of the enclosing groups. */
  private scope: FlagScope = { i: false, s: false, m: false };
  private readonly scopes: FlagScope[] = [];

  constructor(
    private readonly src: string,
    dotAll: boolean,
    /** false: leading flags are scoped like any other, so a later `(?-i)` can turn them off. */
    private readonly leadingAsRegExpFlags: boolean,
  ) {
    this.scope.s = dotAll;
    if (dotAll && leadingAsRegExpFlags) this.flags = 's';
  }

  private peek(offset = 0): string {
    return this.src[this.i + offset] ?? '';
  }

  private codePointAt(): number {
    const cp = this.src.codePointAt(this.i)!;
    this.i += cp > 0xffff ? 2 : 1;
    return cp;
  }

  run(): string {
    if (this.leadingAsRegExpFlags) this.leadingFlags();
    let out = '';
    while (this.i < this.src.length) out += this.atom();
    if (this.scopes.length !== 0) fail(this.src, 'missing closing )');
    return out;
  }

  /** `(?i)`, `(?s)`, `(?m)`, `(?is)`… at the very start become RegExp flags. */
  private leadingFlags(): void {
    for (;;) {
      const m = /^\(\?([a-zA-Z]+)\)/.exec(this.src.slice(this.i));
      if (!m) return;
      for (const f of m[1]) {
        if (f === 'i' || f === 's' || f === 'm') {
          if (!this.flags.includes(f)) this.flags += f;
          this.scope[f] = true;
        } else {
          unsupportedFlag(this.src, f, m[1]);
        }
      }
      this.i += m[0].length;
    }
  }

  /** Whether flag f is in force here but not carried by the RegExp flags (so it is rewritten). */
  private scoped(f: 'i' | 's' | 'm'): boolean {
    return this.scope[f] && !this.flags.includes(f);
  }

  /** One piece of the pattern outside a character class. */
  private atom(): string {
    const c = this.peek();
    switch (c) {
      case '\\':
        return this.escape(false);
      case '[':
        return this.charClass();
      case '(':
        return this.groupOpen();
      case ')':
        if (this.scopes.length === 0) fail(this.src, 'unexpected )');
        this.scope = this.scopes.pop()!;
        this.i++;
        return ')';
      case '{': {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.i));
        if (m) {
          if (Number(m[1]) > 1000 || (m[3] && Number(m[3]) > 1000)) fail(this.src, `invalid repeat count: \`${m[0]}\``);
          this.i += m[0].length;
          return m[0];
        }
        this.i++;
        return '\\{';
      }
      case '}':
        this.i++;
        return '\\}';
      case ']':
        this.i++;
        return '\\]';
      case '.':
        this.i++;
        // Go's `.` excludes only \n (JS's also \r, \u2028, \u2029).
        return this.scope.s ? (this.flags.includes('s') ? '.' : '[\\s\\S]') : '[^\\n]';
      case '^':
        this.i++;
        return this.scoped('m') ? '(?<![^\\n])' : '^';
      case '$':
        this.i++;
        return this.scoped('m') ? '(?![^\\n])' : '$';
      case '|':
      case '*':
      case '+':
      case '?':
        this.i++;
        return c;
      default:
        return this.letter(this.codePointAt());
    }
  }

  /** A literal outside a class: both cases under a scoped `i`. */
  private letter(cp: number): string {
    const other = this.scoped('i') ? otherCase(cp) : undefined;
    return other === undefined ? literal(cp) : `[${literal(cp)}${literal(other)}]`;
  }

  private groupOpen(): string {
    const rest = this.src.slice(this.i);
    if (rest.startsWith('(?P<') || rest.startsWith('(?<')) {
      const m = /^\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>/.exec(rest);
      if (!m) fail(this.src, `invalid named capture: \`${rest.slice(0, 20)}\``);
      this.enter();
      this.i += m[0].length;
      return `(?<${m[1]}>`;
    }
    if (rest.startsWith('(?')) {
      if (/^\(\?[=!]|^\(\?<[=!]/.test(rest)) fail(this.src, `invalid or unsupported Perl syntax: \`${rest.slice(0, 3)}\``);
      const m = /^\(\?([a-zA-Z]*)(?:-([a-zA-Z]*))?([:)])/.exec(rest);
      if (!m || m[2] === '' || (m[1] === '' && m[2] === undefined && m[3] === ')')) fail(this.src, `invalid or unsupported Perl syntax: \`${rest.slice(0, 3)}\``);
      const scope = { ...this.scope };
      for (const [set, on] of [[m[1], true], [m[2] ?? '', false]] as const) {
        for (const f of set) {
          if (f !== 'i' && f !== 's' && f !== 'm') unsupportedFlag(this.src, f, m[0]);
          // A scope cannot turn off a RegExp flag: translate again with every flag scoped.
          if (!on && this.flags.includes(f)) throw new NeedsScopedFlags();
          scope[f] = on;
        }
      }
      this.i += m[0].length;
      if (m[3] === ')') {
        // `(?i)` in the middle: in force until the enclosing group ends.
        this.scope = scope;
        return '';
      }
      this.enter();
      this.scope = scope;
      return '(?:';
    }
    this.enter();
    this.i++;
    return '(';
  }

  private enter(): void {
    this.scopes.push(this.scope);
    this.scope = { ...this.scope };
  }

  /** A backslash sequence; `inClass` selects the form valid inside `[…]`. */
  private escape(inClass: boolean): string {
    this.i++;
    if (this.i >= this.src.length) fail(this.src, 'trailing backslash at end of expression');
    const c = this.peek();
    this.i++;
    switch (c) {
      case 'd':
      case 'D':
      case 'w':
      case 'W':
      case 'n':
      case 'r':
      case 't':
      case 'f':
      case 'v':
        return '\\' + c;
      case 's':
        return inClass ? RE2_SPACE : `[${RE2_SPACE}]`;
      case 'S':
        if (inClass) fail(this.src, '\\S inside a character class is not supported');
        return `[^${RE2_SPACE}]`;
      case 'b':
      case 'B':
        if (inClass) fail(this.src, `invalid escape sequence: \`\\${c}\``);
        return '\\' + c;
      case 'a':
        return '\\x07';
      case 'A':
        if (inClass) fail(this.src, 'invalid escape sequence: `\\A`');
        return '(?<![\\s\\S])';
      case 'z':
        if (inClass) fail(this.src, 'invalid escape sequence: `\\z`');
        return '(?![\\s\\S])';
      case 'x': {
        const m = /^\{([0-9A-Fa-f]{1,6})\}|^([0-9A-Fa-f]{2})/.exec(this.src.slice(this.i));
        if (!m) fail(this.src, 'invalid escape sequence: `\\x`');
        this.i += m[0].length;
        return literal(parseInt(m[1] ?? m[2], 16));
      }
      case 'p':
      case 'P': {
        let name: string;
        if (this.peek() === '{') {
          const end = this.src.indexOf('}', this.i);
          if (end < 0) fail(this.src, 'invalid character class range: missing }');
          name = this.src.slice(this.i + 1, end);
          this.i = end + 1;
        } else {
          name = this.peek();
          this.i++;
        }
        let negate = c === 'P';
        if (name.startsWith('^')) {
          negate = !negate;
          name = name.slice(1);
        }
        return unicodeClass(name, negate, this.src);
      }
      case 'Q': {
        const end = this.src.indexOf('\\E', this.i);
        const text = end < 0 ? this.src.slice(this.i) : this.src.slice(this.i, end);
        this.i = end < 0 ? this.src.length : end + 2;
        let out = '';
        for (const ch of text) out += literal(ch.codePointAt(0)!);
        return inClass || text.length <= 1 ? out : `(?:${out})`;
      }
      default:
        if (c >= '0' && c <= '7') {
          if (c === '0' || /[0-7]/.test(this.peek())) {
            const m = /^[0-7]{0,2}/.exec(this.src.slice(this.i))!;
            this.i += m[0].length;
            return literal(parseInt(c + m[0], 8));
          }
          fail(this.src, `invalid escape sequence: \`\\${c}\` (backreferences are not supported in RE2)`);
        }
        if (/[A-Za-z0-9]/.test(c)) fail(this.src, `invalid escape sequence: \`\\${c}\``);
        this.i--;
        return literal(this.codePointAt());
    }
  }

  private charClass(): string {
    this.i++;
    let out = '[';
    if (this.peek() === '^') {
      out += '^';
      this.i++;
    }
    let first = true;
    const items: Array<[number, number]> = [];
    for (;;) {
      if (this.i >= this.src.length) fail(this.src, 'missing closing ]');
      const c = this.peek();
      if (c === ']' && !first) {
        this.i++;
        return out + this.foldedClassExtra(items) + ']';
      }
      first = false;
      if (c === '[' && this.peek(1) === ':') {
        const m = /^\[:(\^?)([a-z]+):\]/.exec(this.src.slice(this.i));
        if (m) {
          const body = POSIX_CLASSES[m[2]];
          if (!body) fail(this.src, `invalid character class range: \`${m[0]}\``);
          if (m[1]) fail(this.src, `negated POSIX class ${m[0]} is not supported`);
          out += body;
          this.i += m[0].length;
          continue;
        }
      }
      const lo = this.classItem();
      let hi = lo;
      out += lo.text;
      if (this.peek() === '-' && this.peek(1) !== ']' && this.peek(1) !== '') {
        this.i++;
        hi = this.classItem();
        out += '-' + hi.text;
      }
      if (lo.cp !== undefined && hi.cp !== undefined) items.push([lo.cp, hi.cp]);
    }
  }

  /** One class member; `cp` when it is a single literal code point (so it can be case-folded). */
  private classItem(): { text: string; cp?: number } {
    const text = this.peek() === '\\' ? this.escape(true) : literal(this.codePointAt());
    return { text, cp: literalCodePoint(text) };
  }

  /** What a class needs added for its ranges and letters under a scoped `i`. */
  private foldedClassExtra(items: Array<[number, number]>): string {
    if (!this.scoped('i')) return '';
    let extra = '';
    for (const [lo, hi] of items) {
      // ASCII letters by range; other letters one by one (short ranges only).
      const upper = clip(lo, hi, 0x61, 0x7a);
      if (upper) extra += `${literal(upper[0] - 32)}-${literal(upper[1] - 32)}`;
      const lower = clip(lo, hi, 0x41, 0x5a);
      if (lower) extra += `${literal(lower[0] + 32)}-${literal(lower[1] + 32)}`;
      if (hi > 0x7f && hi - lo < 256) {
        for (let cp = Math.max(lo, 0x80); cp <= hi; cp++) {
          const o = otherCase(cp);
          if (o !== undefined) extra += literal(o);
        }
      }
    }
    return extra;
  }
}

/** Translates an RE2 pattern to a JS RegExp source and flags (always including `u`). */
export function translateRe2(pattern: string, options: Re2Options = {}): { source: string; flags: string } {
  let t = new Translator(pattern, options.dotAll === true, true);
  let body: string;
  try {
    body = t.run();
  } catch (err) {
    if (!(err instanceof NeedsScopedFlags)) throw err;
    t = new Translator(pattern, options.dotAll === true, false);
    body = t.run();
  }
  const flags = t.flags;
  if (options.anchored) {
    body = flags.includes('m') ? `(?<![\\s\\S])(?:${body})(?![\\s\\S])` : `^(?:${body})$`;
  }
  return { source: body, flags: flags + 'u' + (options.flags ?? '') };
}

const cache = new Map<string, RegExp>();
const CACHE_LIMIT = 1000;

/**
 * Compiles an RE2 pattern as a JS RegExp; throws `RegexSyntaxError` on bad syntax. Results are
 * cached, except stateful ones (`g`/`y` flags keep a lastIndex).
 */
export function compileRe2(pattern: string, options: Re2Options = {}): RegExp {
  const stateful = /[gy]/.test(options.flags ?? '');
  const key = `${options.anchored ? 'a' : '-'}${options.dotAll ? 's' : '-'}${pattern}`;
  let re = stateful ? undefined : cache.get(key);
  if (re) return re;
  const { source, flags } = translateRe2(pattern, options);
  try {
    re = new RegExp(source, flags);
  } catch (err) {
    throw new RegexSyntaxError(goMessage(pattern, err as Error));
  }
  if (stateful) return re;
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  cache.set(key, re);
  return re;
}

/** Go's wording for what V8 rejects in a translated pattern. */
function goMessage(pattern: string, err: Error): string {
  const m = err.message;
  const why = /Unterminated group|missing \)/i.test(m)
    ? 'missing closing )'
    : /Unmatched '\)'/i.test(m)
      ? 'unexpected )'
      : /Nothing to repeat/i.test(m)
        ? 'missing argument to repetition operator'
        : /Duplicate capture group name/i.test(m)
          ? 'duplicate capture group name'
          : /Invalid capture group name/i.test(m)
            ? 'invalid named capture'
            : /numbers out of order/i.test(m)
              ? 'invalid repeat count'
              : /Range out of order/i.test(m)
                ? 'invalid character class range'
                : m;
  return `error parsing regexp: ${why}: \`${pattern}\``;
}
