// Frames → Grafana's JSON frame encoding ({schema, data}), used for Grafana Live stream packets.
import type { Frame } from '../shared/frame.js';

const MS = 1_000_000n;

export function frameToJson(frame: Frame): string {
  const nanos: Array<number[] | null> = [];
  const values = frame.fields.map((f, i) => {
    nanos[i] = null;
    if (f.type !== 'time') return f.values;
    // Milliseconds plus the sub-millisecond rest, as Grafana's JSON frames carry nanosecond times.
    nanos[i] = f.values.map((ns) => Number(ns % MS));
    return f.values.map((ns) => Number(ns / MS));
  });
  const fields = frame.fields.map((f) => ({
    name: f.name,
    type: f.type,
    ...(f.type === 'time' ? { typeInfo: { frame: 'time.Time' } } : {}),
    ...(f.labels ? { labels: f.labels } : {}),
    ...(f.config ? { config: f.config } : {}),
  }));
  const hasNanos = nanos.some((n) => n !== null && n.some((x) => x !== 0));
  return JSON.stringify({
    schema: { name: frame.name, refId: frame.refId, meta: frame.meta, fields },
    data: hasNanos ? { values, nanos } : { values },
  });
}
