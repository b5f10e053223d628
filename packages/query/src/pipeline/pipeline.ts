/**
 * Builds a Pipeline from the AST's stages: line filters first (on the raw Buffer while they are
 * plain substrings), the line materialised as a string only for surviving entries, then every
 * stage in source order over one reusable entry state, then `unwrap`. Result label sets are
 * interned, so equal label sets share one object and one key.
 */
import type { Labels } from '@lode/store';
import { ParseError, type LabelFilter, type Stage, type Unwrap } from '../logql/ast.js';
import { compileLabelFilter, type LabelTest } from './label-filter.js';
import { compileLineFilter, type LineFilter } from './line-filter.js';
import {
  decolorizeStage,
  dropStage,
  jsonStage,
  keepStage,
  labelFormatStage,
  lineFormatStage,
  logfmtStage,
  patternStage,
  regexpStage,
  unpackStage,
  type StageFn,
} from './stages.js';
import { NO_HINTS, type ParserHints } from './hints.js';
import { DROP, LogfmtPlan, UNDECIDED } from './logfmt-plan.js';
import { mayProduce, presenceChecks, type PresenceCheck } from './presence.js';
import { EntryState, ERROR_DETAILS_LABEL, ERROR_LABEL } from './state.js';
import { ConversionError, parseGoDuration, parseGoFloat, parseHumanBytes } from './units.js';

export const SAMPLE_EXTRACTION_ERR = 'SampleExtractionErr';

export interface PipelineResult {
  /** The line after every stage (line_format, decolorize, unpack's `_entry`). */
  line: string;
  /** The resulting label set, `__error__`/`__error_details__` included when set. Interned: equal sets are the same object. */
  labels: Labels;
  /** A canonical string for `labels` (`{a="1", b="2"}`, names sorted), equal iff the sets are equal. */
  key: string;
  /** The unwrapped sample value (only for pipelines compiled with `unwrap`). */
  value?: number;
}

export interface PipelineOptions {
  /** `| unwrap …` of a metric query, with its conversion and post-unwrap label filters. */
  unwrap?: Unwrap;
  /** Parsers keep the first of duplicate keys (newest Loki) instead of the last (Loki 3.4, the default). */
  firstDuplicateWins?: boolean;
  /** Parser label hints of a metric query (see hints.ts); none by default. */
  hints?: ParserHints;
  /** `json` drops keys with an empty string value (metric queries). */
  dropEmptyJson?: boolean;
  /**
   * The caller reads only these labels of a result without an error (a metric query grouping
   * `by` them): such results carry just these labels, so they intern to few distinct sets.
   * Results with an error keep every label (error texts and preserved error series show them).
   */
  project?: readonly string[];
}

export interface Pipeline {
  /** The result object is reused by the next call: read it before processing another entry. */
  process(ts: bigint, line: string, lineBytes: Buffer | undefined, streamLabels: Labels, metadata: Labels): PipelineResult | undefined;
  /** `process` for an entry read as bytes: the line becomes a string only if the byte-level filters pass. */
  processBytes(ts: bigint, lineBytes: Buffer, streamLabels: Labels, metadata: Labels): PipelineResult | undefined;
  /** `processBytes` for the line `block[start..end)` (a chunk's lines block), without a view per line. */
  processRange(ts: bigint, block: Buffer, start: number, end: number, streamLabels: Labels, metadata: Labels): PipelineResult | undefined;
  /** No stage and no unwrap: every entry passes with its stream labels and metadata. */
  readonly noStages: boolean;
  /** Some stage may change the line (line_format, decolorize, unpack). */
  readonly rewritesLine: boolean;
  /** Literal substrings every kept line must contain: hints for the store's content filter. */
  readonly requiredLiterals: string[];
  /** True when no stage changes labels: results carry the stream labels plus metadata. */
  readonly labelsUnchanged: boolean;
  /**
   * UTF-8 bytes every line of a stream with `streamLabels` must contain to pass (undefined when
   * nothing is known), so a caller holding many lines back to back can find the candidates with
   * one native search instead of testing each line. `hasMetadata`: some entry carries metadata.
   */
  lineNeedle(streamLabels: Labels, hasMetadata: boolean): Buffer | undefined;
  /**
   * Literals every passing line of a stream with `streamLabels` contains when its entries carry no
   * structured metadata, beyond `requiredLiterals` (which hold regardless): a reader can rule out a
   * chunk without metadata from its content filter.
   */
  metadataFreeLiterals(streamLabels: Labels): readonly string[];
  /**
   * A necessary condition for the line `block[start..end)` to pass, from its bytes alone (the
   * leading line filters that test bytes, the parser presence checks): false means the entry is
   * dropped, true that it may pass. Undefined when the pipeline has nothing to test this way.
   */
  readonly mayPass: ((block: Buffer, start: number, end: number, streamLabels: Labels, metadata: Labels) => boolean) | undefined;
}

