/**
 * JSON for the `json` and `unpack` parsers. A hand-written scanner rather than JSON.parse:
 * Loki keeps number text literally (`1.50` stays `1.50`), drops arrays and nulls, flattens
 * nested objects with `_`, and path parameters return nested values as their raw JSON text.
 */

export class JsonSyntaxError extends Error {
  override readonly name = 'JsonSyntaxError';
}

/** Loki's label-name sanitising: non `[A-Za-z0-9_]` → `_`, leading digit gets `_` when it starts a name. */
export function sanitizeKey(key: string, isPrefix: boolean): string {
  key = key.trim();
  if (key === '') return key;
  if (isPrefix && key.charCodeAt(0) >= 48 && key.charCodeAt(0) <= 57) key = '_' + key;
  return key.replace(/[^A-Za-z0-9_]/g, '_');
}

type Kind = 'string' | 'number' | 'true' | 'false' | 'null' | 'object' | 'array';

class Scanner {
  i = 0;
  constructor(readonly s: string) {}

  fail(what: string): never {
    // Most lines of a mixed stream are not JSON: an error without a stack trace is much cheaper.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    const err = new JsonSyntaxError(`${what} at offset ${this.i}`);
    Error.stackTraceLimit = limit;
    throw err;
  }

  ws(): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.i++;
      else break;
    }
  }

  peekKind(): Kind {
    this.ws();
    const c = this.s[this.i];
    switch (c) {
      case '"':
        return 'string';
      case '{':
        return 'object';
      case '[':
        return 'array';
      case 't':
        return 'true';
      case 'f':
        return 'false';
      case 'n':
        return 'null';
      default:
        if (c !== undefined && (c === '-' || (c >= '0' && c <= '9'))) return 'number';
        return this.fail(c === undefined ? 'Unexpected end of JSON input' : `Unexpected character ${JSON.stringify(c)}`);
    }
  }

  string(): string {
    const s = this.s;
    const start = ++this.i;
    let simple = true;
    for (;;) {
      if (this.i >= s.length) this.fail('Unterminated string');
      const c = s.charCodeAt(this.i);
      if (c === 34) break;
      if (c === 92) {
        simple = false;
        this.i++;
      }
      this.i++;
    }
    const raw = s.slice(start, this.i);
    this.i++;
    if (simple) return raw;
    try {
      return JSON.parse('"' + raw + '"') as string;
    } catch {
      return this.fail('Invalid string escape');
    }
  }

  literalText(): string {
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(this.s.slice(this.i, this.i + 64));
    if (!m) this.fail('Invalid number');
    this.i += m![0].length;
    return m![0];
  }

  word(w: string): void {
    if (!this.s.startsWith(w, this.i)) this.fail(`Unexpected token`);
    this.i += w.length;
  }

  /** Skips any value, returning its raw text. */
  skip(): string {
    const start = this.i;
    const k = this.peekKind();
    const from = this.i;
    switch (k) {
      case 'string':
        this.string();
        break;
      case 'number':
        this.literalText();
        break;
      case 'true':
      case 'false':
      case 'null':
        this.word(k);
        break;
      case 'object':
        this.i++;
        this.ws();
        if (this.s[this.i] === '}') {
          this.i++;
          break;
        }
        for (;;) {
          this.ws();
          if (this.s[this.i] !== '"') this.fail('Expected object key');
          this.string();
          this.colon();
          this.skip();
          if (this.endOf('}')) break;
        }
        break;
      case 'array':
        this.i++;
        this.ws();
        if (this.s[this.i] === ']') {
          this.i++;
          break;
        }
        for (;;) {
          this.skip();
          if (this.endOf(']')) break;
        }
        break;
    }
    void start;
    return this.s.slice(from, this.i);
  }

  colon(): void {
    this.ws();
    if (this.s[this.i] !== ':') this.fail("Expected ':'");
    this.i++;
  }

  /** After a member: true at the closing bracket (consumed), false after a comma. */
  endOf(close: string): boolean {
    this.ws();
    const c = this.s[this.i];
    if (c === ',') {
      this.i++;
      return false;
    }
    if (c === close) {
      this.i++;
      return true;
    }
    return this.fail(c === undefined ? 'Unexpected end of JSON input' : `Expected ',' or '${close}'`);
  }

  /**
   * Walks an object, calling `emit(key, value)` for every scalar leaf, flattening nested objects.
   * `emit` returning false stops the walk (true is returned then); `wantPrefix` may skip nested
   * objects whose flattened prefix no wanted key starts with.
   */
  flatten(prefix: string, emit: JsonEmit, wantPrefix?: (prefix: string) => boolean): boolean {
    this.i++;
    this.ws();
    if (this.s[this.i] === '}') {
      this.i++;
      return false;
    }
    for (;;) {
      this.ws();
      if (this.s[this.i] !== '"') this.fail('Expected object key');
      const rawKey = this.string();
      this.colon();
      const part = sanitizeKey(rawKey, prefix === '');
      const key = prefix === '' ? part : prefix + '_' + part;
      const k = this.peekKind();
      let stop = false;
      switch (k) {
        case 'object':
          if (wantPrefix === undefined || wantPrefix(key)) stop = this.flatten(key, emit, wantPrefix);
          else this.skip();
          break;
        case 'string': {
          const v = this.string();
          if (part !== '') stop = emit(key, v) === false;
          break;
        }
        case 'number': {
          const v = this.literalText();
          if (part !== '') stop = emit(key, v) === false;
          break;
        }
        case 'true':
        case 'false':
          this.word(k);
          if (part !== '') stop = emit(key, k) === false;
          break;
        default:
          this.skip();
      }
      if (stop) return true;
      if (this.endOf('}')) return false;
    }
  }

  end(): void {
    this.ws();
    if (this.i < this.s.length) this.fail('Unexpected data after JSON value');
  }
}

