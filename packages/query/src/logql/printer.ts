/**
 * Renders an AST back to LogQL in the single-line canonical form of Loki's `String()` methods
 * (what `/loki/api/v1/format_query` is built from). `parseExpr(formatExpr(e))` deep-equals `e`.
 * Deliberate difference: bytes literals print as exact byte counts (`5000B`) where Loki's
 * humanized form (`5.0kB`) would round.
 */
import type {
  Expr,
  Grouping,
  LabelFilter,
  LineFilterValue,
  LogRange,
  Matcher,
  Stage,
  Unwrap,
} from './ast.js';
import { formatGoDuration, formatPromDuration } from './durations.js';
import { formatGoFloat, formatGoFloatF, goQuote } from './goformat.js';

export function formatExpr(e: Expr): string {
  switch (e.kind) {
    case 'LogQuery':
      return formatLogSelection(e.matchers, e.pipeline);
    case 'RangeAggregation': {
      const param = e.param !== undefined ? `${formatGoFloatF(e.param)},` : '';
      const grouping = e.grouping ? formatGrouping(e.grouping) : '';
      return `${e.op}(${param}${formatLogRange(e.range)})${grouping}`;
    }
    case 'VectorAggregation': {
      const grouping = e.grouping ? formatGrouping(e.grouping) : '';
      const param = e.param !== undefined ? `${e.param},` : '';
      return `${e.op}${grouping}(${param}${formatExpr(e.inner)})`;
    }
    case 'BinaryOp': {
      let op: string = e.op;
      if (e.returnBool) op += ' bool';
      const m = e.matching;
      if (m) {
        op += ` ${m.on ? 'on' : 'ignoring'} (${m.labels.join(',')})`;
        if (m.card !== 'one-to-one') {
          op += ` ${m.card === 'many-to-one' ? 'group_left' : 'group_right'}`;
          if (m.include.length > 0) op += ` (${m.include.join(',')})`;
        }
      }
      return `(${formatExpr(e.left)} ${op} ${formatExpr(e.right)})`;
    }
    case 'Literal':
      return formatLiteral(e.value);
    case 'Vector':
      return `vector(${e.value.toFixed(6)})`;
    case 'LabelReplace':
      return `label_replace(${formatExpr(e.inner)},${[e.dst, e.replacement, e.src, e.regex].map(goQuote).join(',')})`;
  }
}

/**
 * Loki prints `%v` of the float; NaN and ±Inf (from folded `0/0`, `2^1024`) are not valid LogQL
 * tokens, so they are written as constant expressions that fold back to the same value.
 */
function formatLiteral(v: number): string {
  if (Number.isNaN(v)) return '(0 / 0)';
  if (v === Infinity) return '(2 ^ 1024)';
  if (v === -Infinity) return '(-1 * 2 ^ 1024)';
  return formatGoFloat(v);
}

export function formatMatchers(matchers: readonly Matcher[]): string {
  return `{${matchers.map(formatMatcher).join(', ')}}`;
}

function formatMatcher(m: Matcher): string {
  return `${m.name}${m.op}${goQuote(m.value)}`;
}

function formatLogSelection(matchers: readonly Matcher[], pipeline: readonly Stage[]): string {
  const sel = formatMatchers(matchers);
  return pipeline.length === 0 ? sel : `${sel} ${pipeline.map(formatStage).join(' ')}`;
}

function formatLogRange(r: LogRange): string {
  let s = formatLogSelection(r.matchers, r.pipeline);
  if (r.unwrap) s += formatUnwrap(r.unwrap);
  s += `[${formatPromDuration(r.range)}]`;
  if (r.offset !== 0n) s += ` offset ${formatGoDuration(r.offset)}`;
  return s;
}

function formatUnwrap(u: Unwrap): string {
  let s = u.conversion ? ` | unwrap ${u.conversion}(${u.label})` : ` | unwrap ${u.label}`;
  for (const f of u.postFilters) s += ` | ${formatLabelFilter(f)}`;
  return s;
}

function formatGrouping(g: Grouping): string {
  return ` ${g.without ? 'without' : 'by'} (${g.labels.join(',')})`;
}

function formatFilterValue(v: LineFilterValue): string {
  return v.kind === 'Ip' ? `ip(${goQuote(v.value)})` : goQuote(v.value);
}

/** One stage as Loki prints it; also the text Loki puts in `stage '…' : error` messages. */
export function formatStage(s: Stage): string {
  switch (s.kind) {
    case 'LineFilter':
      return `${s.op} ${s.values.map(formatFilterValue).join(' or ')}`;
    case 'JsonParser':
      return s.params.length === 0 ? '| json' : `| json ${formatParams(s.params)}`;
    case 'LogfmtParser': {
      let out = '| logfmt';
      if (s.strict) out += ' --strict';
      if (s.keepEmpty) out += ' --keep-empty';
      return s.params.length === 0 ? out : `${out} ${formatParams(s.params)}`;
    }
    case 'RegexpParser':
      return `| regexp ${goQuote(s.regex)}`;
    case 'PatternParser':
      return `| pattern ${goQuote(s.pattern)}`;
    case 'UnpackParser':
      return '| unpack';
    case 'LabelFilter':
      return `| ${formatLabelFilter(s.filter)}`;
    case 'LineFormat':
      return `| line_format ${goQuote(s.template)}`;
    case 'LabelFormat':
      return `| label_format ${s.ops
        .map((o) => (o.kind === 'Rename' ? `${o.dst}=${o.src}` : `${o.dst}=${goQuote(o.template)}`))
        .join(',')}`;
    case 'Drop':
    case 'Keep':
      return `| ${s.kind === 'Drop' ? 'drop' : 'keep'} ${s.labels
        .map((l) => (l.kind === 'Name' ? l.name : formatMatcher(l.matcher)))
        .join(',')}`;
    case 'Decolorize':
      return '| decolorize';
  }
}

function formatParams(params: readonly { label: string; expr: string }[]): string {
  return params.map((p) => `${p.label}=${goQuote(p.expr)}`).join(',');
}

export function formatLabelFilter(f: LabelFilter): string {
  switch (f.kind) {
    case 'StringFilter':
      return formatMatcher(f.matcher);
    case 'NumericFilter':
      return `${f.name}${f.op}${formatGoFloatF(f.value)}`;
    case 'DurationFilter':
      return `${f.name}${f.op}${formatGoDuration(f.value)}`;
    case 'BytesFilter':
      return `${f.name}${f.op}${f.value}B`;
    case 'IpFilter':
      return `${f.name}${f.op}ip(${goQuote(f.pattern)})`;
    case 'BinaryFilter':
      return `( ${formatLabelFilter(f.left)} ${f.op === 'and' ? ',' : 'or'} ${formatLabelFilter(f.right)} )`;
  }
}

