import type { Labels } from '@lode/store';

export type SelectorParse = { ok: true; labels: Labels } | { ok: false; error: string };

const NAME_START = /[a-zA-Z_]/;
const NAME_CHAR = /[a-zA-Z0-9_]/;
const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', "'": "'", '\\': '\\', a: '\x07', b: '\b', f: '\f', v: '\v' };

/**
 * Parses the label set of a protobuf push (`StreamAdapter.labels`), which is a LogQL selector
 * with equality matchers only: `{app="api", env="prod"}`. Values are Go-quoted strings.
 */
export function parseLabelSelector(text: string): SelectorParse {
  let i = 0;
  const fail = (what: string): SelectorParse => ({ ok: false, error: `1:${i + 1}: parse error: ${what}` });
  const skipSpace = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  skipSpace();
  if (text[i] !== '{') return fail(`unexpected ${describe(text, i)}, expected {`);
  i++;
  const labels: Record<string, string> = {};
  skipSpace();
  if (text[i] === '}') {
    i++;
    skipSpace();
    return i === text.length ? { ok: true, labels } : fail(`unexpected ${describe(text, i)} after }`);
  }
  for (;;) {
    skipSpace();
    if (!NAME_START.test(text[i] ?? '')) return fail(`unexpected character inside braces: ${describe(text, i)}`);
    const start = i;
    while (i < text.length && NAME_CHAR.test(text[i]!)) i++;
    const name = text.slice(start, i);
    skipSpace();
    if (text[i] !== '=' || text[i + 1] === '~') return fail(`unexpected ${describe(text, i)}, expected = (push labels take equality matchers only)`);
    i++;
    skipSpace();
    const value = readString();
    if (value === undefined) return fail(`unexpected ${describe(text, i)}, expected a quoted string`);
    if (Object.prototype.hasOwnProperty.call(labels, name)) return { ok: false, error: `duplicate label name: ${name}` };
    labels[name] = value;
    skipSpace();
    if (text[i] === ',') {
      i++;
      continue;
    }
    if (text[i] === '}') {
      i++;
      skipSpace();
      return i === text.length ? { ok: true, labels } : fail(`unexpected ${describe(text, i)} after }`);
    }
    return fail(`unexpected ${describe(text, i)}, expected , or }`);
  }

  function readString(): string | undefined {
    const q = text[i];
    if (q === '`') {
      const end = text.indexOf('`', i + 1);
      if (end < 0) return undefined;
      const v = text.slice(i + 1, end);
      i = end + 1;
      return v;
    }
    if (q !== '"') return undefined;
    let out = '';
    let j = i + 1;
    while (j < text.length) {
      const c = text[j]!;
      if (c === '"') {
        i = j + 1;
        return out;
      }
      if (c !== '\\') {
        out += c;
        j++;
        continue;
      }
      const e = text[j + 1];
      if (e === undefined) return undefined;
      if (SIMPLE_ESCAPES[e] !== undefined) {
        out += SIMPLE_ESCAPES[e];
        j += 2;
      } else if (e === 'x' || e === 'u' || e === 'U') {
        const len = e === 'x' ? 2 : e === 'u' ? 4 : 8;
        const hex = text.slice(j + 2, j + 2 + len);
        if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) return undefined;
        out += String.fromCodePoint(Number.parseInt(hex, 16));
        j += 2 + len;
      } else return undefined;
    }
    return undefined;
  }
}

function describe(text: string, i: number): string {
  return i >= text.length ? 'end of input' : `'${text[i]}'`;
}
