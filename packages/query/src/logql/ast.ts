/**
 * The typed LogQL syntax tree (Loki 3.x). Plain data only: every node is a readonly object with a
 * `kind` discriminant, so the pipeline builder, the planner and the engine can switch on it and
 * tests can compare trees with deep equality.
 *
 * Conventions:
 * - Every duration (range windows, `offset`, duration label-filter literals) is a `bigint` number
 *   of **nanoseconds**, the same unit as `Timestamp` in `@lode/store`.
 * - Byte-size literals are plain numbers of bytes (`5KB` = 5000, `1MiB` = 1048576).
 * - Parentheses are not kept: the tree structure carries the grouping, the printer adds them back.
 * - No source positions: only syntax errors carry positions (see `ParseError`), as in Loki.
 */
import type { Matcher } from '@lode/store';

export type { Matcher, MatchOp } from '@lode/store';

/** Nanoseconds. */
export type DurationNs = bigint;

// ---------------------------------------------------------------------------------------------
// Top level
// ---------------------------------------------------------------------------------------------

/** A whole query: a log query (returns lines) or a metric query (returns samples). */
export type Expr = LogQueryExpr | MetricExpr;

/** `{app="api"} |= "x" | json | level="error"` */
export interface LogQueryExpr {
  readonly kind: 'LogQuery';
  /** The stream selector; never empty after validation. */
  readonly matchers: readonly Matcher[];
  /** Stages in source order; empty for a bare selector. */
  readonly pipeline: readonly Stage[];
}

/** Anything that evaluates to samples (a vector, a matrix, or a scalar). */
export type MetricExpr =
  | RangeAggregationExpr
  | VectorAggregationExpr
  | BinaryOpExpr
  | LiteralExpr
  | VectorExpr
  | LabelReplaceExpr;

// ---------------------------------------------------------------------------------------------
// Log pipeline
// ---------------------------------------------------------------------------------------------

export type Stage =
  | LineFilterStage
  | JsonParserStage
  | LogfmtParserStage
  | RegexpParserStage
  | PatternParserStage
  | UnpackParserStage
  | LabelFilterStage
  | LineFormatStage
  | LabelFormatStage
  | DropStage
  | KeepStage
  | DecolorizeStage;

/** `|=` contains, `!=` not contains, `|~` regexp, `!~` not regexp, `|>` pattern, `!>` not pattern. */
export type LineFilterOp = '|=' | '!=' | '|~' | '!~' | '|>' | '!>';

/** The operand of a line filter: a string literal or `ip("cidr|range|address")`. */
export type LineFilterValue =
  | { readonly kind: 'String'; readonly value: string }
  | { readonly kind: 'Ip'; readonly value: string };

/**
 * One line filter, possibly an `or` chain: `|= "a" or "b"`. For the positive ops (`|= |~ |>`) a
 * line passes if it matches any value; for the negative ones (`!= !~ !>`) it passes only if it
 * matches none of them (Loki's semantics). `values` has at least one element.
 */
export interface LineFilterStage {
  readonly kind: 'LineFilter';
  readonly op: LineFilterOp;
  readonly values: readonly LineFilterValue[];
}

/** `name="path"`, or just `name`, which Loki treats exactly as `name="name"`. */
export interface ExtractionParam {
  readonly label: string;
  /** JSON path (`a.b`, `a[0]`, `["a.b"]`) or logfmt key. */
  readonly expr: string;
}

/** `| json` or `| json a="x.y", b="list[0]", c` */
export interface JsonParserStage {
  readonly kind: 'JsonParser';
  readonly params: readonly ExtractionParam[];
}

/** `| logfmt`, `| logfmt --strict --keep-empty a="b", c` */
export interface LogfmtParserStage {
  readonly kind: 'LogfmtParser';
  readonly strict: boolean;
  readonly keepEmpty: boolean;
  readonly params: readonly ExtractionParam[];
}

/** `| regexp "(?P<name>...)"` */
export interface RegexpParserStage {
  readonly kind: 'RegexpParser';
  readonly regex: string;
}

/** `| pattern "<ip> - <_> <method>"` */
export interface PatternParserStage {
  readonly kind: 'PatternParser';
  readonly pattern: string;
}

/** `| unpack` */
export interface UnpackParserStage {
  readonly kind: 'UnpackParser';
}

/** `| level="error" and (status >= 500 or latency > 1s)` */
export interface LabelFilterStage {
  readonly kind: 'LabelFilter';
  readonly filter: LabelFilter;
}

