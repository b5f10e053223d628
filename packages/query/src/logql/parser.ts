/**
 * Hand-written recursive-descent LogQL parser accepting the language of Loki's `expr.y`, with
 * Pratt parsing for binary operators (`^` right-assoc highest, then `* / %`, `+ -`, comparisons,
 * `and unless`, `or`). Node-construction checks that Loki performs while parsing (parameters,
 * grouping, unwrap, literal folding) happen here; selector checks are in `validate.ts`.
 */
import type {
  BinaryOp,
  CompareOp,
  Expr,
  ExtractionParam,
  Grouping,
  LabelFilter,
  LabelFormatOp,
  LabelSelection,
  LineFilterOp,
  LineFilterValue,
  LogQueryExpr,
  LogRange,
  Matcher,
  MatchOp,
  MetricExpr,
  RangeAggregationOp,
  Stage,
  Unwrap,
  UnwrapConversion,
  VectorAggregationOp,
  VectorMatching,
} from './ast.js';
import { ParseError } from './ast.js';
import { formatPosError, Lexer, type Token } from './lexer.js';

const RANGE_OPS = new Set<string>([
  'rate', 'rate_counter', 'count_over_time', 'bytes_rate', 'bytes_over_time', 'absent_over_time',
  'sum_over_time', 'avg_over_time', 'min_over_time', 'max_over_time', 'stdvar_over_time',
  'stddev_over_time', 'quantile_over_time', 'first_over_time', 'last_over_time',
]);
const VECTOR_OPS = new Set<string>([
  'sum', 'avg', 'min', 'max', 'count', 'stddev', 'stdvar', 'topk', 'bottomk', 'sort', 'sort_desc',
  'approx_topk',
]);
const LINE_FILTER_OPS = new Set<string>(['|=', '!=', '|~', '!~', '|>', '!>']);
const PRECEDENCE: Readonly<Record<string, number>> = {
  or: 1, and: 2, unless: 2,
  '==': 3, '!=': 3, '>': 3, '>=': 3, '<': 3, '<=': 3,
  '+': 4, '-': 4, '*': 5, '/': 5, '%': 5, '^': 6,
};
const SET_OPS = new Set(['and', 'or', 'unless']);
/** Range aggregations that accept `by`/`without`. */
const GROUPABLE_RANGE_OPS = new Set([
  'avg_over_time', 'stddev_over_time', 'stdvar_over_time', 'quantile_over_time', 'max_over_time',
  'min_over_time', 'first_over_time', 'last_over_time',
]);
const UNWRAP_RANGE_OPS = new Set([
  'avg_over_time', 'sum_over_time', 'max_over_time', 'min_over_time', 'stddev_over_time',
  'stdvar_over_time', 'quantile_over_time', 'rate', 'rate_counter', 'absent_over_time',
  'first_over_time', 'last_over_time',
]);
const NO_UNWRAP_RANGE_OPS = new Set([
  'bytes_over_time', 'bytes_rate', 'count_over_time', 'rate', 'absent_over_time',
]);

/**
 * yacc lists the expected tokens only when there are at most four of them; where a binary
 * operator or a pipeline stage could follow, there are more, and the message lists none.
 */
const NOTHING: readonly string[] = [];
/** What may start a label filter (after `|` of an unwrap, `(`, `and`, `or`, `,`). */
const LABEL_FILTER_START = ['IDENTIFIER', '('];
const UNWRAP_START = ['IDENTIFIER', 'BYTES_CONV', 'DURATION_CONV', 'DURATION_SECONDS_CONV'];

/** Loki's input limit (`maxInputSize`), in bytes. */
const MAX_INPUT_SIZE = 5120;

/** Yacc's names for function tokens that are not in Loki's `tokens` map. */
function tokenName(t: Token): string {
  switch (t.type) {
    case 'KEYWORD':
      if (t.text === 'bytes' || t.text === 'duration' || t.text === 'duration_seconds') {
        return `${t.text.toUpperCase()}_CONV`;
      }
      return /^[a-z_]+$/.test(t.text) && (RANGE_OPS.has(t.text) || VECTOR_OPS.has(t.text) || t.text === 'vector')
        ? t.text.toUpperCase()
        : t.text;
    case 'EOF':
      return '$end';
    default:
      return t.type;
  }
}

