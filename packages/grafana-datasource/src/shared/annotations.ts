// Annotations from log queries: each log line becomes one event. Typed structurally on Grafana's DataFrame so
// it is testable without @grafana/data.

interface FieldLike {
  name: string;
  /** Grafana's FieldType value (`'time'`, `'string'`, …). */
  type: string;
  values: ArrayLike<unknown>;
}
export interface FrameLike {
  fields: readonly FieldLike[];
  length: number;
}
export interface LogAnnotation {
  time: number;
  text: string;
  tags: string[];
  color?: string;
}

/** Each log line is one annotation: its time, its line as text, its labels as `key:value` tags. */
export function framesToAnnotations(frames: readonly FrameLike[], iconColor?: string): LogAnnotation[] {
  const events: LogAnnotation[] = [];
  for (const frame of frames) {
    const time = frame.fields.find((f) => f.type === 'time');
    const body = frame.fields.find((f) => f.name === 'body') ?? frame.fields.find((f) => f.type === 'string');
    const labels = frame.fields.find((f) => f.name === 'labels');
    if (!time || !body) continue;
    for (let i = 0; i < frame.length; i++) {
      const l = (labels?.values[i] ?? {}) as Record<string, string>;
      events.push({ time: Number(time.values[i]), text: String(body.values[i]), tags: Object.entries(l).map(([k, v]) => `${k}:${v}`), color: iconColor });
    }
  }
  return events;
}
