/**
 * logfmt decoding as Loki's parser does it: `key=value`, `key="quoted \"value\""`, bare keys.
 * A malformed pair is skipped (the rest of the line still parses) unless `strict`, which stops
 * at the first error.
 */

export class LogfmtSyntaxError extends Error {
  override readonly name = 'LogfmtSyntaxError';
}

function unquote(raw: string): string {
  if (!raw.includes('\\')) return raw;
  try {
    return JSON.parse('"' + raw.replace(/\\'/g, "'") + '"') as string;
  } catch {
    return raw.replace(/\\(.)/g, '$1');
  }
}

/**
 * Calls `emit(rawKey, value)` for every pair; `emit` returning false stops the decoding (the
 * rest of the line is not read). In strict mode a syntax error throws LogfmtSyntaxError
 * (`logfmt syntax error at pos N : …`); otherwise the bad pair is skipped.
 */
export function decodeLogfmt(line: string, strict: boolean, emit: (key: string, value: string) => boolean | void): void {
  const n = line.length;
  let i = 0;
  const err = (pos: number, msg: string): void => {
    if (strict) throw new LogfmtSyntaxError(`logfmt syntax error at pos ${pos + 1} : ${msg}`);
  };
  const skipToSpace = (): void => {
    while (i < n && line.charCodeAt(i) > 32) i++;
  };
  while (i < n) {
    while (i < n && line.charCodeAt(i) <= 32) i++;
    if (i >= n) break;
    const ks = i;
    while (i < n) {
      const c = line.charCodeAt(i);
      if (c <= 32 || c === 61 || c === 34) break;
      i++;
    }
    if (i < n && line.charCodeAt(i) === 34) {
      err(i, `unexpected '"'`);
      skipToSpace();
      continue;
    }
    const key = line.slice(ks, i);
    if (key === '') {
      err(i, `unexpected '='`);
      i++;
      skipToSpace();
      continue;
    }
    if (i >= n || line.charCodeAt(i) !== 61) {
      if (emit(key, '') === false) return;
      continue;
    }
    i++; // '='
    if (i >= n || line.charCodeAt(i) <= 32) {
      if (emit(key, '') === false) return;
      continue;
    }
    if (line.charCodeAt(i) === 34) {
      const vs = ++i;
      let closed = false;
      while (i < n) {
        const c = line.charCodeAt(i);
        if (c === 92) i += 2;
        else if (c === 34) {
          closed = true;
          break;
        } else i++;
      }
      if (!closed) {
        err(n, 'unterminated quoted value');
        break;
      }
      // The pair counts even when text follows the closing quote (`k="a "b`): as in Loki's
      // decoder, the error belongs to the next token.
      if (emit(key, unquote(line.slice(vs, i))) === false) return;
      i++;
      if (i < n && line.charCodeAt(i) > 32) {
        err(i, `unexpected '${line[i]}'`);
        skipToSpace();
      }
      continue;
    }
    const vs = i;
    let bad = -1;
    while (i < n) {
      const c = line.charCodeAt(i);
      if (c <= 32) break;
      if (c === 34 && bad < 0) bad = i;
      i++;
    }
    if (bad >= 0) {
      err(bad, `unexpected '"'`);
      continue;
    }
    if (emit(key, line.slice(vs, i)) === false) return;
  }
}