/** A parse error at 0:0 as Loki raises from its node constructors. */
export function semanticError(msg: string): ParseError {
  return new ParseError(formatPosError(msg, 0, 0));
}

class Parser {
  private readonly lexer: Lexer;
  private readonly buf: Token[] = [];

  constructor(input: string) {
    this.lexer = new Lexer(input);
  }

  private peek(n = 0): Token {
    while (this.buf.length <= n) this.buf.push(this.lexer.next());
    return this.buf[n]!;
  }

  private take(): Token {
    const t = this.peek();
    this.buf.shift();
    return t;
  }

  private is(text: string, n = 0): boolean {
    const t = this.peek(n);
    return t.type === 'KEYWORD' && t.text === text;
  }

  private fail(t: Token, expected?: readonly string[]): never {
    let msg = `syntax error: unexpected ${tokenName(t)}`;
    if (expected && expected.length > 0) msg += `, expecting ${expected.join(' or ')}`;
    throw new ParseError(formatPosError(msg, t.line, t.col), t.line, t.col);
  }

  private expect(text: string, expected: readonly string[] = [text]): Token {
    if (!this.is(text)) this.fail(this.peek(), expected);
    return this.take();
  }

  private expectType(type: Token['type'], expected: readonly string[] = [type]): Token {
    if (this.peek().type !== type) this.fail(this.peek(), expected);
    return this.take();
  }

  parseRoot(): Expr {
    const e = this.parseExpr(0);
    if (this.peek().type !== 'EOF') this.fail(this.peek());
    return e;
  }

  // -------------------------------------------------------------------------------------------
  // Expressions
  // -------------------------------------------------------------------------------------------

  private parseExpr(minPrec: number): Expr {
    let left = this.parsePrimary();
    for (;;) {
      const t = this.peek();
      if (t.type !== 'KEYWORD') return left;
      const prec = PRECEDENCE[t.text];
      if (prec === undefined || prec <= minPrec) return left;
      this.take();
      const op = t.text as BinaryOp;
      const { returnBool, matching } = this.parseBinOpModifier();
      const right = this.parseExpr(op === '^' ? prec - 1 : prec);
      left = makeBinOp(op, left, right, returnBool, matching);
    }
  }

  private parseBinOpModifier(): { returnBool: boolean; matching?: VectorMatching } {
    const returnBool = this.is('bool');
    if (returnBool) this.take();
    if (!this.is('on') && !this.is('ignoring')) return { returnBool };
    const on = this.take().text === 'on';
    const labels = this.parseLabelList();
    let card: VectorMatching['card'] = 'one-to-one';
    let include: string[] = [];
    if (this.is('group_left') || this.is('group_right')) {
      card = this.take().text === 'group_left' ? 'many-to-one' : 'one-to-many';
      if (this.is('(')) include = this.parseLabelList();
    }
    if (!on && labels.length === 0 && card === 'one-to-one') return { returnBool };
    return { returnBool, matching: { on, labels, card, include } };
  }

  /** `( a, b )` or `()`. */
  private parseLabelList(): string[] {
    this.expect('(');
    const labels: string[] = [];
    if (this.is(')')) {
      this.take();
      return labels;
    }
    for (;;) {
      labels.push(this.expectType('IDENTIFIER', ['IDENTIFIER', ')']).value);
      if (this.is(',')) {
        this.take();
        labels.push(...this.parseLabelTail());
        return labels;
      }
      this.expect(')', [',', ')']);
      return labels;
    }
  }

  private parseLabelTail(): string[] {
    const labels: string[] = [];
    for (;;) {
      labels.push(this.expectType('IDENTIFIER').value);
      if (this.is(',')) {
        this.take();
        continue;
      }
      this.expect(')', [',', ')']);
      return labels;
    }
  }

  private parseGrouping(): Grouping {
    const without = this.take().text === 'without';
    return { without, labels: this.parseLabelList() };
  }

