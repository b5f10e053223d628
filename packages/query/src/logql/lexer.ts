/**
 * LogQL lexer, behaving like Loki's (`pkg/logql/syntax/lex.go` on top of Go's text/scanner):
 * keywords are case-insensitive, function names are keywords only when followed by `(` (or by
 * `by (`/`without (`), a number directly followed by a unit is a DURATION or BYTES token, `[...]`
 * is one RANGE token, `#`, `//` and `/* *\/` start comments.
 *
 * Positions follow text/scanner's quirk that Loki exposes in its messages: `col` is the 1-based
 * column of the token's first character, and `line` is 0 whenever the lexer had to read ahead
 * with `Next()` for the token (two-character operators, durations, ranges, flags).
 */
import { ParseError } from './ast.js';
import { parseGoDuration, parsePromDuration } from './durations.js';
import { parseHumanBytes } from './bytes.js';

export type TokenType =
  | 'IDENTIFIER'
  | 'STRING'
  | 'NUMBER'
  | 'DURATION'
  | 'BYTES'
  | 'RANGE'
  | 'PARSER_FLAG'
  | 'KEYWORD'
  | 'EOF';

export interface Token {
  readonly type: TokenType;
  /** For KEYWORD: the canonical lower-case keyword or operator (`sum`, `|=`, `(`). */
  readonly text: string;
  /** Unquoted value of a STRING; numeric text of a NUMBER. */
  readonly value: string;
  /** DURATION and RANGE tokens, in nanoseconds. */
  readonly duration?: bigint;
  /** BYTES tokens. */
  readonly bytes?: number;
  readonly line: number;
  readonly col: number;
}

/** Keywords and operators that are always tokens (Loki's `tokens` map). */
const TOKENS = new Set([
  ',', '.', '{', '}', '=', '!=', '=~', '!~', '!>', '|=', '|~', '|>', '|', 'unwrap', '(', ')', 'by',
  'without', 'bool', '[', ']', 'label_replace', 'offset', 'on', 'ignoring', 'group_left',
  'group_right', 'or', 'and', 'unless', '+', '-', '*', '/', '%', '^', '==', '>', '>=', '<', '<=',
  'json', 'regexp', 'logfmt', 'unpack', 'pattern', 'label_format', 'line_format', 'ip',
  'decolorize', 'drop', 'keep', 'variants', 'of',
]);

/** Words that are tokens only when used as a function (Loki's `functionTokens`). */
const FUNCTION_TOKENS = new Set([
  'rate', 'rate_counter', 'count_over_time', 'bytes_rate', 'bytes_over_time', 'avg_over_time',
  'sum_over_time', 'min_over_time', 'max_over_time', 'stdvar_over_time', 'stddev_over_time',
  'quantile_over_time', 'first_over_time', 'last_over_time', 'absent_over_time', 'vector', 'sum',
  'avg', 'max', 'min', 'count', 'stddev', 'stdvar', 'bottomk', 'topk', 'sort', 'sort_desc',
  'label_replace', 'approx_topk', 'bytes', 'duration', 'duration_seconds', 'ip',
]);

const PARSER_FLAGS = new Set(['--strict', '--keep-empty']);

const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r';
const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isLetter = (c: string): boolean => /\p{L}/u.test(c) || c === '_';
const isIdentChar = (c: string): boolean => isLetter(c) || /\p{Nd}/u.test(c);
const isNumberRune = (c: string): boolean => /\p{N}/u.test(c);
const isDurationRune = (c: string): boolean => 'nuµmshdwy'.includes(c);
const isBytesRune = (c: string): boolean => 'BikKMGTP'.includes(c);

export class Lexer {
  /** The input as code points, so columns count characters as text/scanner does. */
  private readonly src: string[];
  private pos = 0;
  private line = 1;
  private col = 1;

  constructor(input: string) {
    this.src = Array.from(input);
  }

  private peek(offset = 0): string {
    return this.src[this.pos + offset] ?? '';
  }

  private advance(): string {
    const c = this.src[this.pos++] ?? '';
    if (c === '\n') {
      this.line++;
      this.col = 1;
    } else {
      this.col++;
    }
    return c;
  }

  private error(msg: string, line: number, col: number): never {
    throw new ParseError(formatPosError(msg, line, col), line, col);
  }

