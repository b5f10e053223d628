// What the LogQL editor needs from the grammar: highlight spans, and what to complete at the cursor.
import { parser } from '@grafana/lezer-logql';

export type TokenClass = 'label' | 'string' | 'number' | 'operator' | 'keyword' | 'function' | 'comment' | 'error';

export interface Token {
  from: number;
  to: number;
  cls: TokenClass;
}

const OPERATORS = new Set(['Eq', 'Neq', 'Re', 'Nre', 'Pipe', 'PipeExact', 'PipeMatch', 'PipePattern', 'Npa', 'Gtr', 'Gte', 'Lss', 'Lte', 'Eql', 'Add', 'Sub', 'Mul', 'Div', 'Mod', 'Pow', 'And', 'Or', 'Unless']);
const NUMBERS = new Set(['Number', 'Duration', 'Bytes']);
const KEYWORDS = new Set(['Json', 'Logfmt', 'Regexp', 'Pattern', 'Unpack', 'LineFormat', 'LabelFormat', 'Unwrap', 'Drop', 'Keep', 'Decolorize', 'By', 'Without', 'Bool', 'On', 'Ignoring', 'GroupLeft', 'GroupRight', 'Offset', 'Ip']);
const FUNCTION_PARENTS = new Set(['RangeOp', 'VectorOp', 'ConvOp', 'LabelReplace', 'Vector']);

/** Leaf tokens worth colouring, in order. Unclassified text stays plain. */
export function highlightTokens(expr: string): Token[] {
  const tokens: Token[] = [];
  parser.parse(expr).iterate({
    enter(ref) {
      const name = ref.name;
      let cls: TokenClass | undefined;
      if (ref.type.isError) cls = 'error';
      else if (name === 'String') cls = 'string';
      else if (NUMBERS.has(name)) cls = 'number';
      else if (name === 'LineComment') cls = 'comment';
      else if (OPERATORS.has(name) || name === 'Filter') cls = 'operator';
      else if (KEYWORDS.has(name)) cls = 'keyword';
      else if (FUNCTION_PARENTS.has(ref.node.parent?.name ?? '') && !ref.node.firstChild) cls = 'function';
      else if (name === 'Identifier' && ref.node.parent?.name === 'Matcher') cls = 'label';
      if (!cls) return undefined;
      if (ref.to > ref.from) tokens.push({ from: ref.from, to: ref.to, cls });
      // Error recovery often inserts an empty error node: mark the character there (or the last one) instead.
      else if (cls === 'error' && expr.length > 0) {
        const at = Math.min(ref.from, expr.length - 1);
        tokens.push({ from: at, to: at + 1, cls });
      }
      return false;
    },
  });
  return tokens;
}

export type CompletionContext =
  | { kind: 'labelName'; prefix: string; otherMatchers: string }
  | { kind: 'labelValue'; label: string; prefix: string; otherMatchers: string }
  | { kind: 'pipeline'; prefix: string }
  | { kind: 'function'; prefix: string }
  | { kind: 'none' };

export const PIPELINE_STAGES = ['json', 'logfmt', 'regexp', 'pattern', 'unpack', 'line_format', 'label_format', 'drop', 'keep', 'decolorize', 'unwrap'];
export const FUNCTIONS = [
  'rate', 'count_over_time', 'bytes_rate', 'bytes_over_time', 'absent_over_time', 'rate_counter', 'sum_over_time', 'avg_over_time',
  'min_over_time', 'max_over_time', 'stdvar_over_time', 'stddev_over_time', 'quantile_over_time', 'first_over_time', 'last_over_time',
  'sum', 'avg', 'min', 'max', 'count', 'stddev', 'stdvar', 'topk', 'bottomk', 'sort', 'sort_desc', 'label_replace', 'vector',
];

/** Complete matchers already typed in the open selector, to narrow label/value suggestions. */
function matchersBefore(inside: string): string {
  const done = inside.match(/[A-Za-z_][A-Za-z0-9_]*\s*(?:=~|!~|!=|=)\s*"(?:[^"\\]|\\.)*"/g) ?? [];
  return done.length ? `{${done.join(',')}}` : '';
}

/** What the word under the cursor is, judged from the text before it. */
export function completionContext(textBeforeCursor: string): CompletionContext {
  const open = textBeforeCursor.lastIndexOf('{');
  const close = textBeforeCursor.lastIndexOf('}');
  if (open > close) {
    const inside = textBeforeCursor.slice(open + 1);
    const value = /([A-Za-z_][A-Za-z0-9_]*)\s*(?:=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)$/.exec(inside);
    if (value) return { kind: 'labelValue', label: value[1]!, prefix: value[2]!, otherMatchers: matchersBefore(inside.slice(0, value.index)) };
    const name = /(?:^|,)\s*([A-Za-z_][A-Za-z0-9_]*)?$/.exec(inside);
    if (name) return { kind: 'labelName', prefix: name[1] ?? '', otherMatchers: matchersBefore(inside) };
    return { kind: 'none' };
  }
  const stage = /\|\s*([a-z_]*)$/.exec(textBeforeCursor);
  if (stage && !/[|!]=\s*$/.test(textBeforeCursor)) return { kind: 'pipeline', prefix: stage[1]! };
  const fn = /(?:^|[\s(])([a-z_]+)$/.exec(textBeforeCursor);
  if (fn) return { kind: 'function', prefix: fn[1]! };
  return { kind: 'none' };
}
