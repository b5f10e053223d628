/**
 * What metric sub-expressions evaluate to: per series, one optional value per grid step.
 */
import type { Labels } from '@lode/store';

export interface StepSeries {
  readonly labels: Labels;
  readonly values: Float64Array;
  /** 1 where the series has a sample at that step. */
  readonly present: Uint8Array;
}

export type StepValue =
  | { readonly kind: 'vector'; readonly series: StepSeries[] }
  | { readonly kind: 'scalar'; readonly values: Float64Array };

export function newSeries(labels: Labels, count: number): StepSeries {
  return { labels, values: new Float64Array(count), present: new Uint8Array(count) };
}

export function scalarValue(count: number, v: number): StepValue {
  return { kind: 'scalar', values: new Float64Array(count).fill(v) };
}