/** `| line_format "{{.a}}"` (the template text, already unquoted). */
export interface LineFormatStage {
  readonly kind: 'LineFormat';
  readonly template: string;
}

/** `dst=src` renames a label; `dst="{{…}}"` sets it from a template. */
export type LabelFormatOp =
  | { readonly kind: 'Rename'; readonly dst: string; readonly src: string }
  | { readonly kind: 'Template'; readonly dst: string; readonly template: string };

/** `| label_format a=b, c="{{.d}}"` */
export interface LabelFormatStage {
  readonly kind: 'LabelFormat';
  readonly ops: readonly LabelFormatOp[];
}

/** An item of `drop`/`keep`: a bare name or a matcher (`level="debug"`). */
export type LabelSelection =
  | { readonly kind: 'Name'; readonly name: string }
  | { readonly kind: 'Matcher'; readonly matcher: Matcher };

/** `| drop a, b="c"` */
export interface DropStage {
  readonly kind: 'Drop';
  readonly labels: readonly LabelSelection[];
}

/** `| keep a, b="c"` */
export interface KeepStage {
  readonly kind: 'Keep';
  readonly labels: readonly LabelSelection[];
}

/** `| decolorize` */
export interface DecolorizeStage {
  readonly kind: 'Decolorize';
}

// ---------------------------------------------------------------------------------------------
// Label filters (in pipelines and after `unwrap`)
// ---------------------------------------------------------------------------------------------

/** Comparison of numeric, duration and bytes label filters. `=` in the source becomes `==`. */
export type CompareOp = '==' | '!=' | '>' | '>=' | '<' | '<=';

export type LabelFilter =
  | StringLabelFilter
  | NumericLabelFilter
  | DurationLabelFilter
  | BytesLabelFilter
  | IpLabelFilter
  | BinaryLabelFilter;

/** `level="error"`, `path=~"/api/.*"`: a string matcher on a label. */
export interface StringLabelFilter {
  readonly kind: 'StringFilter';
  readonly matcher: Matcher;
}

/** `status >= 500`: the label is parsed as a float64. */
export interface NumericLabelFilter {
  readonly kind: 'NumericFilter';
  readonly name: string;
  readonly op: CompareOp;
  readonly value: number;
}

/** `latency > 250ms`: the label is parsed as a Go duration. */
export interface DurationLabelFilter {
  readonly kind: 'DurationFilter';
  readonly name: string;
  readonly op: CompareOp;
  readonly value: DurationNs;
}

/** `size > 20MB`: the label is parsed as a humanized byte size. */
export interface BytesLabelFilter {
  readonly kind: 'BytesFilter';
  readonly name: string;
  readonly op: CompareOp;
  /** Bytes. */
  readonly value: number;
}

/** `addr = ip("10.0.0.0/8")`, `addr != ip("…")`. */
export interface IpLabelFilter {
  readonly kind: 'IpFilter';
  readonly name: string;
  readonly op: '=' | '!=';
  /** The pattern as written: an address, a CIDR, or a range `a-b`. */
  readonly pattern: string;
}

/**
 * `a and b`, `a, b`, `a b` (all three are `and`), `a or b`. `and` binds tighter than `or`;
 * both are left-associative.
 */
export interface BinaryLabelFilter {
  readonly kind: 'BinaryFilter';
  readonly op: 'and' | 'or';
  readonly left: LabelFilter;
  readonly right: LabelFilter;
}

// ---------------------------------------------------------------------------------------------
// Metric expressions
// ---------------------------------------------------------------------------------------------

/** `by (a, b)` or `without (a)`; an empty `labels` is a written `by ()`. */
export interface Grouping {
  readonly without: boolean;
  readonly labels: readonly string[];
}

/** The value conversion of `unwrap`: none, `duration()`, `duration_seconds()` or `bytes()`. */
export type UnwrapConversion = '' | 'duration' | 'duration_seconds' | 'bytes';

/** `| unwrap latency`, `| unwrap duration(latency) | __error__=""` */
export interface Unwrap {
  readonly label: string;
  readonly conversion: UnwrapConversion;
  /** Label filters written after the unwrap (applied to the unwrapped samples). */
  readonly postFilters: readonly LabelFilter[];
}

/**
 * `{…} | pipeline | unwrap x [5m] offset 1h`: the log selection of a range aggregation. The range
 * may be written before or after the pipeline; the tree doesn't record which.
 */