const MAX_INTERNED = 100_000;
const NONE: readonly string[] = Object.freeze([]);
const BACKSLASH = 0x5c;

interface Interned {
  labels: Labels;
  key: string;
}

/** The result object: its line is read on demand (often never, in metric queries). */
class Result implements PipelineResult {
  labels: Labels = {};
  key = '';
  value: number | undefined = undefined;
  /** Set when a plan decided the entry: the line is `block[start..end)`, the entry state is stale. */
  block: Buffer | undefined = undefined;
  start = 0;
  end = 0;
  constructor(private readonly st: EntryState) {}
  get line(): string {
    return this.block !== undefined ? this.block.toString('utf8', this.start, this.end) : this.st.line;
  }
}

/** Interned projections: one tree level per projected name, keyed by its value (undefined = absent). */
type ProjectionNode = Map<string | undefined, ProjectionNode | Interned>;

function compileStage(s: Stage): StageFn {
  switch (s.kind) {
    case 'LineFilter': {
      const f = compileLineFilter(s);
      return (st) => f.test(st.line);
    }
    case 'JsonParser':
      return jsonStage(s);
    case 'LogfmtParser':
      return logfmtStage(s);
    case 'RegexpParser':
      return regexpStage(s);
    case 'PatternParser':
      return patternStage(s);
    case 'UnpackParser':
      return unpackStage();
    case 'LabelFilter': {
      const t = compileLabelFilter(s.filter);
      return t;
    }
    case 'LineFormat':
      return lineFormatStage(s.template);
    case 'LabelFormat':
      return labelFormatStage(s);
    case 'Drop':
      return dropStage(s);
    case 'Keep':
      return keepStage(s);
    case 'Decolorize':
      return decolorizeStage();
  }
}

function conversion(kind: Unwrap['conversion']): (s: string) => number {
  switch (kind) {
    case '':
      return parseGoFloat;
    case 'duration':
    case 'duration_seconds':
      return (s) => Number(parseGoDuration(s)) / 1e9;
    case 'bytes':
      return parseHumanBytes;
  }
}

function escapeValue(v: string): string {
  return JSON.stringify(v);
}

class CompiledPipeline implements Pipeline {
  readonly requiredLiterals: string[] = [];
  readonly labelsUnchanged: boolean;
  readonly noStages: boolean;
  readonly rewritesLine: boolean;
  private readonly st = new EntryState();
  private readonly result = new Result(this.st);
  private readonly leading: LineFilter[] = [];
  private readonly stages: StageFn[] = [];
  private readonly streamCache = new WeakMap<Labels, Map<string, string>>();
  /** Entries come in runs of one stream: the last stream's map saves a WeakMap lookup. */
  private lastStream: Labels | undefined;
  private lastStreamMap: Map<string, string> = new Map();
  private readonly plainCache = new WeakMap<Labels, { labels: Labels; key: string }>();
  private readonly interned = new Map<string, Labels>();
  private readonly unwrapLabel?: string;
  private readonly convert?: (s: string) => number;
  private readonly postFilters: LabelTest[] = [];
  private readonly project: readonly string[] | undefined;
  private projections: ProjectionNode = new Map();
  private projectionCount = 0;
  private readonly scratch = new Map<string, string>();
  /** Labels `logfmt` must produce for the entry to survive (see presence.ts). */
  private readonly presence: PresenceCheck[] | undefined;
  private readonly presenceLiterals = new WeakMap<Labels, readonly string[]>();
  readonly mayPass: ((block: Buffer, start: number, end: number, streamLabels: Labels, metadata: Labels) => boolean) | undefined;
  /** The lines block `mayPass` last looked at, and whether it holds a backslash anywhere. */
  private escapesBlock: Buffer | undefined;
  private escapesInBlock = false;
  /** The fast path for `| logfmt | <label filters>` of a projected metric query (see logfmt-plan.ts). */
  private readonly plan: LogfmtPlan | undefined;
  private readonly planValues: (string | undefined)[] = [];
  /** Only leading line filters, each with a byte test: an entry without metadata is decided from its bytes alone. */
  private readonly filtersOnly: boolean;
  /** The longest literal a leading line filter requires (see lineNeedle). */
  private readonly leadingNeedle: Buffer | undefined;

