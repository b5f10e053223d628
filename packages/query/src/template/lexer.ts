/**
 * Lexer for Go text/template source (`{{ … }}` actions with `{{-`/`-}}` trim markers). Produces
 * the whole token list up front: templates are short and compiled once per query.
 */
export type TokenKind =
  | 'text'
  | 'leftDelim'
  | 'rightDelim'
  | 'space'
  | 'identifier'
  | 'keyword'
  | 'field'
  | 'variable'
  | 'dot'
  | 'string'
  | 'rawString'
  | 'char'
  | 'number'
  | 'bool'
  | 'nil'
  | 'pipe'
  | 'leftParen'
  | 'rightParen'
  | 'declare'
  | 'assign'
  | 'comma'
  | 'eof';

export interface Token {
  kind: TokenKind;
  text: string;
  /** 1-based line of the token's first character (for error messages). */
  line: number;
}

export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

const KEYWORDS = new Set(['if', 'else', 'end', 'range', 'with', 'define', 'template', 'block', 'break', 'continue']);

function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\n';
}

function isAlnum(c: string): boolean {
  return /[\p{L}\p{N}_]/u.test(c);
}

/** Tokenises `src`; `name` is the template name used in error messages (`template: line:1: …`). */
export function lex(name: string, src: string): Token[] {
  const out: Token[] = [];
  let pos = 0;
  let line = 1;
  const fail = (msg: string): never => {
    throw new TemplateError(`template: ${name}:${line}: ${msg}`);
  };
  const countLines = (s: string): void => {
    for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === 10) line++;
  };

  while (pos < src.length) {
    const open = src.indexOf('{{', pos);
    if (open < 0) {
      out.push({ kind: 'text', text: src.slice(pos), line });
      countLines(src.slice(pos));
      break;
    }
    let text = src.slice(pos, open);
    let p = open + 2;
    const trimLeft = src[p] === '-' && isSpace(src[p + 1] ?? '');
    if (trimLeft) {
      text = text.replace(/[ \t\r\n]+$/, '');
      p += 1;
    }
    if (text.length > 0) out.push({ kind: 'text', text, line });
    countLines(src.slice(pos, open));
    // comment: {{/* … */}}
    let q = p;
    while (isSpace(src[q] ?? '')) q++;
    if (src.startsWith('/*', q)) {
      const endC = src.indexOf('*/', q + 2);
      if (endC < 0) fail('unclosed comment');
      let r = endC + 2;
      while (isSpace(src[r] ?? '')) r++;
      let trimRight = false;
      if (src[r] === '-' && src.startsWith('}}', r + 1)) {
        trimRight = true;
        r++;
      }
      if (!src.startsWith('}}', r)) fail('comment ends before closing delimiter');
      countLines(src.slice(open, r + 2));
      pos = r + 2;
      if (trimRight) pos = skipSpace(src, pos, (s) => countLines(s));
      continue;
    }
    out.push({ kind: 'leftDelim', text: '{{', line });
    // inside the action
    let trimRight = false;
    for (;;) {
      if (p >= src.length) fail('unclosed action');
      const c = src[p]!;
      if (c === '-' && src.startsWith('}}', p + 1) && p > 0 && isSpace(src[p - 1]!)) {
        trimRight = true;
        p += 3;
        out.push({ kind: 'rightDelim', text: '}}', line });
        break;
      }
      if (src.startsWith('}}', p)) {
        p += 2;
        out.push({ kind: 'rightDelim', text: '}}', line });
        break;
      }
      if (isSpace(c)) {
        const s = p;
        while (p < src.length && isSpace(src[p]!)) p++;
        const sp = src.slice(s, p);
        out.push({ kind: 'space', text: sp, line });
        countLines(sp);
        continue;
      }
      const start = p;
      switch (c) {
        case '|':
          p++;
          out.push({ kind: 'pipe', text: '|', line });
          continue;
        case '(':
          p++;
          out.push({ kind: 'leftParen', text: '(', line });
          continue;
        case ')':
          p++;
          out.push({ kind: 'rightParen', text: ')', line });
          continue;
        case ',':
          p++;
          out.push({ kind: 'comma', text: ',', line });
          continue;
        case '=':
          p++;
          out.push({ kind: 'assign', text: '=', line });
          continue;
        case ':':
          if (src[p + 1] !== '=') fail('expected :=');
          p += 2;
          out.push({ kind: 'declare', text: ':=', line });
          continue;
        case '"': {
          p++;
          while (p < src.length && src[p] !== '"') {
            if (src[p] === '\\') p++;
            if (src[p] === '\n') fail('unterminated quoted string');
            p++;
          }
          if (p >= src.length) fail('unterminated quoted string');
          p++;
          out.push({ kind: 'string', text: src.slice(start, p), line });
          continue;
        }
        case '`': {
          const end = src.indexOf('`', p + 1);
          if (end < 0) fail('unterminated raw quoted string');
          p = end + 1;
          const t = src.slice(start, p);
          out.push({ kind: 'rawString', text: t, line });
          countLines(t);
          continue;
        }
        case "'": {
          p++;
          while (p < src.length && src[p] !== "'") {
            if (src[p] === '\\') p++;
            p++;
          }
          if (p >= src.length) fail('unterminated character constant');
          p++;
          out.push({ kind: 'char', text: src.slice(start, p), line });
          continue;
        }
        case '$': {
          p++;
          while (p < src.length && isAlnum(src[p]!)) p++;
          out.push({ kind: 'variable', text: src.slice(start, p), line });
          continue;
        }
        case '.': {
          const n = src[p + 1] ?? '';
          if (n >= '0' && n <= '9') break; // a number like .5
          p++;
          if (!isAlnum(n)) {
            out.push({ kind: 'dot', text: '.', line });
            continue;
          }
          while (p < src.length && isAlnum(src[p]!)) p++;
          out.push({ kind: 'field', text: src.slice(start, p), line });
          continue;
        }
      }
      if (c === '+' || c === '-' || c === '.' || (c >= '0' && c <= '9')) {
        const m = /^[+-]?(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|(\d[\d_]*)?\.?\d*([eE][+-]?\d+)?)/.exec(src.slice(p));
        if (!m || m[0] === '' || m[0] === '+' || m[0] === '-') fail(`bad number syntax: "${src.slice(p, p + 8)}"`);
        p += m![0].length;
        if (isAlnum(src[p] ?? '')) fail(`bad number syntax: "${src.slice(start, p + 1)}"`);
        out.push({ kind: 'number', text: src.slice(start, p), line });
        continue;
      }
      if (isAlnum(c)) {
        while (p < src.length && isAlnum(src[p]!)) p++;
        const word = src.slice(start, p);
        const kind: TokenKind = KEYWORDS.has(word)
          ? 'keyword'
          : word === 'true' || word === 'false'
            ? 'bool'
            : word === 'nil'
              ? 'nil'
              : 'identifier';
        out.push({ kind, text: word, line });
        continue;
      }
      fail(`unexpected "${c}" in command`);
    }
    pos = p;
    if (trimRight) pos = skipSpace(src, pos, (s) => countLines(s));
  }
  out.push({ kind: 'eof', text: '', line });
  return out;
}

function skipSpace(src: string, pos: number, seen: (s: string) => void): number {
  let p = pos;
  while (p < src.length && isSpace(src[p]!)) p++;
  seen(src.slice(pos, p));
  return p;
}
