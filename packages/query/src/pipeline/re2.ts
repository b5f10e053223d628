/**
 * RE2 (Go regexp) syntax → JavaScript RegExp. Handles the differences LogQL users hit: named
 * groups `(?P<n>…)`, leading flag groups `(?i)`/`(?s)`/`(?m)`, `\A` `\z`, `\Q…\E`, POSIX classes,
 * Unicode classes `\pL`; rejects what RE2 rejects (backreferences, lookaround) with Go's messages.
 */

export class RegexpSyntaxError extends Error {
  override readonly name = 'RegexpSyntaxError';
}

const POSIX: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

function escapeLiteral(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}

export interface TranslatedRegexp {
  source: string;
  flags: string;
}

/** Translates an RE2 pattern; throws RegexpSyntaxError with Go's `error parsing regexp: …` text. */
export function translateRe2(re: string): TranslatedRegexp {
  let flags = '';
  let out = '';
  let i = 0;
  let needU = false;
  let inClass = false;
  const fail = (msg: string): never => {
    throw new RegexpSyntaxError(`error parsing regexp: ${msg}`);
  };
  while (i < re.length) {
    const c = re[i]!;
    if (c === '\\') {
      const n = re[i + 1];
      if (n === undefined) fail('trailing backslash at end of expression: ``');
      if (n === 'Q') {
        const end = re.indexOf('\\E', i + 2);
        const lit = end < 0 ? re.slice(i + 2) : re.slice(i + 2, end);
        out += inClass ? lit.replace(/[\\\]^-]/g, '\\$&') : escapeLiteral(lit);
        i = end < 0 ? re.length : end + 2;
        continue;
      }
      if (n === 'A' && !inClass) {
        out += '(?<![\\s\\S])';
        i += 2;
        continue;
      }
      if (n === 'z' && !inClass) {
        out += '(?![\\s\\S])';
        i += 2;
        continue;
      }
      if (n === 'p' || n === 'P') {
        needU = true;
        if (re[i + 2] === '{') {
          const end = re.indexOf('}', i + 3);
          if (end < 0) fail(`invalid character class range: \`${re.slice(i)}\``);
          out += `\\${n}{${re.slice(i + 3, end)}}`;
          i = end + 1;
        } else {
          out += `\\${n}{${re[i + 2] ?? ''}}`;
          i += 3;
        }
        continue;
      }
      if (n >= '1' && n <= '9') fail(`invalid escape sequence: \`\\${n}\``);
      if ('dDwWsSbBtnrfvax0'.includes(n) || /[^A-Za-z0-9]/.test(n)) {
        if (n === 'x' && re[i + 2] === '{') {
          const end = re.indexOf('}', i + 3);
          if (end < 0) fail(`invalid escape sequence: \`\\x{\``);
          out += `\\u{${re.slice(i + 3, end)}}`;
          needU = true;
          i = end + 1;
          continue;
        }
        if (n === 'a') {
          out += '\\x07';
          i += 2;
          continue;
        }
        out += '\\' + n;
        i += 2;
        continue;
      }
      if (n === 'z' || n === 'C') fail(`invalid escape sequence: \`\\${n}\``);
      fail(`invalid escape sequence: \`\\${n}\``);
    }
    if (inClass) {
      if (c === '[' && re[i + 1] === ':') {
        const end = re.indexOf(':]', i + 2);
        if (end > 0) {
          let name = re.slice(i + 2, end);
          const neg = name.startsWith('^');
          if (neg) name = name.slice(1);
          const cls = POSIX[name];
          if (!cls) fail(`invalid character class range: \`[:${name}:]\``);
          if (neg) fail(`negated POSIX classes are not supported: \`[:^${name}:]\``);
          out += cls;
          i = end + 2;
          continue;
        }
      }
      if (c === '[') {
        out += '\\[';
        i++;
        continue;
      }
      if (c === ']') inClass = false;
      out += c;
      i++;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      i++;
      if (re[i] === '^') {
        out += '^';
        i++;
      }
      if (re[i] === ']') {
        out += '\\]';
        i++;
      }
      continue;
    }
    if (c === '(' && re[i + 1] === '?') {
      const rest = re.slice(i + 2);
      const named = /^P?<([A-Za-z0-9_]+)>/.exec(rest);
      if (named) {
        out += `(?<${named[1]}>`;
        i += 2 + named[0].length;
        continue;
      }
      const fl = /^([imsU-]*)(\)|:)/.exec(rest);
      if (fl && fl[1] !== undefined) {
        const [on] = fl[1].split('-') as [string];
        for (const f of on) if (f !== 'U' && !flags.includes(f)) flags += f;
        if (fl[2] === ')') {
          i += 2 + fl[0].length;
          continue;
        }
        out += '(?:';
        i += 2 + fl[0].length;
        continue;
      }
      if (rest.startsWith(':')) {
        out += '(?:';
        i += 3;
        continue;
      }
      fail(`invalid or unsupported Perl syntax: \`(?${rest[0] ?? ''}\``);
    }
    out += c;
    i++;
  }
  if (inClass) fail(`missing closing ]: \`${re.slice(re.lastIndexOf('['))}\``);
  if (needU) flags += 'u';
  return { source: out, flags };
}