  constructor(stages: readonly Stage[], opts: PipelineOptions) {
    let i = 0;
    for (; i < stages.length && stages[i]!.kind === 'LineFilter'; i++) {
      this.leading.push(compileLineFilter(stages[i] as Extract<Stage, { kind: 'LineFilter' }>));
    }
    let lineRewritten = false;
    for (const f of this.leading) if (f.literal !== undefined) this.requiredLiterals.push(f.literal);
    for (const s of stages.slice(i)) {
      if (s.kind === 'LineFormat' || s.kind === 'Decolorize' || s.kind === 'UnpackParser') lineRewritten = true;
      if (s.kind === 'LineFilter' && !lineRewritten) {
        const f = compileLineFilter(s);
        if (f.literal !== undefined) this.requiredLiterals.push(f.literal);
      }
      this.stages.push(compileStage(s));
    }
    this.presence = presenceChecks(stages.slice(i), opts.unwrap);
    this.leadingNeedle = longest(this.leading.map((f) => (f.literal !== undefined ? Buffer.from(f.literal, 'utf8') : undefined)));
    this.st.firstDuplicateWins = opts.firstDuplicateWins ?? false;
    if (opts.hints) this.st.hints = opts.hints;
    this.st.dropEmptyJson = opts.dropEmptyJson ?? false;
    this.noStages = stages.length === 0 && !opts.unwrap;
    this.project = opts.project ? [...new Set(opts.project)].sort() : undefined;
    this.rewritesLine = lineRewritten;
    this.labelsUnchanged = !opts.unwrap && stages.slice(i).every((s) => s.kind === 'LineFilter' || s.kind === 'LineFormat' || s.kind === 'Decolorize');
    const rangeFilters = this.leading.filter((f) => f.testRange !== undefined);
    this.mayPass = rangeFilters.length > 0 || this.presence !== undefined ? (b, s, e, l, m) => this.passesBytes(rangeFilters, b, s, e, l, m) : undefined;
    const byteFilters = rangeFilters.length === this.leading.length;
    this.filtersOnly = byteFilters && this.stages.length === 0 && opts.unwrap === undefined;
    const unwrap = opts.unwrap && {
      label: opts.unwrap.label,
      convert: conversion(opts.unwrap.conversion),
      plainFloat: opts.unwrap.conversion === '',
      postFilters: opts.unwrap.postFilters,
    };
    this.plan = byteFilters ? LogfmtPlan.compile(stages.slice(i), opts.hints ?? NO_HINTS, this.project, unwrap) : undefined;
    if (opts.unwrap) {
      this.unwrapLabel = opts.unwrap.label;
      this.convert = conversion(opts.unwrap.conversion);
      this.postFilters = opts.unwrap.postFilters.map((f: LabelFilter) => compileLabelFilter(f));
    }
  }

  lineNeedle(streamLabels: Labels, hasMetadata: boolean): Buffer | undefined {
    // A presence literal is required only while no stream label or metadata supplies the label.
    const present = hasMetadata ? [] : (this.presence ?? []).filter((c) => !c.orEscaped && !(c.name in streamLabels)).map((c) => c.needle.bytes);
    return longest([this.leadingNeedle, ...present]);
  }

  metadataFreeLiterals(streamLabels: Labels): readonly string[] {
    if (this.presence === undefined) return NONE;
    let literals = this.presenceLiterals.get(streamLabels);
    if (literals === undefined) {
      literals = this.presence.filter((c) => !c.orEscaped && !(c.name in streamLabels)).map((c) => c.literal);
      this.presenceLiterals.set(streamLabels, literals);
    }
    return literals;
  }

