/**
 * The per-entry working state every stage reads and writes: the line, the current label set
 * (stream labels + structured metadata + parsed labels) and Loki's error pair, which lives
 * outside the label map until the result is built (as in Loki's LabelsBuilder).
 */
import type { Labels } from '@lode/store';
import { NO_HINTS, type ParserHints } from './hints.js';
import { LabelOverlay } from './label-overlay.js';

export const ERROR_LABEL = '__error__';
export const ERROR_DETAILS_LABEL = '__error_details__';
const EXTRACTED_SUFFIX = '_extracted';
const NO_METADATA: Labels = Object.freeze({});

export class EntryState {
  ts = 0n;
  /** The line as read (bytes), while no stage has rewritten it; `line` decodes it on first use. */
  bytes: Buffer | undefined = undefined;
  private text: string | undefined = undefined;
  readonly labels = new LabelOverlay();
  private streamMap: ReadonlyMap<string, string> = new Map();
  private metadata: Labels = NO_METADATA;
  private hasMetadata = false;
  /** A frozen metadata object already seen empty (skips enumerating it per entry). */
  private knownEmpty: Labels | undefined = undefined;
  err = '';
  errDetails = '';
  /** When a parser meets a key twice: true = the first value stays (newest Loki), false = the last wins (Loki 3.4). */
  firstDuplicateWins = false;
  /** The parser run in progress (see `beginParser`): labels it set carry this number. */
  private parserGen = 0;
  /** `json` skips keys whose value is an empty string (metric pipelines, as Loki 3.4.6's series show). */
  dropEmptyJson = false;
  /** The parser hints of a metric query: `json`/`logfmt` extract only `required` keys. */
  hints: ParserHints = NO_HINTS;
  /**
   * What `isBase` answers from: the stream's label map when the entry has no metadata (the same
   * object for every entry of the stream), undefined otherwise. A parser can key what it derives
   * from `isBase` on it.
   */
  baseKey: ReadonlyMap<string, string> | undefined = undefined;
  /** Required keys found in this line so far, by any parser: the first `foundCount` (reset per entry). */
  private readonly found: string[] = [];
  private foundCount = 0;

  get line(): string {
    return (this.text ??= (this.bytes as Buffer).toString('utf8'));
  }

  /** A stage rewrote the line: the bytes no longer describe it. */
  set line(v: string) {
    this.text = v;
    this.bytes = undefined;
  }

  /** Starts an entry: `text` and/or `bytes` of its line (at least one). */
  setLine(text: string | undefined, bytes: Buffer | undefined): void {
    this.text = text;
    this.bytes = bytes;
  }

  /** A parser starts on this entry: keys it sets from now on are its own (duplicate-key rule). */
  beginParser(): void {
    this.parserGen++;
  }

  /** Whether `name` is a stream label or structured metadata (a parsed label of that name gets `_extracted`). */
  isBase(name: string): boolean {
    return this.streamMap.has(name) || (this.hasMetadata && Object.hasOwn(this.metadata, name));
  }

  /** Every required key is extracted: later keys and later parsers have nothing to add. */
  allRequiredFound(): boolean {
    const r = this.hints.required;
    return r !== undefined && this.foundCount >= r.size;
  }

  /**
   * A hinted parser's label: only a required key, the first occurrence in the line (Loki's
   * `Extracted` check). Returns false once every required key is found (the parser may stop).
   */
  setHinted(name: string, value: string): boolean {
    const key = this.isBase(name) ? name + EXTRACTED_SUFFIX : name;
    return this.setHintedKey(key, value);
  }

  /** `setHinted` for a name already renamed (`_extracted`) where needed. */
  setHintedKey(key: string, value: string): boolean {
    const required = this.hints.required!;
    if (!required.has(key)) return true;
    const found = this.found;
    for (let k = 0; k < this.foundCount; k++) if (found[k] === key) return this.foundCount < required.size;
    found[this.foundCount++] = key;
    this.labels.set(key, value, this.parserGen);
    return this.foundCount < required.size;
  }

  setErr(err: string, details: string): void {
    this.err = err;
    this.errDetails = details;
  }

  /** Adds a parsed label, renaming it `<name>_extracted` when it clashes with a stream/metadata label. */
  setParsed(name: string, value: string): void {
    const key = this.isBase(name) ? name + EXTRACTED_SUFFIX : name;
    if (this.firstDuplicateWins && this.labels.genOf(key) === this.parserGen) return;
    this.labels.set(key, value, this.parserGen);
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

  /**
   * Seeds the labels from a stream's label map and an entry's metadata. Metadata clashing with a
   * stream label is kept as `<name>_extracted` (stream > metadata > parsed).
   */
  seed(streamMap: ReadonlyMap<string, string>, metadata: Labels): void {
    this.streamMap = streamMap;
    this.labels.reset(streamMap);
    this.metadata = metadata;
    this.hasMetadata = false;
    if (metadata === this.knownEmpty) {
      this.baseKey = streamMap;
      this.resetEntry();
      return;
    }
    for (const name in metadata) {
      this.hasMetadata = true;
      const v = metadata[name]!;
      this.labels.set(streamMap.has(name) ? name + EXTRACTED_SUFFIX : name, v);
    }
    // The store hands out one frozen empty object for entries without metadata.
    if (!this.hasMetadata && Object.isFrozen(metadata)) this.knownEmpty = metadata;
    this.baseKey = this.hasMetadata ? undefined : streamMap;
    this.resetEntry();
  }

  private resetEntry(): void {
    this.err = '';
    this.errDetails = '';
    this.foundCount = 0;
  }
}
