/**
 * RE2 → JavaScript RegExp translation. LogQL (like Prometheus) uses Go's RE2 syntax; V8's
 * dialect differs in flag groups, named groups, `\z`, `\Q…\E`, POSIX classes, `\s`, literal
 * braces and Unicode classes. The translation walks the pattern once and emits an equivalent
 * pattern for the `u` flag; syntax RE2 itself rejects (backreferences, lookaround) or that has
 * no JS equivalent (ungreedy mode, scoped flag groups) throws `RegexSyntaxError`.
 */
import { RegexSyntaxError } from './errors.js';

export interface Re2Options {
  /** Match the whole input (`^(?:…)$`), as label matchers do. */
  anchored?: boolean;
  /** `.` matches `\n` too, as Prometheus' `^(?s:…)$` label matchers do. */
  dotAll?: boolean;
}

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
  flags = '';
  private groupDepth = 0;

  constructor(private readonly src: string) {}

  private peek(offset = 0): string {
    return this.src[this.i + offset] ?? '';
  }

  private codePointAt(): number {
    const cp = this.src.codePointAt(this.i)!;
    this.i += cp > 0xffff ? 2 : 1;
    return cp;
  }

  run(): string {
    this.leadingFlags();
    let out = '';
    while (this.i < this.src.length) out += this.atom();
    if (this.groupDepth !== 0) fail(this.src, 'missing closing )');
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
        } else if (f === 'U') {
          fail(this.src, 'ungreedy mode (?U) is not supported; use lazy quantifiers (*?, +?) instead');
        } else {
          fail(this.src, `invalid or unsupported Perl syntax: \`(?${m[1]}\``);
        }
      }
      this.i += m[0].length;
    }
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
        if (this.groupDepth === 0) fail(this.src, 'unexpected )');
        this.groupDepth--;
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
      case '^':
      case '$':
      case '|':
      case '*':
      case '+':
      case '?':
        this.i++;
        return c;
      default:
        return literal(this.codePointAt());
    }
  }

  private groupOpen(): string {
    const rest = this.src.slice(this.i);
    this.groupDepth++;
    if (rest.startsWith('(?P<') || rest.startsWith('(?<')) {
      const m = /^\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>/.exec(rest);
      if (!m) fail(this.src, `invalid named capture: \`${rest.slice(0, 20)}\``);
      this.i += m[0].length;
      return `(?<${m[1]}>`;
    }
    if (rest.startsWith('(?:')) {
      this.i += 3;
      return '(?:';
    }
    if (rest.startsWith('(?')) {
      if (/^\(\?[=!]|^\(\?<[=!]/.test(rest)) fail(this.src, 'invalid or unsupported Perl syntax: lookaround');
      fail(this.src, `invalid or unsupported Perl syntax: \`${rest.slice(0, 6)}\` (flag groups are only supported at the start, e.g. (?i)abc)`);
    }
    this.i++;
    return '(';
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
    for (;;) {
      if (this.i >= this.src.length) fail(this.src, 'missing closing ]');
      const c = this.peek();
      if (c === ']' && !first) {
        this.i++;
        return out + ']';
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
      out += this.classItem();
      if (this.peek() === '-' && this.peek(1) !== ']' && this.peek(1) !== '') {
        this.i++;
        out += '-' + this.classItem();
      }
    }
  }

  private classItem(): string {
    if (this.peek() === '\\') return this.escape(true);
    return literal(this.codePointAt());
  }
}

/** Translates an RE2 pattern to a JS RegExp source and flags (always including `u`). */
export function translateRe2(pattern: string, options: Re2Options = {}): { source: string; flags: string } {
  const t = new Translator(pattern);
  let body = t.run();
  let flags = t.flags;
  if (options.dotAll && !flags.includes('s')) flags += 's';
  if (options.anchored) {
    body = flags.includes('m') ? `(?<![\\s\\S])(?:${body})(?![\\s\\S])` : `^(?:${body})$`;
  }
  return { source: body, flags: flags + 'u' };
}

const cache = new Map<string, RegExp>();
const CACHE_LIMIT = 1000;

/** Compiles (and caches) an RE2 pattern as a JS RegExp; throws `RegexSyntaxError` on bad syntax. */
export function compileRe2(pattern: string, options: Re2Options = {}): RegExp {
  const key = `${options.anchored ? 'a' : '-'}${options.dotAll ? 's' : '-'}${pattern}`;
  let re = cache.get(key);
  if (re) return re;
  const { source, flags } = translateRe2(pattern, options);
  try {
    re = new RegExp(source, flags);
  } catch (err) {
    fail(pattern, (err as Error).message);
  }
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  cache.set(key, re);
  return re;
}
