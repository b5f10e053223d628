/**
 * Parser label hints, as Loki gives them to the `json` and `logfmt` parsers of a metric query:
 * when the result depends only on some labels (the grouping of the range aggregation, or of an
 * enclosing `sum` pushed down into it, plus every label a stage or the unwrap reads), the parsers
 * extract only those keys and stop reading the line once all of them are found. Two visible
 * effects follow and are part of Loki's behaviour: of duplicate keys the first one counts, and an
 * error later in the line than the last required key is never seen.
 */
import type { LabelFilter, Stage, Unwrap } from '../logql/ast.js';

const EXTRACTED_SUFFIX = '_extracted';

/** What the metric query reads of a range aggregation's samples (see `parserHints`). */
export interface HintGrouping {
  /** The `by`/`without` labels in effect (the range aggregation's own, or a pushed-down `sum`'s). */
  readonly groups: readonly string[];
  readonly without: boolean;
  /** The grouping folds everything into one series (`sum(…)`, `by ()`, `absent_over_time`). */
  readonly noLabels: boolean;
}

/** The hints one pipeline runs with. */
export interface ParserHints {
  /** Parsers extract nothing (no label of the line can change the result). */
  readonly noLabels: boolean;
  /** Parsers extract only these names (after sanitising and `_extracted`); undefined = every key. */
  readonly required: ReadonlySet<string> | undefined;
}

export const NO_HINTS: ParserHints = { noLabels: false, required: undefined };

/**
 * The label names the stages (and the unwrap with its post filters) read, as Loki's
 * `RequiredLabelNames`; undefined when a template may read any label (`{{ . }}`, `$`, a `range`).
 */
export function requiredLabelNames(stages: readonly Stage[], unwrap?: Unwrap): string[] | undefined {
  const names: string[] = [];
  for (const s of stages) {
    switch (s.kind) {
      case 'LabelFilter':
        filterNames(s.filter, names);
        break;
      case 'LineFormat': {
        const fields = templateFields(s.template);
        if (!fields) return undefined;
        names.push(...fields);
        break;
      }
      case 'LabelFormat':
        for (const op of s.ops) {
          if (op.kind === 'Rename') {
            names.push(op.src);
            continue;
          }
          const fields = templateFields(op.template);
          if (!fields) return undefined;
          names.push(...fields);
        }
        break;
      default:
        break;
    }
  }
  if (unwrap) {
    names.push(unwrap.label);
    for (const f of unwrap.postFilters) filterNames(f, names);
  }
  return names;
}

function filterNames(f: LabelFilter, out: string[]): void {
  switch (f.kind) {
    case 'BinaryFilter':
      filterNames(f.left, out);
      filterNames(f.right, out);
      return;
    case 'StringFilter':
      out.push(f.matcher.name);
      return;
    default:
      out.push(f.name);
  }
}

/**
 * The fields (`.name`) a Go template reads, or undefined when it may read the whole label map:
 * a bare `.`, a variable or `range`/`with` over the data. Conservative: any dot in an action that
 * does not start a field name counts as a bare dot, and text in string literals may add names.
 */
function templateFields(template: string): string[] | undefined {
  const fields: string[] = [];
  for (const action of template.matchAll(/\{\{([\s\S]*?)\}\}/g)) {
    const body = action[1]!;
    if (/\$|\b(?:range|with|template|define|block)\b/.test(body)) return undefined;
    for (let i = body.indexOf('.'); i >= 0; i = body.indexOf('.', i + 1)) {
      const prev = i > 0 ? body.charCodeAt(i - 1) : 32;
      if (isWordChar(prev) || prev === 41 /* ) */) continue; // `.b` of `.a.b`, or a method-like suffix
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(body.slice(i + 1));
      if (!m) {
        if (/[0-9]/.test(body[i + 1] ?? '')) continue; // `.5`: a number
        return undefined;
      }
      fields.push(m[0]);
    }
  }
  return fields;
}

function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 34 || c === 39;
}

/**
 * Loki's rules (`NewParserHint`): the required names are the stages' names, the groups and the
 * unwrap label, each also without an `_extracted` suffix. A grouping into one series extracts
 * only the stages' names (nothing at all when there are none); `without` or no grouping extracts
 * every key; otherwise only the required names.
 */
export function parserHints(stages: readonly Stage[], unwrap: Unwrap | undefined, grouping: HintGrouping): ParserHints {
  const stageNames = requiredLabelNames(stages, unwrap);
  if (stageNames === undefined) return NO_HINTS;
  const required = new Set<string>();
  for (const n of [...stageNames, ...grouping.groups]) {
    required.add(n);
    if (n.endsWith(EXTRACTED_SUFFIX)) required.add(n.slice(0, -EXTRACTED_SUFFIX.length));
  }
  if (grouping.noLabels) return required.size > 0 ? { noLabels: false, required } : { noLabels: true, required: undefined };
  if (grouping.without || grouping.groups.length === 0) return NO_HINTS;
  return { noLabels: false, required };
}
