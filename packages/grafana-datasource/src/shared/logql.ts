// LogQL text surgery on top of Grafana's LogQL grammar (@grafana/lezer-logql): adding label matchers, label
// filters and line filters where they belong, and taking log queries apart for Explore's extra panes.
import { parser } from '@grafana/lezer-logql';
import type { SyntaxNode } from '@lezer/common';

export type MatchOp = '=' | '!=' | '=~' | '!~';

/** A LogQL double-quoted string literal (Go escaping rules for `\` and `"`, newlines escaped). */
export function quoteString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** Escapes RE2 metacharacters so a literal value can sit inside `=~`. */
export function escapeRegex(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

interface LogPart {
  selector: SyntaxNode;
  /** The pipeline directly attached to this selector, if any. */
  pipeline: SyntaxNode | null;
  /** The range `[5m]` of a LogRangeExpr, if any. */
  range: SyntaxNode | null;
}

function children(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) out.push(c);
  return out;
}

/** Every log expression in the query (one per selector): its selector and pipeline. */
function logParts(expr: string): LogPart[] {
  const tree = parser.parse(expr);
  const parts: LogPart[] = [];
  tree.iterate({
    enter(ref) {
      if (ref.name !== 'LogExpr' && ref.name !== 'LogRangeExpr') return;
      const kids = children(ref.node);
      const selector = kids.find((k) => k.name === 'Selector');
      if (!selector) return;
      parts.push({
        selector,
        pipeline: kids.find((k) => k.name === 'PipelineExpr') ?? null,
        range: kids.find((k) => k.name === 'Range') ?? null,
      });
      return false;
    },
  });
  return parts;
}

/** True when the query has no syntax errors as far as the grammar can tell. */
export function isValidQuery(expr: string): boolean {
  let ok = true;
  parser.parse(expr).iterate({
    enter(ref) {
      if (ref.type.isError) ok = false;
    },
  });
  return ok && expr.trim() !== '';
}

/** A log query returns lines; anything wrapped in an aggregation returns samples. */
export function isLogsQuery(expr: string): boolean {
  const top = parser.parse(expr).topNode.firstChild?.firstChild;
  return top?.name === 'LogExpr';
}

interface Insertion {
  at: number;
  text: string;
}

function applyInsertions(expr: string, insertions: Insertion[]): string {
  let out = expr;
  for (const ins of [...insertions].sort((a, b) => b.at - a.at)) out = out.slice(0, ins.at) + ins.text + out.slice(ins.at);
  return out;
}

/** Adds `key op "value"` to every stream selector (for indexed labels). */
export function addStreamMatcher(expr: string, key: string, op: MatchOp, value: string): string {
  const matcher = `${key}${op}${quoteString(value)}`;
  const insertions = logParts(expr).map(({ selector }) => {
    const hasMatchers = selector.getChild('Matchers') !== null;
    return { at: selector.to - 1, text: hasMatchers ? `, ${matcher}` : matcher };
  });
  return applyInsertions(expr, insertions);
}

/** Adds a `| key op "value"` label filter at the end of every log pipeline (works for any kind of label). */
export function addLabelFilter(expr: string, key: string, op: MatchOp, value: string): string {
  const filter = ` | ${key}${op}${quoteString(value)}`;
  const insertions = logParts(expr).map(({ selector, pipeline }) => ({ at: (pipeline ?? selector).to, text: filter }));
  return applyInsertions(expr, insertions);
}

/** Adds a line filter (`|= "x"`, `!= "x"`) right after every selector's existing line filters. */
export function addLineFilter(expr: string, op: '|=' | '!=' | '|~' | '!~', value: string): string {
  const filter = ` ${op} ${quoteString(value)}`;
  const insertions = logParts(expr).map(({ selector, pipeline }) => {
    let at = selector.to;
    // Keep line filters together at the front of the pipeline, where lode can use them to skip chunks.
    if (pipeline) {
      const stages: SyntaxNode[] = [];
      pipeline.cursor().iterate((ref) => {
        if (ref.name === 'PipelineStage') {
          stages.push(ref.node);
          return false;
        }
        return undefined;
      });
      for (const stage of stages.sort((a, b) => a.from - b.from)) {
        if (stage.getChild('LineFilters') === null) break;
        at = stage.to;
      }
    }
    return { at, text: filter };
  });
  return applyInsertions(expr, insertions);
}

/** Adds a parser stage (`| json`, `| logfmt`) at the end of every pipeline. */
export function addParser(expr: string, parserName: 'json' | 'logfmt'): string {
  const insertions = logParts(expr).map(({ selector, pipeline }) => ({ at: (pipeline ?? selector).to, text: ` | ${parserName}` }));
  return applyInsertions(expr, insertions);
}

/** Matchers of the first selector as written, e.g. `{app="x", env=~"p.*"}`; undefined when there is none. */
export function firstSelector(expr: string): string | undefined {
  const part = logParts(expr)[0];
  return part ? expr.slice(part.selector.from, part.selector.to) : undefined;
}

/** The first log expression without its range: `rate({a="b"} |= "x" [5m])` → `{a="b"} |= "x"`. */
export function firstLogExpr(expr: string): string | undefined {
  const part = logParts(expr)[0];
  if (!part) return undefined;
  const end = part.pipeline ? part.pipeline.to : part.selector.to;
  return expr.slice(part.selector.from, end);
}

/** Label names used in the first selector's matchers. */
export function selectorLabelNames(expr: string): string[] {
  const part = logParts(expr)[0];
  if (!part) return [];
  const names: string[] = [];
  part.selector.cursor().iterate((ref) => {
    if (ref.name === 'Matcher') {
      const id = ref.node.getChild('Identifier');
      if (id) names.push(expr.slice(id.from, id.to));
      return false;
    }
    return undefined;
  });
  return names;
}

/** A selector matching exactly these labels, keys sorted. */
export function selectorFromLabels(labels: Record<string, string>): string {
  return `{${Object.keys(labels)
    .sort()
    .map((k) => `${k}=${quoteString(labels[k]!)}`)
    .join(', ')}}`;
}