  private parsePrimary(): Expr {
    const t = this.peek();
    if (t.type === 'NUMBER') {
      this.take();
      return { kind: 'Literal', value: parseNumber(t.value, 'literal') };
    }
    if (t.type === 'KEYWORD') {
      if (t.text === '{') return this.parseLogQuery();
      if (t.text === '(') {
        this.take();
        const inner = this.parseExpr(0);
        this.expect(')', NOTHING);
        return inner;
      }
      if (t.text === '+' || t.text === '-') {
        this.take();
        const n = this.expectType('NUMBER');
        const v = parseNumber(n.value, 'literal');
        return { kind: 'Literal', value: t.text === '-' ? -v : v };
      }
      if (RANGE_OPS.has(t.text)) return this.parseRangeAggregation();
      if (VECTOR_OPS.has(t.text)) return this.parseVectorAggregation();
      if (t.text === 'vector') {
        this.take();
        this.expect('(');
        const n = this.expectType('NUMBER');
        this.expect(')');
        return { kind: 'Vector', value: parseNumber(n.value, 'vectorExpr') };
      }
      if (t.text === 'label_replace') return this.parseLabelReplace();
    }
    this.fail(t);
  }

  private parseMetricOperand(): MetricExpr {
    const e = this.parseExpr(0);
    if (e.kind === 'LogQuery') this.fail(this.peek());
    return e;
  }

  private parseRangeAggregation(): MetricExpr {
    const op = this.take().text as RangeAggregationOp;
    this.expect('(');
    let paramText: string | undefined;
    if (this.peek().type === 'NUMBER') {
      paramText = this.take().value;
      this.expect(',');
    }
    const range = this.parseLogRange(paramText === undefined ? ['NUMBER', '{', '('] : ['{', '(']);
    this.expect(')');
    let grouping: Grouping | undefined;
    if (this.is('by') || this.is('without')) grouping = this.parseGrouping();

    let param: number | undefined;
    if (paramText !== undefined) {
      if (op !== 'quantile_over_time') {
        throw semanticError(`parameter ${paramText} not supported for operation ${op}`);
      }
      param = parseNumber(paramText, 'parameter', op);
    } else if (op === 'quantile_over_time') {
      throw semanticError(`parameter required for operation ${op}`);
    }
    if (grouping && !GROUPABLE_RANGE_OPS.has(op)) {
      throw semanticError(`grouping not allowed for ${op} aggregation`);
    }
    if (range.unwrap ? !UNWRAP_RANGE_OPS.has(op) : !NO_UNWRAP_RANGE_OPS.has(op)) {
      throw semanticError(`invalid aggregation ${op} ${range.unwrap ? 'with' : 'without'} unwrap`);
    }
    return {
      kind: 'RangeAggregation',
      op,
      range,
      ...(param !== undefined ? { param } : {}),
      ...(grouping ? { grouping } : {}),
    };
  }

  private parseVectorAggregation(): MetricExpr {
    const op = this.take().text as VectorAggregationOp;
    let grouping: Grouping | undefined;
    if (this.is('by') || this.is('without')) grouping = this.parseGrouping();
    this.expect('(', grouping ? ['('] : ['(', 'by', 'without']);
    let paramText: string | undefined;
    if (this.peek().type === 'NUMBER' && this.is(',', 1)) {
      paramText = this.take().value;
      this.take();
    }
    const inner = this.parseMetricOperand();
    this.expect(')', NOTHING);
    if (!grouping && (this.is('by') || this.is('without'))) grouping = this.parseGrouping();

    let param: number | undefined;
    if (op === 'topk' || op === 'bottomk' || op === 'approx_topk') {
      if (paramText === undefined) throw semanticError(`parameter required for operation ${op}`);
      if (!/^[+-]?[0-9]+$/.test(paramText) || !Number.isSafeInteger(Number(paramText))) {
        throw semanticError(`invalid parameter ${op}(${paramText},`);
      }
      param = Number(paramText);
      if (param <= 0) throw semanticError(`invalid parameter (must be greater than 0) ${op}(${paramText}`);
      if (op === 'approx_topk' && grouping) {
        throw semanticError(`grouping not allowed for ${op} aggregation`);
      }
    } else if (paramText !== undefined) {
      throw semanticError(`unsupported parameter for operation ${op}(${paramText},`);
    }
    if ((op === 'sort' || op === 'sort_desc') && grouping && grouping.labels.length > 0) {
      throw semanticError("sort and sort_desc doesn't allow grouping by ");
    }
    // Loki treats a missing grouping and `by ()` alike for vector aggregations.
    if (grouping && !grouping.without && grouping.labels.length === 0) grouping = undefined;
    return {
      kind: 'VectorAggregation',
      op,
      inner,
      ...(param !== undefined ? { param } : {}),
      ...(grouping ? { grouping } : {}),
    };
  }

