/**
 * `| logfmt` with parser hints, straight on the line's bytes: keys are compared as bytes with the
 * few wanted names, and a scan only records where the wanted values are (one slot per required
 * label, first occurrence each); the caller turns the values it needs into strings. Same
 * tokenisation as `decodeLogfmt` in its lenient mode (every delimiter it looks at is ASCII, so
 * bytes and UTF-16 code units classify alike, and a value slice always starts and ends at an
 * ASCII byte).
 */
import { sanitizeKey } from './json.js';

const EXTRACTED_SUFFIX = '_extracted';

interface Candidate {
  raw: Buffer;
  name: string;
}

function isSimpleKeyByte(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
}

export class HintedLogfmtScanner {
  /** The required labels; slot i stands for labels[i]. */
  readonly labels: readonly string[];
  private readonly slotByLabel: Map<string, number>;
  private readonly candidates: Candidate[];
  /** 1 at the raw key lengths (ASCII keys) that can sanitise to a candidate. */
  private readonly lengths: Uint8Array;
  /** Slot of each candidate's label under the current base (see prepare); -1: not wanted. */
  private slotOfCandidate: Int16Array;
  /** slotOfCandidate per base key (a stream's label map). */
  private readonly prepared = new WeakMap<object, Int16Array>();
  private isBase: (name: string) => boolean = () => false;
  /** Value span of each slot found by the last scan; `escaped`: a quoted value holding backslashes. */
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  readonly escaped: Uint8Array;
  /** The slots the last scan found, in line order (its return value says how many). */
  readonly order: Int16Array;
  /** Scan number that found each slot (a slot is found when it equals the current scan). */
  private readonly foundIn: Int32Array;
  private scanNo = 0;
  private readonly strings = new ValueStrings();

  /**
   * `required`: the hinted label names. A raw key is wanted when it sanitises to a name whose
   * label (the name, or `<name>_extracted` when the name is a stream or metadata label) is required.
   */
  constructor(
    required: ReadonlySet<string>,
    private readonly keepEmpty: boolean,
    private readonly sanitized: (rawKey: string) => string,
  ) {
    this.labels = [...required];
    this.slotByLabel = new Map(this.labels.map((l, i) => [l, i]));
    const raws = new Set<string>();
    for (const r of required) {
      raws.add(r);
      if (r.endsWith(EXTRACTED_SUFFIX)) raws.add(r.slice(0, -EXTRACTED_SUFFIX.length));
    }
    this.candidates = [...raws]
      .filter((r) => r !== '' && sanitizeKey(r, true) === r)
      .map((r) => ({ raw: Buffer.from(r, 'utf8'), name: r }));
    this.lengths = new Uint8Array(64);
    for (const c of this.candidates) {
      const l = c.raw.length;
      if (l < 64) this.lengths[l] = 1;
      if (c.raw[0] === 95 && l - 1 < 64) this.lengths[l - 1] = 1;
    }
    const slots = this.labels.length;
    this.slotOfCandidate = new Int16Array(this.candidates.length).fill(-1);
    this.starts = new Int32Array(slots);
    this.ends = new Int32Array(slots);
    this.escaped = new Uint8Array(slots);
    this.order = new Int16Array(slots);
    this.foundIn = new Int32Array(slots);
  }

  /**
   * Sets which names are stream or metadata labels (a parsed key of that name gets `_extracted`).
   * `key`: an object standing for that set (a stream's label map), under which the result is kept.
   */
  prepare(isBase: (name: string) => boolean, key?: object): void {
    this.isBase = isBase;
    const cached = key !== undefined ? this.prepared.get(key) : undefined;
    if (cached !== undefined) {
      this.slotOfCandidate = cached;
      return;
    }
    const slots = new Int16Array(this.candidates.length);
    for (let k = 0; k < this.candidates.length; k++) slots[k] = this.slotOf(this.candidates[k]!.name);
    this.slotOfCandidate = slots;
    if (key !== undefined) this.prepared.set(key, slots);
  }

  private slotOf(name: string): number {
    return this.slotByLabel.get(this.isBase(name) ? name + EXTRACTED_SUFFIX : name) ?? -1;
  }

