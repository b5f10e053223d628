/**
 * `|~` regexps that are plain characters followed by single-byte ASCII classes (`status=5\d\d`,
 * `code=[45][0-9]{2}`), matched on a line's UTF-8 bytes without decoding it: a
 * line matches iff some occurrence of the literal prefix is followed by bytes in each class. Only
 * ASCII characters and classes qualify, so a byte test is the code point test (every byte of a
 * multi-byte character is ≥ 0x80 and in no class). Anything else — anchors, `.`, groups,
 * alternation, negated classes, repetition before the end, flags — is left to the RegExp.
 */
import { BytesNeedle } from './bytes-search.js';

/** Characters RE2 reads as themselves outside a class (the literal prefix scanner's set). */
const PLAIN = /^[A-Za-z0-9 =_\-:/,"'<>@#%&!~;]$/;
/** Punctuation a backslash makes literal. */
const ESCAPABLE = /^[!-/:-@[-`{-~]$/;
const MAX_REPEAT = 32;

type ByteClass = Uint8Array;

function single(c: number): ByteClass {
  const t = new Uint8Array(256);
  t[c] = 1;
  return t;
}

function rangeClass(ranges: [number, number][]): ByteClass {
  const t = new Uint8Array(256);
  for (const [a, b] of ranges) for (let c = a; c <= b; c++) t[c] = 1;
  return t;
}

const DIGIT: [number, number][] = [[48, 57]];
const WORD: [number, number][] = [[48, 57], [65, 90], [97, 122], [95, 95]];

export class ByteRegex {
  private constructor(
    private readonly prefix: BytesNeedle,
    /** One class per byte after the prefix. */
    private readonly tail: readonly ByteClass[],
  ) {}

  /** The byte matcher for an RE2 pattern of the supported shape, or undefined. */
  static compile(re: string): ByteRegex | undefined {
    const items: (ByteClass | number)[] = [];
    let i = 0;
    while (i < re.length) {
      const start = items.length;
      const c = re[i]!;
      if (c === '\\') {
        const n = re[i + 1];
        if (n === 'd') items.push(rangeClass(DIGIT));
        else if (n === 'w') items.push(rangeClass(WORD));
        else if (n !== undefined && ESCAPABLE.test(n)) items.push(n.charCodeAt(0));
        else return undefined;
        i += 2;
      } else if (c === '[') {
        const parsed = parseClass(re, i + 1);
        if (parsed === undefined) return undefined;
        items.push(parsed.cls);
        i = parsed.next;
      } else if (PLAIN.test(c)) {
        items.push(c.charCodeAt(0));
        i++;
      } else {
        return undefined;
      }
      // A repetition: `{n}` anywhere; at the very end also `+ * ? {n,} {n,m}` (a match needs only the minimum).
      const q = quantifier(re, i);
      if (q === undefined) continue;
      if (q === null || (q.min !== q.max && q.next !== re.length)) return undefined;
      if (q.min > MAX_REPEAT) return undefined;
      const item = items[start]!;
      items.length = start;
      for (let k = 0; k < q.min; k++) items.push(item);
      i = q.next;
    }
    let p = 0;
    while (p < items.length && typeof items[p] === 'number') p++;
    if (p === 0) return undefined;
    const tail = items.slice(p).map((it) => (typeof it === 'number' ? single(it) : it));
    return new ByteRegex(new BytesNeedle(Buffer.from(items.slice(0, p) as number[])), tail);
  }

  /** Whether `b[start..end)` holds a match. */
  test(b: Buffer, start: number, end: number): boolean {
    const tail = this.tail;
    const n = tail.length;
    const plen = this.prefix.bytes.length;
    const last = end - n;
    for (let p = this.prefix.indexIn(b, start, last); p >= 0; p = this.prefix.indexIn(b, p + 1, last)) {
      const t = p + plen;
      let k = 0;
      while (k < n && tail[k]![b[t + k]!] === 1) k++;
      if (k === n) return true;
    }
    return false;
  }
}

/** `[…]` from just after the `[`: ASCII characters and ranges, `\d` `\w` and escaped punctuation; no negation. */
function parseClass(re: string, i: number): { cls: ByteClass; next: number } | undefined {
  const ranges: [number, number][] = [];
  if (re[i] === '^' || re[i] === ']') return undefined;
  while (i < re.length && re[i] !== ']') {
    const c = re[i]!;
    if (c === '\\') {
      const n = re[i + 1];
      if (n === 'd') ranges.push(...DIGIT);
      else if (n === 'w') ranges.push(...WORD);
      else if (n !== undefined && ESCAPABLE.test(n)) ranges.push([n.charCodeAt(0), n.charCodeAt(0)]);
      else return undefined;
      i += 2;
      continue;
    }
    if (c === '[' || c.charCodeAt(0) < 32 || c.charCodeAt(0) > 126) return undefined;
    const lo = c.charCodeAt(0);
    i++;
    if (re[i] === '-' && re[i + 1] !== undefined && re[i + 1] !== ']') {
      const h = re[i + 1]!;
      if (h === '\\' || h === '[' || h.charCodeAt(0) < 32 || h.charCodeAt(0) > 126) return undefined;
      const hi = h.charCodeAt(0);
      if (hi < lo) return undefined;
      ranges.push([lo, hi]);
      i += 2;
      continue;
    }
    ranges.push([lo, lo]);
  }
  if (re[i] !== ']' || ranges.length === 0) return undefined;
  return { cls: rangeClass(ranges), next: i + 1 };
}

/**
 * A repetition operator at `i`: its minimum and maximum count (Infinity: unbounded); undefined
 * when there is none, null when it is one this matcher leaves to the RegExp.
 */
function quantifier(re: string, i: number): { min: number; max: number; next: number } | undefined | null {
  const c = re[i];
  let q: { min: number; max: number; next: number } | undefined;
  if (c === '+') q = { min: 1, max: Infinity, next: i + 1 };
  else if (c === '*') q = { min: 0, max: Infinity, next: i + 1 };
  else if (c === '?') q = { min: 0, max: 1, next: i + 1 };
  else if (c === '{') {
    const m = /^\{(\d{1,4})(,(\d{0,4}))?\}/.exec(re.slice(i));
    if (!m) return undefined;
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
    if (max < min) return undefined;
    q = { min, max, next: i + m[0].length };
  }
  // A lazy or possessive-looking suffix, or a repeated repetition: leave it to the RegExp.
  if (q !== undefined && (re[q.next] === '?' || re[q.next] === '+' || re[q.next] === '*' || re[q.next] === '{')) return null;
  return q;
}