  private parseLabelReplace(): MetricExpr {
    this.take();
    this.expect('(');
    const inner = this.parseMetricOperand();
    const args: string[] = [];
    for (let i = 0; i < 4; i++) {
      this.expect(',', i === 0 ? NOTHING : [',']);
      args.push(this.expectType('STRING').value);
    }
    this.expect(')');
    const [dst, replacement, src, regex] = args as [string, string, string, string];
    return { kind: 'LabelReplace', inner, dst, replacement, src, regex };
  }

  // -------------------------------------------------------------------------------------------
  // Log selection
  // -------------------------------------------------------------------------------------------

  private parseLogQuery(): LogQueryExpr {
    const matchers = this.parseSelector();
    const pipeline = this.parseStages();
    // `| unwrap` belongs to range aggregations only; yacc rejects the `unwrap` after the `|`.
    if (this.is('|') && this.is('unwrap', 1)) this.fail(this.peek(1));
    return { kind: 'LogQuery', matchers, pipeline };
  }

  private parseSelector(expected: readonly string[] = ['{']): Matcher[] {
    this.expect('{', expected);
    const matchers: Matcher[] = [];
    if (this.is('}')) {
      this.take();
      return matchers;
    }
    for (;;) {
      if (this.peek().type !== 'IDENTIFIER') this.fail(this.peek(), matchers.length ? ['IDENTIFIER'] : ['IDENTIFIER', '}']);
      matchers.push(this.parseMatcher());
      if (this.is(',')) {
        this.take();
        continue;
      }
      this.expect('}', ['}', ',']);
      return matchers;
    }
  }

  /** `name op "value"`, the current token being the name. */
  private parseMatcher(): Matcher {
    const name = this.take().value;
    const t = this.peek();
    if (t.type !== 'KEYWORD' || !['=', '!=', '=~', '!~'].includes(t.text)) {
      this.fail(t, ['=', '=~', '!~', '!=']);
    }
    this.take();
    const value = this.expectType('STRING').value;
    return { name, op: t.text as MatchOp, value };
  }

  /** Pipeline stages up to (not including) `| unwrap`, a range, or anything else. */
  private parseStages(): Stage[] {
    const stages: Stage[] = [];
    for (;;) {
      const t = this.peek();
      if (t.type !== 'KEYWORD') return stages;
      if (LINE_FILTER_OPS.has(t.text)) {
        stages.push(...this.parseLineFilter());
      } else if (t.text === '|' && !this.is('unwrap', 1)) {
        this.take();
        stages.push(this.parseStage());
      } else {
        return stages;
      }
    }
  }

  /** A line filter with its `or` chain; negative chains become one stage per value, as in Loki. */
  private parseLineFilter(): Stage[] {
    const op = this.take().text as LineFilterOp;
    const values = [this.parseLineFilterValue()];
    while (this.is('or')) {
      this.take();
      values.push(this.parseLineFilterValue());
    }
    if (op === '|=' || op === '|~' || op === '|>' || values.length === 1) {
      return [{ kind: 'LineFilter', op, values }];
    }
    return values.map((v) => ({ kind: 'LineFilter', op, values: [v] }));
  }

  private parseLineFilterValue(): LineFilterValue {
    if (this.is('ip')) {
      this.take();
      this.expect('(');
      const value = this.expectType('STRING').value;
      this.expect(')');
      return { kind: 'Ip', value };
    }
    return { kind: 'String', value: this.expectType('STRING', ['STRING', 'ip']).value };
  }

  private parseStage(): Stage {
    const t = this.peek();
    if (t.type === 'IDENTIFIER' || this.is('(')) return { kind: 'LabelFilter', filter: this.parseLabelFilter(0) };
    if (t.type !== 'KEYWORD') this.fail(t);
    switch (t.text) {
      case 'json':
        this.take();
        return { kind: 'JsonParser', params: this.parseExtractionParams() };
      case 'logfmt': {
        this.take();
        let strict = false;
        let keepEmpty = false;
        while (this.peek().type === 'PARSER_FLAG') {
          if (this.take().value === '--strict') strict = true;
          else keepEmpty = true;
        }
        return { kind: 'LogfmtParser', strict, keepEmpty, params: this.parseExtractionParams() };
      }
      case 'regexp':
        this.take();
        return { kind: 'RegexpParser', regex: this.expectType('STRING').value };
      case 'pattern':
        this.take();
        return { kind: 'PatternParser', pattern: this.expectType('STRING').value };
      case 'unpack':
        this.take();
        return { kind: 'UnpackParser' };
      case 'line_format':
        this.take();
        return { kind: 'LineFormat', template: this.expectType('STRING').value };
      case 'label_format':
        this.take();
        return { kind: 'LabelFormat', ops: this.parseLabelFormatOps() };
      case 'decolorize':
        this.take();
        return { kind: 'Decolorize' };
      case 'drop':
        this.take();
        return { kind: 'Drop', labels: this.parseLabelSelections() };
      case 'keep':
        this.take();
        return { kind: 'Keep', labels: this.parseLabelSelections() };
      default:
        this.fail(t);
    }
  }

