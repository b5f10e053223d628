// A small, dependency-free data frame model following Grafana's frame conventions. The backend encodes it as
// Arrow (what Grafana's server decodes), the frontend uses it for live-tail rows.

export type FrameFieldType = 'time' | 'number' | 'string' | 'other';

export interface FrameFieldConfig {
  displayNameFromDS?: string;
  interval?: number;
  [key: string]: unknown;
}

interface FieldBase {
  name: string;
  labels?: Record<string, string>;
  config?: FrameFieldConfig;
}
/** Times are kept as unix nanoseconds so log timestamps keep their precision. */
export interface TimeField extends FieldBase { type: 'time'; values: bigint[] }
export interface NumberField extends FieldBase { type: 'number'; values: number[] }
export interface StringField extends FieldBase { type: 'string'; values: string[] }
/** JSON values (Grafana's `other`/json field type), e.g. the per-line labels of a log frame. */
export interface JsonField extends FieldBase { type: 'other'; values: unknown[] }
export type FrameField = TimeField | NumberField | StringField | JsonField;

/** Grafana's FrameMeta, as its JSON is spelled. */
export interface FrameMeta {
  type?: string;
  typeVersion?: [number, number];
  preferredVisualisationType?: string;
  executedQueryString?: string;
  custom?: Record<string, unknown>;
  notices?: Array<{ severity: 'info' | 'warning' | 'error'; text: string }>;
  [key: string]: unknown;
}

export interface Frame {
  name?: string;
  refId: string;
  meta?: FrameMeta;
  fields: FrameField[];
}

export function frameLength(frame: Frame): number {
  return frame.fields[0]?.values.length ?? 0;
}