  /** Skips whitespace and comments. */
  private skipTrivia(): void {
    for (;;) {
      const c = this.peek();
      if (isSpace(c)) {
        this.advance();
      } else if (c === '#') {
        while (this.peek() !== '' && this.peek() !== '\n') this.advance();
      } else if (c === '/' && this.peek(1) === '/') {
        while (this.peek() !== '' && this.peek() !== '\n') this.advance();
      } else if (c === '/' && this.peek(1) === '*') {
        const line = this.line;
        const col = this.col;
        this.advance();
        this.advance();
        while (!(this.peek() === '*' && this.peek(1) === '/')) {
          if (this.peek() === '') this.error('comment not terminated', line, col);
          this.advance();
        }
        this.advance();
        this.advance();
      } else {
        return;
      }
    }
  }

  next(): Token {
    this.skipTrivia();
    const line = this.line;
    const col = this.col;
    const c = this.peek();
    const tok = (type: TokenType, text: string, value = text, readAhead = false): Token => ({
      type,
      text,
      value,
      line: readAhead ? 0 : line,
      col,
    });
    if (c === '') return tok('EOF', '$end');

    if (isDigit(c) || (c === '.' && isDigit(this.peek(1)))) {
      const num = this.scanNumber();
      const d = this.tryUnit(num, isDurationRune, parseDurationToken);
      if (d) return { ...tok('DURATION', d.text, d.text, true), duration: d.value };
      const b = this.tryUnit(num, isBytesRune, parseHumanBytes);
      if (b) return { ...tok('BYTES', b.text, b.text, true), bytes: b.value };
      return tok('NUMBER', num);
    }

    if (c === '"' || c === '`') return tok('STRING', c, this.scanString(line, col));

    if (c === '[') {
      this.advance();
      let body = '';
      while (this.peek() !== '') {
        const r = this.advance();
        if (r === ']') {
          const ns = parsePromDuration(body);
          if (typeof ns === 'string') this.error(ns, 0, col);
          return { ...tok('RANGE', `[${body}]`, body, true), duration: ns };
        }
        body += r;
      }
      this.error("missing closing ']' in duration", 0, col);
    }

    if (c === '-' && this.peek(1) === '-') {
      let flag = '--';
      let i = 2;
      while (isLetter(this.peek(i)) || this.peek(i) === '-') flag += this.peek(i++);
      if (PARSER_FLAGS.has(flag)) {
        for (let k = 0; k < i; k++) this.advance();
        return tok('PARSER_FLAG', flag, flag, true);
      }
    }
    if (c === '-') {
      this.advance();
      const d = this.tryUnit('-', isDurationRune, parseDurationToken);
      if (d) return { ...tok('DURATION', d.text, d.text, true), duration: d.value };
      return tok('KEYWORD', '-');
    }

    if (isLetter(c)) {
      let word = '';
      while (isIdentChar(this.peek())) word += this.advance();
      const lower = word.toLowerCase();
      if (FUNCTION_TOKENS.has(lower)) {
        return this.isFunctionCall() ? tok('KEYWORD', lower) : tok('IDENTIFIER', word);
      }
      if (TOKENS.has(lower)) return tok('KEYWORD', lower);
      return tok('IDENTIFIER', word);
    }

    this.advance();
    const two = c + this.peek();
    if (two.length === 2 && TOKENS.has(two)) {
      this.advance();
      return tok('KEYWORD', two, two, true);
    }
    if (TOKENS.has(c)) return tok('KEYWORD', c);
    // Anything else is what text/scanner returns for an unknown character: Loki makes it an
    // IDENTIFIER, which then fails in the grammar.
    return tok('IDENTIFIER', c);
  }

  /** Whether the next non-space text is `(`, or `by (` / `without (` (Loki's isFunction). */
  private isFunctionCall(): boolean {
    let i = this.pos;
    while (isSpace(this.src[i] ?? '')) i++;
    if (this.src[i] === '(') return true;
    let word = '';
    while (isIdentChar(this.src[i] ?? '')) word += this.src[i++];
    const lower = word.toLowerCase();
    if (lower !== 'by' && lower !== 'without') return false;
    while (isSpace(this.src[i] ?? '')) i++;
    return this.src[i] === '(';
  }