/** Receives a flattened key and its value; returning false stops the walk. */
export type JsonEmit = (key: string, value: string) => boolean | void;

/**
 * Flattens a JSON object line; throws JsonSyntaxError when the line is not a JSON object. When
 * `emit` stops the walk, the rest of the line is not read (nor checked).
 */
/**
 * The error `flattenJson` would throw at once because the line is not an object (undefined when
 * it starts like one): lets a parser skip the throw for the non-JSON lines of a mixed stream.
 */
export function notAnObjectError(line: string): string | undefined {
  let i = 0;
  while (i < line.length) {
    const c = line.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) i++;
    else break;
  }
  const c = line[i];
  if (c === '{') return undefined;
  if (c === undefined) return `Unexpected end of JSON input at offset ${i}`;
  if (c === '"' || c === '[' || c === 't' || c === 'f' || c === 'n' || c === '-' || (c >= '0' && c <= '9')) {
    return `Value is not an object at offset ${i}`;
  }
  return `Unexpected character ${JSON.stringify(c)} at offset ${i}`;
}

export function flattenJson(line: string, emit: JsonEmit, wantPrefix?: (prefix: string) => boolean): void {
  const sc = new Scanner(line);
  if (sc.peekKind() !== 'object') sc.fail('Value is not an object');
  if (!sc.flatten('', emit, wantPrefix)) sc.end();
}

/** `unpack`: top-level string fields become labels; `_entry` replaces the line. Returns the new line or undefined. */
export function unpackJson(line: string, emit: (key: string, value: string) => void): string | undefined {
  const sc = new Scanner(line);
  if (sc.peekKind() !== 'object') sc.fail('Value is not an object');
  sc.i++;
  let entry: string | undefined;
  sc.ws();
  if (sc.s[sc.i] === '}') {
    sc.i++;
    sc.end();
    return undefined;
  }
  for (;;) {
    sc.ws();
    if (sc.s[sc.i] !== '"') sc.fail('Expected object key');
    const key = sc.string();
    sc.colon();
    if (sc.peekKind() === 'string') {
      const v = sc.string();
      if (key === '_entry') entry = v;
      else emit(key, v);
    } else sc.skip();
    if (sc.endOf('}')) break;
  }
  sc.end();
  return entry;
}

/** A parsed json path: object keys (strings) and array indexes (numbers). */
export type JsonPath = (string | number)[];

/** Parses Loki's json expression syntax: `a.b`, `a[0]`, `["a.b"]`, `a["b"][1].c`. */
export function parseJsonPath(expr: string): JsonPath {
  const path: JsonPath = [];
  let i = 0;
  const bad = (): never => {
    throw new JsonSyntaxError(`cannot parse expression [${expr}]: syntax error`);
  };
  if (expr === '') bad();
  while (i < expr.length) {
    const c = expr[i]!;
    if (c === '[') {
      const num = /^\[(\d+)\]/.exec(expr.slice(i));
      if (num) {
        path.push(Number(num[1]));
        i += num[0].length;
        continue;
      }
      const str = /^\["((?:[^"\\]|\\.)*)"\]/.exec(expr.slice(i));
      if (!str) bad();
      path.push(JSON.parse('"' + str![1] + '"') as string);
      i += str![0].length;
      continue;
    }
    if (c === '.') {
      if (i === 0 || i === expr.length - 1) bad();
      i++;
      if (expr[i] === '.' || expr[i] === '[') bad();
      continue;
    }
    const id = /^[^.[\]"]+/.exec(expr.slice(i));
    if (!id) bad();
    path.push(id![0]);
    i += id![0].length;
  }
  return path;
}

/**
 * Extracts each path's value from a JSON line: strings unescaped, scalars as text, objects and
 * arrays as raw JSON, missing or null as "". Throws JsonSyntaxError for invalid JSON.
 */
export function extractJsonPaths(line: string, paths: JsonPath[], out: string[]): void {
  const sc = new Scanner(line);
  sc.peekKind();
  sc.skip();
  sc.end();
  for (let p = 0; p < paths.length; p++) out[p] = valueAt(line, paths[p]!);
}

function valueAt(line: string, path: JsonPath): string {
  const sc = new Scanner(line);
  for (const step of path) {
    const k = sc.peekKind();
    if (typeof step === 'number') {
      if (k !== 'array') return '';
      sc.i++;
      sc.ws();
      if (sc.s[sc.i] === ']') return '';
      let idx = 0;
      for (;;) {
        if (idx === step) break;
        sc.skip();
        if (sc.endOf(']')) return '';
        idx++;
      }
    } else {
      if (k !== 'object') return '';
      sc.i++;
      sc.ws();
      if (sc.s[sc.i] === '}') return '';
      let found = false;
      for (;;) {
        sc.ws();
        const key = sc.string();
        sc.colon();
        if (key === step) {
          found = true;
          break;
        }
        sc.skip();
        if (sc.endOf('}')) break;
      }
      if (!found) return '';
    }
  }
  const k = sc.peekKind();
  if (k === 'string') return sc.string();
  if (k === 'null') return '';
  return sc.skip();
}