  /** `a="path", b` (possibly empty for a bare `| json` / `| logfmt`). */
  private parseExtractionParams(): ExtractionParam[] {
    const params: ExtractionParam[] = [];
    if (this.peek().type !== 'IDENTIFIER') return params;
    for (;;) {
      const label = this.expectType('IDENTIFIER').value;
      let expr = label;
      if (this.is('=')) {
        this.take();
        expr = this.expectType('STRING').value;
      }
      params.push({ label, expr });
      if (!this.is(',')) return params;
      this.take();
    }
  }

  private parseLabelFormatOps(): LabelFormatOp[] {
    const ops: LabelFormatOp[] = [];
    for (;;) {
      const dst = this.expectType('IDENTIFIER').value;
      this.expect('=');
      const v = this.peek();
      if (v.type === 'IDENTIFIER') {
        this.take();
        ops.push({ kind: 'Rename', dst, src: v.value });
      } else if (v.type === 'STRING') {
        this.take();
        ops.push({ kind: 'Template', dst, template: v.value });
      } else {
        this.fail(v, ['IDENTIFIER', 'STRING']);
      }
      if (!this.is(',')) return ops;
      this.take();
    }
  }

  private parseLabelSelections(): LabelSelection[] {
    const out: LabelSelection[] = [];
    for (;;) {
      const t = this.peek();
      if (t.type !== 'IDENTIFIER') this.fail(t, ['IDENTIFIER']);
      const next = this.peek(1);
      if (next.type === 'KEYWORD' && ['=', '!=', '=~', '!~'].includes(next.text)) {
        out.push({ kind: 'Matcher', matcher: this.parseMatcher() });
      } else {
        out.push({ kind: 'Name', name: this.take().value });
      }
      if (!this.is(',')) return out;
      this.take();
    }
  }

  /**
   * Label filter expression. `and` binds tighter than `or`; `,` and juxtaposition are `and`s
   * that, like yacc's default shift in Loki's grammar, take everything to their right.
   */
  private parseLabelFilter(minPrec: number): LabelFilter {
    let left = this.parseLabelFilterPrimary();
    for (;;) {
      const t = this.peek();
      if (this.is(',') || t.type === 'IDENTIFIER' || this.is('(')) {
        if (this.is(',')) this.take();
        const right = this.parseLabelFilter(0);
        left = { kind: 'BinaryFilter', op: 'and', left, right };
        continue;
      }
      const prec = this.is('or') ? 1 : this.is('and') ? 2 : 0;
      if (prec === 0 || prec <= minPrec) return left;
      const op = this.take().text as 'and' | 'or';
      const right = this.parseLabelFilter(prec);
      left = { kind: 'BinaryFilter', op, left, right };
    }
  }

