/**
 * An entry's label set as the stream's (shared, never copied) label map plus a small per-entry
 * overlay of set and deleted labels, reused across entries: seeding an entry costs nothing, and a
 * parser writing two labels touches two array slots instead of copying the stream map.
 *
 * Each overlay slot remembers which parser run wrote it (`gen`), which is how a parser tells a
 * duplicate key of its own line from a label set earlier (Loki's duplicate-key rule).
 */

const EMPTY_MAP: ReadonlyMap<string, string> = new Map();
/** Past this many overlay slots, lookups go through an index instead of a linear scan. */
const INDEX_AFTER = 16;

export class LabelOverlay {
  private base: ReadonlyMap<string, string> = EMPTY_MAP;
  private readonly names: string[] = [];
  /** undefined: the label is deleted (hides a base label). */
  private readonly values: (string | undefined)[] = [];
  private readonly gens: number[] = [];
  private n = 0;
  private index: Map<string, number> | undefined;

  /** Starts a new entry over `base` (the stream's labels), with an empty overlay. */
  reset(base: ReadonlyMap<string, string>): void {
    this.base = base;
    this.n = 0;
    if (this.index !== undefined && this.index.size > 0) this.index.clear();
  }

  private find(name: string): number {
    const n = this.n;
    if (n > INDEX_AFTER) return this.index!.get(name) ?? -1;
    const names = this.names;
    for (let i = 0; i < n; i++) if (names[i] === name) return i;
    return -1;
  }

  get(name: string): string | undefined {
    const i = this.find(name);
    return i >= 0 ? this.values[i] : this.base.get(name);
  }

  /** The parser run that set `name` in this entry (0: not set by a parser). */
  genOf(name: string): number {
    const i = this.find(name);
    return i >= 0 && this.values[i] !== undefined ? this.gens[i]! : 0;
  }

  set(name: string, value: string, gen = 0): void {
    const i = this.find(name);
    if (i >= 0) {
      this.values[i] = value;
      this.gens[i] = gen;
      return;
    }
    this.append(name, value, gen);
  }

  delete(name: string): void {
    const i = this.find(name);
    if (i >= 0) this.values[i] = undefined;
    else if (this.base.has(name)) this.append(name, undefined, 0);
  }

  private append(name: string, value: string | undefined, gen: number): void {
    const n = this.n;
    this.names[n] = name;
    this.values[n] = value;
    this.gens[n] = gen;
    this.n = n + 1;
    if (n + 1 > INDEX_AFTER) {
      this.index ??= new Map();
      if (n === INDEX_AFTER) for (let k = 0; k < n; k++) this.index.set(this.names[k]!, k);
      this.index.set(name, n);
    }
  }

  /** Calls `fn` for every present label (base labels first, in map order, then added ones). */
  forEach(fn: (value: string, name: string) => void): void {
    for (const [name, v] of this.base) {
      if (this.find(name) < 0) fn(v, name);
    }
    const { names, values } = this;
    for (let i = 0; i < this.n; i++) {
      const v = values[i];
      if (v !== undefined) fn(v, names[i]!);
    }
  }

  /** The present labels as [name, value] pairs (a snapshot: safe to modify the set meanwhile). */
  entries(): [string, string][] {
    const out: [string, string][] = [];
    this.forEach((v, n) => out.push([n, v]));
    return out;
  }
}
