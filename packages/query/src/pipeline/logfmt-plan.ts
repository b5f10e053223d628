/**
 * A fast path for the most common metric pipelines, `| logfmt | <label filters> [| unwrap x]`
 * with parser hints and a projection (`sum by (…) (count_over_time(…))`,
 * `quantile_over_time(…) by (…)`), run on a line's bytes: the hinted scanner finds the wanted
 * values, numeric filters and a float unwrap read digits straight from the bytes, and only values
 * a string filter or the projection reads become (cached) strings. No entry state, no label map,
 * no per-line allocation.
 *
 * It decides only the lines it can decide exactly as the generic pipeline would: a line on which
 * a filter would record an error (a value that does not convert) is UNDECIDED, and the caller
 * runs the generic pipeline on it. Entries with structured metadata never come here.
 */
import type { Labels } from '@lode/store';
import type { CompareOp, LabelFilter, Stage } from '../logql/ast.js';
import type { ParserHints } from './hints.js';
import { compareValues, compileMatcher } from './label-filter.js';
import { HintedLogfmtScanner } from './logfmt-bytes.js';
import { sanitizeKey } from './json.js';
import { ERROR_DETAILS_LABEL, ERROR_LABEL } from './state.js';
import { ConversionError, parseGoDuration, parseGoFloat, parseHumanBytes } from './units.js';

export const DROP = 0;
export const KEEP = 1;
export const UNDECIDED = 2;
export type PlanOutcome = typeof DROP | typeof KEEP | typeof UNDECIDED;

/** A filter over the line being decided: DROP, KEEP or UNDECIDED. */
type Test = () => PlanOutcome;

const MAX_CACHED_KEYS = 4096;

/** Per stream: the stream's value of each referenced name (what a label not parsed reads as). */
interface StreamView {
  values: (string | undefined)[];
}

export class LogfmtPlan {
  private readonly scanner: HintedLogfmtScanner;
  /** Names the filters and the projection read; `refs[r]`'s slot in the scanner, or -1. */
  private readonly refs: string[] = [];
  private readonly refSlots: number[] = [];
  private readonly tests: Test[];
  private readonly projected: number[];
  private readonly streams = new WeakMap<Labels, StreamView>();
  private lastStream: Labels | undefined;
  private view: StreamView = { values: [] };
  /** The line being decided. */
  private b: Buffer = Buffer.alloc(0);
  /** `unwrap`: the label's ref, its conversion, and the filters after it. */
  private readonly unwrapRef: number = -1;
  private readonly unwrapPlain: boolean = false;
  private readonly convert: ((s: string) => number) | undefined;
  private readonly postTests: Test[] = [];
  /** The unwrapped value of the last line kept (undefined without unwrap). */
  value: number | undefined = undefined;

  private constructor(
    required: ReadonlySet<string>,
    keepEmpty: boolean,
    filters: readonly LabelFilter[],
    project: readonly string[],
    unwrap: PlanUnwrap | undefined,
  ) {
    const names = new Map<string, string>();
    this.scanner = new HintedLogfmtScanner(required, keepEmpty, (rawKey) => {
      let key = names.get(rawKey);
      if (key === undefined) {
        key = sanitizeKey(rawKey, true);
        if (names.size >= MAX_CACHED_KEYS) names.clear();
        names.set(rawKey, key);
      }
      return key;
    });
    this.tests = filters.map((f) => this.compile(f));
    if (unwrap !== undefined) {
      this.unwrapRef = this.ref(unwrap.label);
      this.unwrapPlain = unwrap.plainFloat;
      this.convert = unwrap.convert;
      this.postTests = unwrap.postFilters.map((f) => this.compile(f));
    }
    // The unwrapped label is gone from the sample's labels: it projects as absent.
    this.projected = project.map((n) => (unwrap !== undefined && n === unwrap.label ? -1 : this.ref(n)));
  }

  /**
   * The plan for `stages` (those after the leading line filters), or undefined when they are not
   * `logfmt` (lenient, no parameters) followed only by label filters without `ip()`, or when the
   * query reads more than the `project`ed labels, or the hints extract every key.
   */
  static compile(stages: readonly Stage[], hints: ParserHints, project: readonly string[] | undefined, unwrap?: PlanUnwrap): LogfmtPlan | undefined {
    const first = stages[0];
    if (first?.kind !== 'LogfmtParser' || first.strict || first.params.length > 0) return undefined;
    if (project === undefined || hints.noLabels || hints.required === undefined) return undefined;
    if (unwrap !== undefined && !unwrap.postFilters.every(supported)) return undefined;
    const filters: LabelFilter[] = [];
    for (const s of stages.slice(1)) {
      if (s.kind !== 'LabelFilter' || !supported(s.filter)) return undefined;
      filters.push(s.filter);
    }
    return new LogfmtPlan(hints.required, first.keepEmpty, filters, project, unwrap);
  }

