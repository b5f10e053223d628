/**
 * The per-entry working state every stage reads and writes: the line, the current label set
 * (stream labels + structured metadata + parsed labels) and Loki's error pair, which lives
 * outside the label map until the result is built (as in Loki's LabelsBuilder).
 */
import type { Labels } from '@lode/store';
import { NO_HINTS, type ParserHints } from './hints.js';

export const ERROR_LABEL = '__error__';
export const ERROR_DETAILS_LABEL = '__error_details__';
const EXTRACTED_SUFFIX = '_extracted';

export class EntryState {
  ts = 0n;
  line = '';
  labels = new Map<string, string>();
  /** Names of stream labels and structured metadata: a parsed label with one of these names gets `_extracted`. */
  base: NameSet = new Set<string>();
  err = '';
  errDetails = '';
  /** When a parser meets a key twice: true = the first value stays (newest Loki), false = the last wins (Loki 3.4). */
  firstDuplicateWins = false;
  /** Keys set by the parser currently running, to apply the duplicate-key rule. */
  readonly seen = new Set<string>();
  /** `json` skips keys whose value is an empty string (metric pipelines, as Loki 3.4.6's series show). */
  dropEmptyJson = false;
  /** The parser hints of a metric query: `json`/`logfmt` extract only `required` keys. */
  hints: ParserHints = NO_HINTS;
  /** Required keys found in this line so far, by any parser (reset per entry). */
  readonly requiredFound = new Set<string>();

  /** Every required key is extracted: later keys and later parsers have nothing to add. */
  allRequiredFound(): boolean {
    const r = this.hints.required;
    return r !== undefined && this.requiredFound.size >= r.size;
  }

  /**
   * A hinted parser's label: only a required key, the first occurrence in the line (Loki's
   * `Extracted` check). Returns false once every required key is found (the parser may stop).
   */
  setHinted(name: string, value: string): boolean {
    const key = this.base.has(name) ? name + EXTRACTED_SUFFIX : name;
    const required = this.hints.required!;
    if (!required.has(key)) return true;
    if (this.requiredFound.has(key)) return this.requiredFound.size < required.size;
    this.requiredFound.add(key);
    this.labels.set(key, value);
    return this.requiredFound.size < required.size;
  }

  setErr(err: string, details: string): void {
    this.err = err;
    this.errDetails = details;
  }

  /** Adds a parsed label, renaming it `<name>_extracted` when it clashes with a stream/metadata label. */
  setParsed(name: string, value: string): void {
    const key = this.base.has(name) ? name + EXTRACTED_SUFFIX : name;
    if (this.seen.has(key)) {
      if (this.firstDuplicateWins) return;
    } else this.seen.add(key);
    this.labels.set(key, value);
  }

  /** What a converting label filter or unwrap sees: a label value, never the error pair. */
  get(name: string): string | undefined {
    return this.labels.get(name);
  }

  /** What a string matcher sees: the error pair included, an absent label as "". */
  valueForMatch(name: string): string {
    if (name === ERROR_LABEL) return this.err;
    if (name === ERROR_DETAILS_LABEL) return this.errDetails;
    return this.labels.get(name) ?? '';
  }
}

/**
 * Seeds the state from a stream's labels and an entry's metadata. Metadata clashing with a
 * stream label is kept as `<name>_extracted` (stream > metadata > parsed).
 */
export function seedLabels(st: EntryState, stream: Labels, metadata: Labels, baseCache: WeakMap<Labels, Map<string, string>>): void {
  let streamMap = baseCache.get(stream);
  if (!streamMap) {
    streamMap = new Map(Object.entries(stream));
    baseCache.set(stream, streamMap);
  }
  const labels = new Map(streamMap);
  let base: Set<string> | undefined;
  for (const name in metadata) {
    const v = metadata[name]!;
    if (streamMap.has(name)) labels.set(name + EXTRACTED_SUFFIX, v);
    else labels.set(name, v);
    (base ??= new Set(streamMap.keys())).add(name);
  }
  st.labels = labels;
  st.base = base ?? streamMap;
  st.err = '';
  st.errDetails = '';
  if (st.requiredFound.size > 0) st.requiredFound.clear();
}

/** A Map has `has`, which is all `base` needs; this avoids a Set copy per entry without metadata. */
export type NameSet = { has(name: string): boolean };
