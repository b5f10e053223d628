/**
 * Label-set helpers for the engine: identity keys, grouping (`by`/`without`), matching
 * signatures. Label sets are plain frozen-by-convention records, never mutated once built.
 */
import type { Labels } from '@lode/store';
import type { Grouping } from '../logql/ast.js';

export const ERROR_LABEL = '__error__';
export const ERROR_DETAILS_LABEL = '__error_details__';

const keyCache = new WeakMap<object, string>();

/**
 * A string that identifies a label set (names sorted). Cached per object: pipelines hand back the
 * same object for entries whose labels did not change, so the common case costs one lookup.
 */
export function labelsKey(labels: Labels): string {
  const cached = keyCache.get(labels);
  if (cached !== undefined) return cached;
  const names = Object.keys(labels);
  if (names.length > 1) names.sort();
  let key = '';
  for (const n of names) key += `${n}\u0000${labels[n]}\u0001`;
  keyCache.set(labels, key);
  return key;
}

/** Key of the subset of `labels` named in `names` (for `on (…)` / `by (…)` matching). */
export function keyOn(labels: Labels, names: readonly string[]): string {
  let key = '';
  for (const n of names) {
    const v = labels[n];
    if (v !== undefined && v !== '') key += `${n}\u0000${v}\u0001`;
  }
  return key;
}

/** Key of `labels` without the names in `names` (for `ignoring (…)` / `without (…)`). */
export function keyIgnoring(labels: Labels, names: ReadonlySet<string>): string {
  const all = Object.keys(labels).sort();
  let key = '';
  for (const n of all) if (!names.has(n)) key += `${n}\u0000${labels[n]}\u0001`;
  return key;
}

export function pickLabels(labels: Labels, names: readonly string[]): Labels {
  const out: Record<string, string> = {};
  for (const n of names) {
    const v = labels[n];
    if (v !== undefined && v !== '') out[n] = v;
  }
  return out;
}

export function omitLabels(labels: Labels, names: ReadonlySet<string>): Labels {
  const out: Record<string, string> = {};
  for (const n in labels) if (!names.has(n)) out[n] = labels[n] as string;
  return out;
}

/** The labels a `by (…)` / `without (…)` grouping keeps; `undefined` grouping keeps nothing. */
export function groupLabels(labels: Labels, grouping: Grouping | undefined): Labels {
  if (!grouping) return {};
  return grouping.without ? omitLabels(labels, new Set(grouping.labels)) : pickLabels(labels, grouping.labels);
}

/** A reusable `by`/`without` projection (the `without` set is built once). */
export function grouper(grouping: Grouping | undefined): (labels: Labels) => Labels {
  if (!grouping) return () => ({});
  if (grouping.without) {
    const names = new Set(grouping.labels);
    return (l) => omitLabels(l, names);
  }
  const names = grouping.labels;
  return (l) => pickLabels(l, names);
}

/** Label sets in Prometheus order (by names then values, pairwise). */
export function compareLabels(a: Labels, b: Labels): number {
  const an = Object.keys(a).sort();
  const bn = Object.keys(b).sort();
  const n = Math.min(an.length, bn.length);
  for (let i = 0; i < n; i++) {
    const x = an[i] as string;
    const y = bn[i] as string;
    if (x !== y) return x < y ? -1 : 1;
    const xv = a[x] as string;
    const yv = b[y] as string;
    if (xv !== yv) return xv < yv ? -1 : 1;
  }
  return an.length - bn.length;
}