function goMessage(re: string, err: Error): string {
  const m = err.message;
  if (/Unterminated group|missing \)/i.test(m)) return `error parsing regexp: missing closing ): \`${re}\``;
  if (/Unmatched '\)'/i.test(m)) return `error parsing regexp: unexpected ): \`${re}\``;
  if (/Nothing to repeat/i.test(m)) return `error parsing regexp: missing argument to repetition operator: \`${re}\``;
  if (/Duplicate capture group name/i.test(m)) return `error parsing regexp: duplicate capture group name: \`${re}\``;
  if (/Invalid capture group name/i.test(m)) return `error parsing regexp: invalid named capture: \`${re}\``;
  if (/numbers out of order/i.test(m)) return `error parsing regexp: invalid repeat count: \`${re}\``;
  if (/Range out of order/i.test(m)) return `error parsing regexp: invalid character class range: \`${re}\``;
  return `error parsing regexp: ${m}: \`${re}\``;
}

/** Compiles an RE2 pattern to a JS RegExp (`extraFlags` e.g. 'g'); throws RegexpSyntaxError. */
export function compileRe2(re: string, extraFlags = ''): RegExp {
  const t = translateRe2(re);
  try {
    return new RegExp(t.source, t.flags + extraFlags);
  } catch (err) {
    throw new RegexpSyntaxError(goMessage(re, err as Error));
  }
}

/** An RE2 pattern anchored at both ends (label matchers, label filters). */
export function compileAnchoredRe2(re: string): RegExp {
  const t = translateRe2(re);
  compileRe2(re);
  return new RegExp(`^(?:${t.source})$`, t.flags.replace('m', ''));
}

/** Go's `Regexp.ReplaceAllString` template expansion (`$1`, `${name}`, `$$`). */
export function expandGoTemplate(repl: string, m: RegExpExecArray): string {
  if (!repl.includes('$')) return repl;
  let out = '';
  for (let i = 0; i < repl.length; i++) {
    const c = repl[i]!;
    if (c !== '$') {
      out += c;
      continue;
    }
    if (repl[i + 1] === '$') {
      out += '$';
      i++;
      continue;
    }
    let name: string;
    if (repl[i + 1] === '{') {
      const end = repl.indexOf('}', i + 2);
      if (end < 0) {
        out += c;
        continue;
      }
      name = repl.slice(i + 2, end);
      i = end;
    } else {
      const nm = /^[A-Za-z0-9_]+/.exec(repl.slice(i + 1));
      if (!nm) {
        out += c;
        continue;
      }
      name = nm[0];
      i += nm[0].length;
    }
    if (/^\d+$/.test(name)) out += m[Number(name)] ?? '';
    else out += m.groups?.[name] ?? '';
  }
  return out;
}
