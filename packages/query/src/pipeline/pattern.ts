/**
 * Loki's pattern syntax (`<ip> - <_> "<method> <path>"`), for the `pattern` parser and the
 * `|>`/`!>` line filters. Captures take the text up to the next literal.
 */
export class PatternSyntaxError extends Error {
  override readonly name = 'PatternSyntaxError';
}

type Part = { lit: string } | { capture: string };

export class Pattern {
  readonly parts: Part[];
  readonly names: string[];

  constructor(src: string, mode: 'parser' | 'filter') {
    const parts: Part[] = [];
    const re = /<(_|[a-zA-Z_][a-zA-Z0-9_]*)>/g;
    let last = 0;
    for (let m = re.exec(src); m; m = re.exec(src)) {
      if (m.index > last) parts.push({ lit: src.slice(last, m.index) });
      parts.push({ capture: m[1]! });
      last = m.index + m[0].length;
    }
    if (last < src.length) parts.push({ lit: src.slice(last) });
    this.parts = parts;
    this.names = parts.flatMap((p) => ('capture' in p && p.capture !== '_' ? [p.capture] : []));
    for (let i = 1; i < parts.length; i++) {
      if ('capture' in parts[i]! && 'capture' in parts[i - 1]!) throw new PatternSyntaxError('found consecutive capture: invalid expression');
    }
    if (new Set(this.names).size !== this.names.length) throw new PatternSyntaxError('duplicate capture name: invalid expression');
    if (mode === 'parser' && this.names.length === 0) throw new PatternSyntaxError('at least one capture is required: invalid expression');
    if (mode === 'filter' && this.names.length > 0) throw new PatternSyntaxError(`named captures are not allowed: found '<${this.names[0]}>'`);
  }

  /** The parser's matching: values for the named captures, in order (fewer when the line is short). */
  extract(line: string, out: string[]): string[] {
    out.length = 0;
    if (line.length === 0 || this.parts.length === 0) return out;
    let rest = 0;
    let i = 0;
    const first = this.parts[0]!;
    if ('lit' in first) {
      if (!line.startsWith(first.lit)) return out;
      rest = first.lit.length;
      i = 1;
    }
    while (i < this.parts.length) {
      const cap = (this.parts[i] as { capture: string }).capture;
      if (i === this.parts.length - 1) {
        if (cap !== '_') out.push(line.slice(rest));
        return out;
      }
      const lit = (this.parts[i + 1] as { lit: string }).lit;
      i += 2;
      const j = line.indexOf(lit, rest);
      if (j < 0) {
        if (cap !== '_') out.push(line.slice(rest));
        return out;
      }
      if (cap !== '_') out.push(line.slice(rest, j));
      rest = j + lit.length;
    }
    return out;
  }

  /** The line filter's test: every literal in order, the line ending where the pattern does. */
  test(line: string): boolean {
    if (line.length === 0 || this.parts.length === 0) return line.length === 0 && this.parts.length === 0;
    let off = 0;
    for (let i = 0; i < this.parts.length; i++) {
      const p = this.parts[i]!;
      if (!('lit' in p)) continue;
      const j = line.indexOf(p.lit, off);
      if (j < 0) return false;
      if (i === 0 && j !== 0) return false;
      off = j + p.lit.length;
    }
    const lastPart = this.parts[this.parts.length - 1]!;
    return 'lit' in lastPart ? off === line.length : off !== line.length;
  }
}