  private parseLabelFilterPrimary(): LabelFilter {
    if (this.is('(')) {
      this.take();
      const inner = this.parseLabelFilter(0);
      this.expect(')', NOTHING);
      return inner;
    }
    const nameTok = this.expectType('IDENTIFIER', LABEL_FILTER_START);
    const name = nameTok.value;
    const opTok = this.peek();
    const ops = ['=', '!=', '=~', '!~', '==', '>', '>=', '<', '<='];
    if (opTok.type !== 'KEYWORD' || !ops.includes(opTok.text)) this.fail(opTok);
    this.take();
    const op = opTok.text;
    const v = this.peek();
    if (v.type === 'STRING' && (op === '=' || op === '!=' || op === '=~' || op === '!~')) {
      this.take();
      return { kind: 'StringFilter', matcher: { name, op: op as MatchOp, value: v.value } };
    }
    if (op === '=~' || op === '!~') this.fail(v, ['STRING']);
    if (this.is('ip') && (op === '=' || op === '!=')) {
      this.take();
      this.expect('(');
      const pattern = this.expectType('STRING').value;
      this.expect(')');
      return { kind: 'IpFilter', name, op, pattern };
    }
    const cmp = (op === '=' ? '==' : op) as CompareOp;
    if (v.type === 'DURATION') {
      this.take();
      return { kind: 'DurationFilter', name, op: cmp, value: v.duration! };
    }
    if (v.type === 'BYTES') {
      this.take();
      return { kind: 'BytesFilter', name, op: cmp, value: v.bytes! };
    }
    // The value could be a STRING, ip(…), DURATION, BYTES, NUMBER or a signed NUMBER: yacc lists none.
    let sign = 1;
    let expected = NOTHING;
    if (this.is('+') || this.is('-')) {
      sign = this.take().text === '-' ? -1 : 1;
      expected = ['NUMBER'];
    }
    const n = this.expectType('NUMBER', expected);
    return { kind: 'NumericFilter', name, op: cmp, value: sign * parseNumber(n.value, 'literal') };
  }

  /**
   * The log selection of a range aggregation, in any of the orders Loki accepts. `expected` is
   * what yacc lists when the selection does not start with `{` or `(`.
   */
  private parseLogRange(expected: readonly string[]): LogRange {
    if (!this.is('(')) {
      const matchers = this.parseSelector(expected);
      if (this.peek().type === 'RANGE') return this.finishRangeFirst(matchers);
      const pipeline = this.parseStages();
      const unwrap = this.parseUnwrap();
      return this.finishRange(matchers, pipeline, unwrap, unwrap ? ['RANGE', '|'] : NOTHING);
    }
    this.take();
    if (this.is('(')) {
      const inner = this.parseLogRange(['{', '(']);
      this.expect(')');
      return inner;
    }
    const matchers = this.parseSelector(['{', '(']);
    if (this.peek().type === 'RANGE') {
      // `({…}[5m] | …)`: a range-first log range in parentheses.
      const r = this.finishRangeFirst(matchers);
      this.expect(')');
      return r;
    }
    const pipeline = this.parseStages();
    const unwrap = this.parseUnwrap();
    if (this.peek().type === 'RANGE') {
      // `({…} | … [5m])`: a whole log range in parentheses.
      const r = this.finishRange(matchers, pipeline, unwrap, NOTHING);
      this.expect(')');
      return r;
    }
    this.expect(')', unwrap ? ['RANGE', ')', '|'] : NOTHING);
    return this.finishRange(matchers, pipeline, unwrap, ['RANGE']);
  }

  /** `{…}[5m] offset 1h | … | unwrap …`, the current token being the range. */
  private finishRangeFirst(matchers: Matcher[]): LogRange {
    const range = this.take().duration!;
    const offset = this.parseOffset();
    const pipeline = this.parseStages();
    const unwrap = this.parseUnwrap();
    return makeRange(matchers, pipeline, unwrap, range, offset);
  }

  private finishRange(
    matchers: Matcher[],
    pipeline: Stage[],
    unwrap: Unwrap | undefined,
    expected: readonly string[],
  ): LogRange {
    const range = this.expectType('RANGE', expected).duration!;
    return makeRange(matchers, pipeline, unwrap, range, this.parseOffset());
  }

  private parseOffset(): bigint {
    if (!this.is('offset')) return 0n;
    this.take();
    return this.expectType('DURATION').duration!;
  }

  private parseUnwrap(): Unwrap | undefined {
    if (!(this.is('|') && this.is('unwrap', 1))) return undefined;
    this.take();
    this.take();
    let conversion: UnwrapConversion = '';
    let label: string;
    const t = this.peek();
    if (t.type === 'KEYWORD' && (t.text === 'bytes' || t.text === 'duration' || t.text === 'duration_seconds')) {
      this.take();
      conversion = t.text;
      this.expect('(');
      label = this.expectType('IDENTIFIER').value;
      this.expect(')');
    } else {
      label = this.expectType('IDENTIFIER', UNWRAP_START).value;
    }
    // After an unwrap only label filters may follow a `|`.
    const postFilters: LabelFilter[] = [];
    while (this.is('|')) {
      this.take();
      postFilters.push(this.parseLabelFilter(0));
    }
    return { label, conversion, postFilters };
  }
}

