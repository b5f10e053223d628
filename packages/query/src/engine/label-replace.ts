/**
 * `label_replace(v, dst, replacement, src, regex)` with Prometheus' semantics: the anchored regex
 * is matched against `src`'s value; on a match `dst` becomes the expanded replacement (an empty
 * result removes `dst`); series that don't match pass unchanged.
 */
import type { Labels } from '@lode/store';
import type { LabelReplaceExpr } from '../logql/ast.js';
import { expandGoTemplate } from '../pipeline/go-expand.js';
import { errors } from './errors.js';
import { labelsKey } from './labels.js';
import { newSeries, type StepSeries } from './series.js';

/** `re` is `compileLabelReplaceRegex(expr.regex)`, compiled before the inner expression runs. */
export function labelReplace(expr: LabelReplaceExpr, re: RegExp, input: StepSeries[], steps: number): StepSeries[] {
  const out = new Map<string, StepSeries>();
  const owned = new Set<StepSeries>();
  for (const s of input) {
    const labels = replaceLabels(s.labels, expr, re);
    const key = labelsKey(labels);
    const existing = out.get(key);
    if (!existing) {
      out.set(key, labels === s.labels ? s : { labels, values: s.values, present: s.present });
      continue;
    }
    // Two series that now share a label set may not both have a sample at the same step.
    const merged = owned.has(existing) ? existing : copyOf(existing, steps);
    owned.add(merged);
    for (let i = 0; i < steps; i++) {
      if (!s.present[i]) continue;
      if (merged.present[i]) throw errors.sameLabelSet();
      merged.values[i] = s.values[i] as number;
      merged.present[i] = 1;
    }
    out.set(key, merged);
  }
  return [...out.values()];
}

function copyOf(s: StepSeries, steps: number): StepSeries {
  const c = newSeries(s.labels, steps);
  c.values.set(s.values);
  c.present.set(s.present);
  return c;
}

function replaceLabels(labels: Labels, expr: LabelReplaceExpr, re: RegExp): Labels {
  const m = re.exec(labels[expr.src] ?? '');
  if (!m) return labels;
  const value = expandGoTemplate(expr.replacement, m);
  const out: Record<string, string> = { ...labels };
  if (value === '') delete out[expr.dst];
  else out[expr.dst] = value;
  return out;
}
