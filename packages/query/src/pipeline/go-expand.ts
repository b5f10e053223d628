/**
 * Go's `Regexp.Expand` template syntax for replacements (`$1`, `${name}`, `$$`), used by
 * label_replace and the template functions `regexReplaceAll*`; the regexps themselves are
 * translated by @lode/store's RE2 translator.
 */

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