  private passesBytes(filters: readonly LineFilter[], block: Buffer, start: number, end: number, streamLabels: Labels, metadata: Labels): boolean {
    for (let k = 0; k < filters.length; k++) if (!filters[k]!.testRange!(block, start, end)) return false;
    const checks = this.presence;
    // Metadata may supply a checked label (or rename one): such entries are left to the pipeline.
    if (checks === undefined || !isEmpty(metadata)) return true;
    for (let k = 0; k < checks.length; k++) {
      const c = checks[k]!;
      if (Object.hasOwn(streamLabels, c.name) || c.needle.in(block, start, end)) continue;
      if (!c.orEscaped || !this.hasEscape(block, start, end)) return false;
    }
    return true;
  }

  /** Whether `block[start..end)` holds a backslash (lines blocks rarely hold any: checked once per block). */
  private hasEscape(block: Buffer, start: number, end: number): boolean {
    if (block !== this.escapesBlock) {
      this.escapesBlock = block;
      this.escapesInBlock = block.includes(BACKSLASH);
    }
    if (!this.escapesInBlock) return false;
    for (let i = start; i < end; i++) if (block[i] === BACKSLASH) return true;
    return false;
  }

  process(ts: bigint, line: string, lineBytes: Buffer | undefined, streamLabels: Labels, metadata: Labels): PipelineResult | undefined {
    return this.run(ts, line, lineBytes, streamLabels, metadata);
  }

  processBytes(ts: bigint, lineBytes: Buffer, streamLabels: Labels, metadata: Labels): PipelineResult | undefined {
    if (this.plan !== undefined) return this.processRange(ts, lineBytes, 0, lineBytes.length, streamLabels, metadata);
    return this.run(ts, undefined, lineBytes, streamLabels, metadata);
  }

  processRange(ts: bigint, block: Buffer, start: number, end: number, streamLabels: Labels, metadata: Labels): PipelineResult | undefined {
    const plan = this.plan;
    if ((!this.filtersOnly && plan === undefined) || !isEmpty(metadata)) return this.run(ts, undefined, view(block, start, end), streamLabels, metadata);
    const leading = this.leading;
    for (let k = 0; k < leading.length; k++) if (!leading[k]!.testRange!(block, start, end)) return undefined;
    let out: Result;
    if (plan === undefined) out = this.plainResult(streamLabels);
    else {
      const values = this.planValues;
      const outcome = plan.run(streamLabels, block, start, end, values);
      if (outcome === DROP) return undefined;
      if (outcome === UNDECIDED) return this.run(ts, undefined, view(block, start, end), streamLabels, metadata);
      const r = this.projectValues(values);
      out = this.result;
      out.labels = r.labels;
      out.key = r.key;
      out.value = plan.value;
    }
    out.block = block;
    out.start = start;
    out.end = end;
    return out;
  }

  private run(
    ts: bigint,
    text: string | undefined,
    lineBytes: Buffer | undefined,
    streamLabels: Labels,
    metadata: Labels,
  ): PipelineResult | undefined {
    const leading = this.leading;
    for (let k = 0; k < leading.length; k++) {
      const f = leading[k]!;
      if (lineBytes !== undefined) {
        if (f.testBytes !== undefined) {
          if (!f.testBytes(lineBytes)) return undefined;
          continue;
        }
        if (f.prefilterBytes !== undefined && !f.prefilterBytes(lineBytes)) return undefined;
      }
      text ??= (lineBytes as Buffer).toString('utf8');
      if (!f.test(text)) return undefined;
    }
    const out = this.result;
    out.block = undefined;
    const st = this.st;
    st.ts = ts;
    st.setLine(text, lineBytes);
    if (this.stages.length === 0 && this.unwrapLabel === undefined && isEmpty(metadata)) return this.plainResult(streamLabels);
    if (streamLabels !== this.lastStream) {
      let m = this.streamCache.get(streamLabels);
      if (!m) {
        m = new Map(Object.entries(streamLabels));
        this.streamCache.set(streamLabels, m);
      }
      this.lastStream = streamLabels;
      this.lastStreamMap = m;
    }
    const streamMap = this.lastStreamMap;
    st.seed(streamMap, metadata);
    if (this.presence !== undefined && !mayProduce(this.presence, st)) return undefined;
    const stages = this.stages;
    for (let k = 0; k < stages.length; k++) if (!stages[k]!(st)) return undefined;
    let value: number | undefined;
    if (this.unwrapLabel !== undefined) {
      const raw = st.get(this.unwrapLabel);
      if (raw === undefined || raw === '') return undefined;
      try {
        value = this.convert!(raw);
      } catch (err) {
        if (!(err instanceof ConversionError)) throw err;
        value = 0;
        st.setErr(SAMPLE_EXTRACTION_ERR, err.message);
      }
      for (const f of this.postFilters) if (!f(st)) return undefined;
      st.labels.delete(this.unwrapLabel);
    }
    let r: Interned;
    if (this.project !== undefined && st.err === '') r = this.projection(st);
    else {
      const map = this.scratch;
      map.clear();
      st.labels.forEach((v, n) => map.set(n, v));
      r = this.intern(map, st.err, st.errDetails);
    }
    out.labels = r.labels;
    out.key = r.key;
    out.value = value;
    return out;
  }