  /** A Go number literal (int or float, with `0x`/`0o`/`0b` prefixes and `_` separators). */
  private scanNumber(): string {
    let s = '';
    if (this.peek() === '0' && /[xXoObB]/.test(this.peek(1))) {
      s += this.advance() + this.advance();
      while (/[0-9a-fA-F_.pP]/.test(this.peek()) || (/[pP]/.test(s.at(-1) ?? '') && /[+-]/.test(this.peek()))) {
        s += this.advance();
      }
      return s;
    }
    while (isDigit(this.peek()) || this.peek() === '_') s += this.advance();
    if (this.peek() === '.') {
      s += this.advance();
      while (isDigit(this.peek()) || this.peek() === '_') s += this.advance();
    }
    if ((this.peek() === 'e' || this.peek() === 'E') && (isDigit(this.peek(1)) || (/[+-]/.test(this.peek(1)) && isDigit(this.peek(2))))) {
      s += this.advance() + this.advance();
      while (isDigit(this.peek())) s += this.advance();
    }
    return s;
  }

  /**
   * Loki's tryScanDuration/tryScanBytes: the number plus every following character up to a space
   * that could belong to a unit; taken only when the whole thing parses.
   */
  private tryUnit<T>(
    prefix: string,
    isUnitRune: (c: string) => boolean,
    parse: (s: string) => T | undefined,
  ): { text: string; value: T } | undefined {
    let i = 0;
    let text = prefix;
    for (let c = this.peek(i); c !== '' && !isSpace(c); c = this.peek(++i)) {
      if (!isNumberRune(c) && !isUnitRune(c) && c !== '.') break;
      text += c;
    }
    if (i === 0) return undefined;
    const value = parse(text);
    if (value === undefined) return undefined;
    for (let k = 0; k < i; k++) this.advance();
    return { text, value };
  }

  /** A Go string literal (interpreted or raw), unquoted with Go's rules. */
  private scanString(line: number, col: number): string {
    const quote = this.advance();
    let out = '';
    if (quote === '`') {
      for (;;) {
        const c = this.peek();
        if (c === '') this.error('literal not terminated', line, col);
        this.advance();
        if (c === '`') return out.replace(/\r/g, '');
        out += c;
      }
    }
    for (;;) {
      const c = this.peek();
      if (c === '' || c === '\n') this.error('literal not terminated', line, col);
      this.advance();
      if (c === '"') return out;
      if (c !== '\\') {
        out += c;
        continue;
      }
      out += this.scanEscape(line, col);
    }
  }

  private scanEscape(line: number, col: number): string {
    const c = this.advance();
    const simple: Record<string, string> = {
      a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"',
    };
    if (c in simple) return simple[c]!;
    const hex = (n: number): number => {
      let s = '';
      for (let i = 0; i < n; i++) {
        const h = this.peek();
        if (!/[0-9a-fA-F]/.test(h)) this.error('invalid syntax', line, col);
        s += this.advance();
      }
      return parseInt(s, 16);
    };
    if (c === 'x') return String.fromCharCode(hex(2));
    if (c === 'u' || c === 'U') {
      const cp = hex(c === 'u' ? 4 : 8);
      if (cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000)) this.error('invalid syntax', line, col);
      return String.fromCodePoint(cp);
    }
    if (c >= '0' && c <= '7') {
      let s = c;
      for (let i = 0; i < 2; i++) {
        if (!/[0-7]/.test(this.peek())) this.error('invalid syntax', line, col);
        s += this.advance();
      }
      const v = parseInt(s, 8);
      if (v > 255) this.error('invalid syntax', line, col);
      return String.fromCharCode(v);
    }
    this.error('invalid syntax', line, col);
  }
}

function parseDurationToken(s: string): bigint | undefined {
  const prom = parsePromDuration(s);
  if (typeof prom === 'bigint') return prom;
  const go = parseGoDuration(s);
  return typeof go === 'bigint' ? go : undefined;
}

/** Loki's ParseError text: `parse error at line L, col C: msg`, or `parse error : msg` at 0:0. */
export function formatPosError(msg: string, line: number, col: number): string {
  if (line === 0 && col === 0) return `parse error : ${msg}`;
  return `parse error at line ${line}, col ${col}: ${msg}`;
}
