/**
 * `| logfmt` with parser hints, straight on the line's bytes: keys are compared as bytes with the
 * few wanted names, and only the values of wanted keys become strings. Same tokenisation as
 * `decodeLogfmt` in its lenient mode (every delimiter it looks at is ASCII, so bytes and UTF-16
 * code units classify alike, and a value slice always starts and ends at an ASCII byte).
 */
import { sanitizeKey } from './json.js';
import type { EntryState } from './state.js';

const EXTRACTED_SUFFIX = '_extracted';
const MAX_CACHED_VALUES = 4096;

interface Candidate {
  raw: Buffer;
  name: string;
  extracted: string;
}

function isSimpleKeyByte(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
}

export class HintedLogfmtScanner {
  private readonly candidates: Candidate[];
  /** 1 at the raw key lengths (ASCII keys) that can sanitise to a candidate. */
  private readonly lengths: Uint8Array;
  /** Short ASCII values by their packed bytes (values repeat: status codes, levels, small numbers). */
  private readonly values = new Map<number, string>();

  /**
   * `required`: the hinted label names. A raw key is wanted when it is a required name itself,
   * or becomes one by the `_extracted` rename.
   */
  constructor(
    required: ReadonlySet<string>,
    private readonly keepEmpty: boolean,
    private readonly sanitized: (rawKey: string) => string,
  ) {
    const raws = new Set<string>();
    for (const r of required) {
      raws.add(r);
      if (r.endsWith(EXTRACTED_SUFFIX)) raws.add(r.slice(0, -EXTRACTED_SUFFIX.length));
    }
    this.candidates = [...raws]
      .filter((r) => r !== '' && sanitizeKey(r, true) === r)
      .map((r) => ({ raw: Buffer.from(r, 'utf8'), name: r, extracted: r + EXTRACTED_SUFFIX }));
    this.lengths = new Uint8Array(64);
    for (const c of this.candidates) {
      const l = c.raw.length;
      if (l < 64) this.lengths[l] = 1;
      if (c.raw[0] === 95 && l - 1 < 64) this.lengths[l - 1] = 1;
    }
  }

  /** Sets the wanted keys of `b[0..n)` on `st` (first occurrence each), stopping once all are found. */
  scan(b: Buffer, n: number, st: EntryState): void {
    let i = 0;
    while (i < n) {
      while (i < n && b[i]! <= 32) i++;
      if (i >= n) break;
      const ks = i;
      let or = 0;
      while (i < n) {
        const c = b[i]!;
        if (c <= 32 || c === 61 || c === 34) break;
        or |= c;
        i++;
      }
      const ascii = or < 128;
      const ke = i;
      if (i < n && b[i] === 34) {
        while (i < n && b[i]! > 32) i++;
        continue;
      }
      if (ke === ks) {
        i++;
        while (i < n && b[i]! > 32) i++;
        continue;
      }
      if (i >= n || b[i] !== 61 || i + 1 >= n || b[i + 1]! <= 32) {
        // A bare key or an empty value: wanted only when empty values are kept.
        if (i < n && b[i] === 61) i++;
        if (!this.keepEmpty) continue;
        const key = this.wantedKey(b, ks, ke, ascii, st);
        if (key !== undefined && !st.setHintedKey(key, '')) return;
        continue;
      }
      i++; // '='
      // The label the key would set; undefined: not wanted (its value is skipped undecoded).
      const key = this.wantedKey(b, ks, ke, ascii, st);
      if (b[i] === 34) {
        const vs = ++i;
        let closed = false;
        let escaped = false;
        while (i < n) {
          const c = b[i]!;
          if (c === 92) {
            escaped = true;
            i += 2;
          } else if (c === 34) {
            closed = true;
            break;
          } else i++;
        }
        if (!closed) return;
        if (key !== undefined) {
          const v = escaped ? unquote(b.toString('utf8', vs, i)) : this.value(b, vs, i);
          if ((v !== '' || this.keepEmpty) && !st.setHintedKey(key, v)) return;
        }
        i++;
        if (i < n && b[i]! > 32) while (i < n && b[i]! > 32) i++;
        continue;
      }
      if (key === undefined) {
        while (i < n && b[i]! > 32) i++;
        continue;
      }
      const vs = i;
      let bad = false;
      while (i < n) {
        const c = b[i]!;
        if (c <= 32) break;
        if (c === 34) bad = true;
        i++;
      }
      if (bad) continue;
      if (!st.setHintedKey(key, this.value(b, vs, i))) return;
    }
  }

  /** The label a key in [ks, ke) would set (after sanitising and `_extracted`) when it is wanted. */
  private wantedKey(b: Buffer, ks: number, ke: number, ascii: boolean, st: EntryState): string | undefined {
    const len = ke - ks;
    let name: string | undefined;
    if (ascii) {
      // An ASCII key sanitises to `len` characters (`len + 1` with a leading digit).
      if (len < this.lengths.length && this.lengths[len] === 0) return undefined;
      name = this.match(b, ks, ke)?.name;
    } else {
      // Non-ASCII keys: the string path (trim and per-code-unit replacement).
      const s = this.sanitized(b.toString('utf8', ks, ke));
      if (s !== '') name = s;
    }
    if (name === undefined) return undefined;
    return st.isBase(name) ? name + EXTRACTED_SUFFIX : name;
  }

  /**
   * The candidate equal to the ASCII key in [s, e) as sanitised: a leading digit gains a `_`,
   * every byte outside [A-Za-z0-9_] becomes `_`.
   */
  private match(b: Buffer, s: number, e: number): Candidate | undefined {
    const prefixed = b[s]! >= 48 && b[s]! <= 57 ? 1 : 0;
    const len = e - s + prefixed;
    const cs = this.candidates;
    next: for (let k = 0; k < cs.length; k++) {
      const raw = cs[k]!.raw;
      if (raw.length !== len) continue;
      if (prefixed === 1 && raw[0] !== 95) continue;
      for (let j = prefixed; j < len; j++) {
        const c = b[s + j - prefixed]!;
        if (raw[j] !== (isSimpleKeyByte(c) ? c : 95)) continue next;
      }
      return cs[k];
    }
    return undefined;
  }

  private value(b: Buffer, s: number, e: number): string {
    const len = e - s;
    if (len === 0) return '';
    if (len > 6) return b.toString('utf8', s, e);
    let packed = len;
    for (let j = s; j < e; j++) {
      const c = b[j]!;
      if (c >= 128) return b.toString('utf8', s, e);
      packed = packed * 256 + c;
    }
    let v = this.values.get(packed);
    if (v === undefined) {
      v = b.toString('latin1', s, e);
      if (this.values.size >= MAX_CACHED_VALUES) this.values.clear();
      this.values.set(packed, v);
    }
    return v;
  }
}

/** The same unescaping as `decodeLogfmt`'s quoted values. */
function unquote(raw: string): string {
  try {
    return JSON.parse('"' + raw.replace(/\\'/g, "'") + '"') as string;
  } catch {
    return raw.replace(/\\(.)/g, '$1');
  }
}