  /** The result of an entry without metadata that only line filters looked at: its stream's labels. */
  private plainResult(streamLabels: Labels): Result {
    let c = this.plainCache.get(streamLabels);
    if (!c) {
      const map = new Map(Object.entries(streamLabels));
      c = this.intern(map, '', '');
      this.plainCache.set(streamLabels, c);
    }
    const out = this.result;
    out.labels = c.labels;
    out.key = c.key;
    out.value = undefined;
    return out;
  }

  /** The interned set of the projected labels of the entry. */
  private projection(st: EntryState): Interned {
    const names = this.project as readonly string[];
    const values = this.planValues;
    for (let k = 0; k < names.length; k++) values[k] = st.labels.get(names[k]!);
    return this.projectValues(values);
  }

  /** The interned set of the projected labels with these values (undefined: absent), found without building a key. */
  private projectValues(values: readonly (string | undefined)[]): Interned {
    const names = this.project as readonly string[];
    if (this.projectionCount >= MAX_INTERNED) {
      this.projections = new Map();
      this.projectionCount = 0;
    }
    let node = this.projections;
    for (let k = 0; k < names.length - 1; k++) {
      const v = values[k];
      let next = node.get(v) as ProjectionNode | undefined;
      if (next === undefined) {
        next = new Map();
        node.set(v, next);
      }
      node = next;
    }
    const last = names.length > 0 ? values[names.length - 1] : undefined;
    let leaf = node.get(last) as Interned | undefined;
    if (leaf === undefined) {
      const map = this.scratch;
      map.clear();
      for (let k = 0; k < names.length; k++) {
        const v = values[k];
        if (v !== undefined) map.set(names[k]!, v);
      }
      leaf = this.intern(map, '', '');
      node.set(last, leaf);
      this.projectionCount++;
    }
    return leaf;
  }

  private intern(map: Map<string, string>, err: string, details: string): Interned {
    if (err !== '') map.set(ERROR_LABEL, err);
    if (details !== '' && err !== '') map.set(ERROR_DETAILS_LABEL, details);
    const names = [...map.keys()].sort();
    let key = '{';
    for (let k = 0; k < names.length; k++) {
      if (k > 0) key += ', ';
      key += names[k] + '=' + escapeValue(map.get(names[k]!)!);
    }
    key += '}';
    let labels = this.interned.get(key);
    if (!labels) {
      const obj: Record<string, string> = {};
      for (const n of names) obj[n] = map.get(n)!;
      labels = Object.freeze(obj);
      if (this.interned.size >= MAX_INTERNED) this.interned.clear();
      this.interned.set(key, labels);
    }
    return { labels, key };
  }
}

/** `block[start..end)`, without a new view when that is the whole block. */
function view(block: Buffer, start: number, end: number): Buffer {
  return start === 0 && end === block.length ? block : block.subarray(start, end);
}

function longest(needles: readonly (Buffer | undefined)[]): Buffer | undefined {
  let best: Buffer | undefined;
  for (const n of needles) if (n !== undefined && n.length > 0 && (best === undefined || n.length > best.length)) best = n;
  return best;
}

function isEmpty(o: Labels): boolean {
  for (const _ in o) return false;
  return true;
}

/**
 * Compiles the stages after a stream selector (and the `unwrap` of a metric query). Invalid
 * regexps, templates, ip patterns, json paths and patterns throw ParseError with Loki's text.
 */
export function compilePipeline(stages: readonly Stage[], opts: PipelineOptions = {}): Pipeline {
  try {
    return new CompiledPipeline(stages, opts);
  } catch (err) {
    if (err instanceof ParseError) throw err;
    if (err instanceof Error && err.name !== 'Error' && err.name !== 'TypeError' && err.name !== 'RangeError') {
      throw new ParseError(err.message);
    }
    throw err;
  }
}