export interface LogRange {
  readonly matchers: readonly Matcher[];
  readonly pipeline: readonly Stage[];
  readonly unwrap?: Unwrap;
  /** Window length (> 0). */
  readonly range: DurationNs;
  /** `offset` (0 when absent). */
  readonly offset: DurationNs;
}

export type RangeAggregationOp =
  | 'rate'
  | 'rate_counter'
  | 'count_over_time'
  | 'bytes_rate'
  | 'bytes_over_time'
  | 'absent_over_time'
  | 'sum_over_time'
  | 'avg_over_time'
  | 'min_over_time'
  | 'max_over_time'
  | 'stdvar_over_time'
  | 'stddev_over_time'
  | 'quantile_over_time'
  | 'first_over_time'
  | 'last_over_time';

/** `quantile_over_time(0.99, {…} | unwrap x [5m]) by (a)` */
export interface RangeAggregationExpr {
  readonly kind: 'RangeAggregation';
  readonly op: RangeAggregationOp;
  readonly range: LogRange;
  /** The φ of `quantile_over_time`; undefined for every other op. */
  readonly param?: number;
  readonly grouping?: Grouping;
}

export type VectorAggregationOp =
  | 'sum'
  | 'avg'
  | 'min'
  | 'max'
  | 'count'
  | 'stddev'
  | 'stdvar'
  | 'topk'
  | 'bottomk'
  | 'sort'
  | 'sort_desc'
  | 'approx_topk';

/** `sum by (app) (…)`, `topk(3, …)` */
export interface VectorAggregationExpr {
  readonly kind: 'VectorAggregation';
  readonly op: VectorAggregationOp;
  readonly inner: MetricExpr;
  /** The k of `topk`/`bottomk`/`approx_topk`; undefined for every other op. */
  readonly param?: number;
  readonly grouping?: Grouping;
}

export type ArithmeticOp = '+' | '-' | '*' | '/' | '%' | '^';
export type ComparisonOp = '==' | '!=' | '>' | '>=' | '<' | '<=';
export type SetOp = 'and' | 'or' | 'unless';
export type BinaryOp = ArithmeticOp | ComparisonOp | SetOp;

/** `on (a) group_left (b)`, `ignoring (c)`. */
export interface VectorMatching {
  /** true for `on (…)`, false for `ignoring (…)`. */
  readonly on: boolean;
  readonly labels: readonly string[];
  /** `one-to-one` unless `group_left` (many-to-one) or `group_right` (one-to-many) is given. */
  readonly card: 'one-to-one' | 'many-to-one' | 'one-to-many';
  /** The labels listed after `group_left`/`group_right`. */
  readonly include: readonly string[];
}

/** `a + b`, `a > bool 3`, `a / on (x) group_left b`. */
export interface BinaryOpExpr {
  readonly kind: 'BinaryOp';
  readonly op: BinaryOp;
  readonly left: MetricExpr;
  readonly right: MetricExpr;
  /** `bool` modifier of a comparison. */
  readonly returnBool: boolean;
  /** `on`/`ignoring` (+ group modifiers), when written. */
  readonly matching?: VectorMatching;
}

/** A number literal (a scalar): `3`, `-1.5`, `0x1f`, `Inf`, `NaN`. */
export interface LiteralExpr {
  readonly kind: 'Literal';
  readonly value: number;
}

/** `vector(1)` */
export interface VectorExpr {
  readonly kind: 'Vector';
  readonly value: number;
}

/** `label_replace(expr, "dst", "replacement", "src", "regex")` */
export interface LabelReplaceExpr {
  readonly kind: 'LabelReplace';
  readonly inner: MetricExpr;
  readonly dst: string;
  readonly replacement: string;
  readonly src: string;
  readonly regex: string;
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/**
 * A syntax or validation error. `message` is exactly Loki's text (what the HTTP API returns with
 * status 400), e.g. `parse error at line 1, col 15: syntax error: unexpected $end, expecting STRING or ip`.
 * `line`/`col` are 1-based and 0 for validation errors that have no position.
 */
export class ParseError extends Error {
  override readonly name = 'ParseError';
  constructor(
    message: string,
    readonly line: number = 0,
    readonly col: number = 0,
  ) {
    super(message);
  }
}

/** Type guards for the top-level split. */
export function isLogQuery(e: Expr): e is LogQueryExpr {
  return e.kind === 'LogQuery';
}

export function isMetricQuery(e: Expr): e is MetricExpr {
  return e.kind !== 'LogQuery';
}