function makeRange(
  matchers: Matcher[],
  pipeline: Stage[],
  unwrap: Unwrap | undefined,
  range: bigint,
  offset: bigint,
): LogRange {
  return { matchers, pipeline, ...(unwrap ? { unwrap } : {}), range, offset };
}

/** Go's strconv.ParseFloat over a NUMBER token (no `0b`/`0o`/plain-hex ints), with Loki's error texts. */
function parseNumber(text: string, what: 'literal' | 'vectorExpr' | 'parameter', op?: string): number {
  let v = NaN;
  if (/^([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(text)) v = Number(text);
  else if (/^0[xX]([0-9a-fA-F]*\.?[0-9a-fA-F]*)[pP][+-]?[0-9]+$/.test(text)) v = parseHexFloat(text);
  if (Number.isNaN(v)) {
    const err = `strconv.ParseFloat: parsing ${JSON.stringify(text)}: invalid syntax`;
    if (what === 'parameter') throw semanticError(`invalid parameter for operation ${op}: ${err}`);
    throw semanticError(`unable to parse ${what} as a float: ${err}`);
  }
  return v;
}

function parseHexFloat(text: string): number {
  const m = /^0[xX]([0-9a-fA-F]*)\.?([0-9a-fA-F]*)[pP]([+-]?[0-9]+)$/.exec(text)!;
  const int = m[1] ?? '';
  const frac = m[2] ?? '';
  if (int === '' && frac === '') return NaN;
  const mant = Number.parseInt(int + frac || '0', 16);
  return mant * 2 ** (Number(m[3]) - 4 * frac.length);
}

function makeBinOp(
  op: BinaryOp,
  l: Expr,
  r: Expr,
  returnBool: boolean,
  matching: VectorMatching | undefined,
): MetricExpr {
  if (l.kind === 'LogQuery') {
    throw semanticError(`unexpected type for left leg of binary operation (${op}): ${goTypeName(l)}`);
  }
  if (r.kind === 'LogQuery') {
    throw semanticError(`unexpected type for right leg of binary operation (${op}): ${goTypeName(r)}`);
  }
  if (SET_OPS.has(op)) {
    if (l.kind === 'Literal') {
      throw semanticError(`unexpected literal for left leg of logical/set binary operation (${op}): ${goFixed(l.value)}`);
    }
    if (r.kind === 'Literal') {
      throw semanticError(`unexpected literal for right leg of logical/set binary operation (${op}): ${goFixed(r.value)}`);
    }
  }
  if (l.kind === 'Literal' && r.kind === 'Literal') {
    return { kind: 'Literal', value: foldLiterals(op, l.value, r.value) };
  }
  return { kind: 'BinaryOp', op, left: l, right: r, returnBool, ...(matching ? { matching } : {}) };
}

function goTypeName(e: LogQueryExpr): string {
  return e.pipeline.length === 0 ? '*syntax.MatchersExpr' : '*syntax.PipelineExpr';
}

/** Go's `%f`. */
function goFixed(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  return v.toFixed(6);
}

/** Loki reduces `literal op literal` at parse time (`MergeBinOp` without filtering). */
export function foldLiterals(op: BinaryOp, a: number, b: number): number {
  switch (op) {
    case '+': return a + b;
    case '-': return a - b;
    case '*': return a * b;
    case '/': return b === 0 ? NaN : a / b;
    case '%': return b === 0 ? NaN : a % b;
    case '^': return Math.pow(a, b);
    case '==': return a === b ? 1 : 0;
    case '!=': return a !== b ? 1 : 0;
    case '>': return a > b ? 1 : 0;
    case '>=': return a >= b ? 1 : 0;
    case '<': return a < b ? 1 : 0;
    case '<=': return a <= b ? 1 : 0;
    default: return NaN;
  }
}

/** Parses LogQL syntax (no selector validation; see `parseExpr` in validate.ts). */
export function parseSyntax(input: string): Expr {
  const size = Buffer.byteLength(input, 'utf8');
  if (size >= MAX_INPUT_SIZE) {
    throw semanticError(`input size too long (${size} > ${MAX_INPUT_SIZE})`);
  }
  return new Parser(input).parseRoot();
}