  /**
   * Finds the wanted values of `b[start..end)` (first occurrence of each slot), stopping once
   * every slot is found. Returns how many were found: `order[0..n)`.
   */
  scan(b: Buffer, start: number, end: number): number {
    if (this.scanNo === 0x7fffffff) {
      // Scan numbers live in an Int32Array: start over before they would wrap.
      this.scanNo = 0;
      this.foundIn.fill(0);
    }
    const scanNo = ++this.scanNo;
    const slots = this.labels.length;
    let found = 0;
    const n = end;
    let i = start;
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
        const slot = this.wantedSlot(b, ks, ke, ascii);
        if (slot >= 0 && this.foundIn[slot] !== scanNo) {
          this.record(slot, found, i, i, 0, scanNo);
          if (++found === slots) return found;
        }
        continue;
      }
      i++; // '='
      // The slot the key would fill; -1: not wanted (its value is skipped undecoded).
      const slot = this.wantedSlot(b, ks, ke, ascii);
      if (b[i] === 34) {
        const vs = ++i;
        let closed = false;
        let escaped = 0;
        while (i < n) {
          const c = b[i]!;
          if (c === 92) {
            escaped = 1;
            i += 2;
          } else if (c === 34) {
            closed = true;
            break;
          } else i++;
        }
        if (!closed) return found;
        // An empty quoted value is skipped unless kept (one with a backslash never unquotes to "").
        if (slot >= 0 && this.foundIn[slot] !== scanNo && (i > vs || this.keepEmpty)) {
          this.record(slot, found, vs, i, escaped, scanNo);
          if (++found === slots) return found;
        }
        i++;
        if (i < n && b[i]! > 32) while (i < n && b[i]! > 32) i++;
        continue;
      }
      if (slot < 0 || this.foundIn[slot] === scanNo) {
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
      this.record(slot, found, vs, i, 0, scanNo);
      if (++found === slots) return found;
    }
    return found;
  }

  private record(slot: number, k: number, start: number, end: number, escaped: number, scanNo: number): void {
    this.foundIn[slot] = scanNo;
    this.order[k] = slot;
    this.starts[slot] = start;
    this.ends[slot] = end;
    this.escaped[slot] = escaped;
  }

  /** Whether the last scan found `slot`. */
  found(slot: number): boolean {
    return this.foundIn[slot] === this.scanNo;
  }

  /**
   * The value of a slot the last scan of `b` found as a number when it is 1 to 15 plain digits
   * (exact in a double, what parseGoFloat reads without a regexp); -1 otherwise.
   */
  digits(b: Buffer, slot: number): number {
    const s = this.starts[slot]!;
    const e = this.ends[slot]!;
    if (this.escaped[slot] === 1 || e <= s || e - s > 15) return -1;
    let v = 0;
    for (let j = s; j < e; j++) {
      const d = b[j]! - 48;
      if (d < 0 || d > 9) return -1;
      v = v * 10 + d;
    }
    return v;
  }

  /** The value of a slot the last scan of `b` found, as a string. */
  value(b: Buffer, slot: number): string {
    const s = this.starts[slot]!;
    const e = this.ends[slot]!;
    if (this.escaped[slot] === 1) return unquote(b.toString('utf8', s, e));
    return this.strings.get(b, s, e);
  }

  /** The slot a key in [ks, ke) would fill (after sanitising and `_extracted`), -1 when not wanted. */
  private wantedSlot(b: Buffer, ks: number, ke: number, ascii: boolean): number {
    if (ascii) {
      // An ASCII key sanitises to `len` characters (`len + 1` with a leading digit).
      const len = ke - ks;
      if (len < this.lengths.length && this.lengths[len] === 0) return -1;
      const k = this.match(b, ks, ke);
      return k < 0 ? -1 : this.slotOfCandidate[k]!;
    }
    // Non-ASCII keys: the string path (trim and per-code-unit replacement).
    const s = this.sanitized(b.toString('utf8', ks, ke));
    return s === '' ? -1 : this.slotOf(s);
  }

  /**
   * The candidate equal to the ASCII key in [s, e) as sanitised (a leading digit gains a `_`,
   * every byte outside [A-Za-z0-9_] becomes `_`), or -1.
   */
  private match(b: Buffer, s: number, e: number): number {
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
      return k;
    }
    return -1;
  }
}

const CACHE_SLOTS = 2048;
const MAX_CACHED_LENGTH = 32;

/**
 * Strings of short values, found again by their bytes (values repeat: status codes, levels, small
 * numbers): a direct-mapped table of recent byte strings, so a repeated value costs a hash and a
 * compare instead of a UTF-8 decode and an allocation.
 */
export class ValueStrings {
  private readonly keys: (Buffer | undefined)[] = new Array<Buffer | undefined>(CACHE_SLOTS).fill(undefined);
  private readonly values: string[] = new Array<string>(CACHE_SLOTS).fill('');

  get(b: Buffer, s: number, e: number): string {
    const len = e - s;
    if (len === 0) return '';
    if (len > MAX_CACHED_LENGTH) return b.toString('utf8', s, e);
    let h = len;
    for (let j = s; j < e; j++) h = (Math.imul(h, 31) + b[j]!) | 0;
    const slot = (h ^ (h >>> 13)) & (CACHE_SLOTS - 1);
    const key = this.keys[slot];
    if (key !== undefined && key.length === len) {
      let j = 0;
      while (j < len && key[j] === b[s + j]) j++;
      if (j === len) return this.values[slot]!;
    }
    const v = b.toString('utf8', s, e);
    const copy = Buffer.allocUnsafe(len);
    b.copy(copy, 0, s, e);
    this.keys[slot] = copy;
    this.values[slot] = v;
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