  /**
   * Decides the line `b[start..end)` of a stream with `streamLabels` (entries without metadata).
   * On KEEP, `out[k]` holds the value of the k-th projected name (undefined: absent).
   */
  run(streamLabels: Labels, b: Buffer, start: number, end: number, out: (string | undefined)[]): PlanOutcome {
    if (streamLabels !== this.lastStream) this.useStream(streamLabels);
    this.b = b;
    this.scanner.scan(b, start, end);
    const tests = this.tests;
    for (let k = 0; k < tests.length; k++) {
      const r = tests[k]!();
      if (r !== KEEP) return r;
    }
    if (this.unwrapRef >= 0) {
      const r = this.unwrap();
      if (r !== KEEP) return r;
    }
    const projected = this.projected;
    for (let k = 0; k < projected.length; k++) {
      const r = projected[k]!;
      out[k] = r < 0 ? undefined : this.valueOf(r);
    }
    return KEEP;
  }

  /** Reads the unwrapped value into `value`, then runs the filters after the unwrap. */
  private unwrap(): PlanOutcome {
    const r = this.unwrapRef;
    const slot = this.refSlots[r]!;
    let v = this.unwrapPlain && slot >= 0 && this.scanner.found(slot) ? this.scanner.digits(this.b, slot) : -1;
    if (v < 0) {
      const raw = this.valueOf(r);
      if (raw === undefined || raw === '') return DROP;
      try {
        v = this.convert!(raw);
      } catch (err) {
        // The sample would carry a conversion error: the generic pipeline builds it.
        if (err instanceof ConversionError) return UNDECIDED;
        throw err;
      }
    }
    this.value = v;
    const post = this.postTests;
    for (let k = 0; k < post.length; k++) {
      const o = post[k]!();
      if (o !== KEEP) return o;
    }
    return KEEP;
  }

  private useStream(streamLabels: Labels): void {
    let view = this.streams.get(streamLabels);
    if (view === undefined) {
      view = { values: this.refs.map((n) => (Object.hasOwn(streamLabels, n) ? streamLabels[n] : undefined)) };
      this.streams.set(streamLabels, view);
    }
    // A parsed key named like a stream label becomes `<name>_extracted`.
    this.scanner.prepare((name) => Object.hasOwn(streamLabels, name), streamLabels);
    this.lastStream = streamLabels;
    this.view = view;
  }

  private ref(name: string): number {
    let r = this.refs.indexOf(name);
    if (r < 0) {
      r = this.refs.length;
      this.refs.push(name);
      this.refSlots.push(this.scanner.labels.indexOf(name));
    }
    return r;
  }

  /** The label's value for the current line: parsed, else the stream's (undefined: absent). */
  private valueOf(r: number): string | undefined {
    const slot = this.refSlots[r]!;
    if (slot >= 0 && this.scanner.found(slot)) return this.scanner.value(this.b, slot);
    return this.view.values[r];
  }

  private compile(f: LabelFilter): Test {
    switch (f.kind) {
      case 'StringFilter': {
        const test = compileMatcher(f.matcher);
        const name = f.matcher.name;
        // Lines with an error never come this far: the error pair reads as empty.
        if (name === ERROR_LABEL || name === ERROR_DETAILS_LABEL) {
          const constant = test('') ? KEEP : DROP;
          return () => constant;
        }
        const r = this.ref(name);
        return () => (test(this.valueOf(r) ?? '') ? KEEP : DROP);
      }
      case 'NumericFilter':
        return this.numeric(f.name, f.op, f.value);
      case 'DurationFilter':
        return this.converting(f.name, f.op, f.value, parseGoDuration);
      case 'BytesFilter':
        return this.converting(f.name, f.op, f.value, parseHumanBytes);
      case 'BinaryFilter': {
        const l = this.compile(f.left);
        const r = this.compile(f.right);
        if (f.op === 'or') {
          return () => {
            const a = l();
            return a === DROP ? r() : a;
          };
        }
        // The generic filter evaluates both sides, but a dropped line's errors are never seen.
        return () => {
          const a = l();
          return a === KEEP ? r() : a;
        };
      }
      case 'IpFilter':
        throw new Error('ip() label filters have no plan');
    }
  }

  /** A float comparison; plain digits are read from the bytes (as parseGoFloat reads them). */
  private numeric(name: string, op: CompareOp, want: number): Test {
    const r = this.ref(name);
    const slow = this.converting(name, op, want, parseGoFloat);
    return () => {
      const slot = this.refSlots[r]!;
      if (slot < 0 || !this.scanner.found(slot)) return slow();
      const v = this.scanner.digits(this.b, slot);
      if (v < 0) return slow();
      return compareValues(op, v, want) ? KEEP : DROP;
    };
  }

  private converting<T extends number | bigint>(name: string, op: CompareOp, want: T, convert: (s: string) => T): Test {
    const r = this.ref(name);
    return () => {
      const raw = this.valueOf(r);
      if (raw === undefined) return DROP;
      let v: T;
      try {
        v = convert(raw);
      } catch (err) {
        if (err instanceof ConversionError) return UNDECIDED;
        throw err;
      }
      return compareValues(op, v, want) ? KEEP : DROP;
    };
  }
}

/** The `unwrap` of a plan: its label, conversion (`plainFloat`: parseGoFloat), post filters. */
export interface PlanUnwrap {
  label: string;
  convert: (s: string) => number;
  plainFloat: boolean;
  postFilters: readonly LabelFilter[];
}

function supported(f: LabelFilter): boolean {
  if (f.kind === 'IpFilter') return false;
  if (f.kind === 'BinaryFilter') return supported(f.left) && supported(f.right);
  return true;
}
