// Loki query results → data frames: log results become one dataplane `log-lines` frame, metric results
// become `timeseries-multi` frames (one per series), which is what Grafana's panels and alerting read.
import type { Frame, FrameMeta, JsonField, NumberField, StringField, TimeField } from './frame.js';
import { fnv1a, labelsToString, renderLegend } from './labels.js';
import type { LokiLabels, LokiQueryData, LokiStream } from './loki.js';
import { detectLevel } from './severity.js';
import type { LodeDirection, LodeQueryModel } from './types.js';

export interface ConvertOptions {
  refId: string;
  /** The executed expression (after macro expansion). */
  expr: string;
  direction?: LodeDirection;
  legendFormat?: string;
  stepMs?: number;
  supportingQueryType?: LodeQueryModel['supportingQueryType'];
}

interface Row {
  ts: bigint;
  line: string;
  labels: LokiLabels;
  labelsKey: string;
}

/** Labels of one entry: the stream's, plus structured metadata and parsed labels when they were sent apart. */
function entryLabels(stream: LokiStream, meta: unknown): LokiLabels {
  if (typeof meta !== 'object' || meta === null) return stream.stream;
  const { structuredMetadata, parsed } = meta as { structuredMetadata?: LokiLabels; parsed?: LokiLabels };
  if (!structuredMetadata && !parsed) return stream.stream;
  return { ...stream.stream, ...structuredMetadata, ...parsed };
}

function parseNs(text: unknown): bigint {
  if (typeof text !== 'string' || !/^\d+$/.test(text)) {
    throw new Error(`unexpected response from lode: log timestamp ${JSON.stringify(text)} is not a nanosecond integer string`);
  }
  return BigInt(text);
}

/** One log-lines frame for every stream together, sorted by time in the query's direction. */
export function streamsToLogsFrame(streams: LokiStream[], opts: ConvertOptions): Frame {
  const rows: Row[] = [];
  for (const stream of streams) {
    const streamKey = labelsToString(stream.stream);
    for (const value of stream.values) {
      const labels = entryLabels(stream, value[2]);
      rows.push({ ts: parseNs(value[0]), line: String(value[1]), labels, labelsKey: labels === stream.stream ? streamKey : labelsToString(labels) });
    }
  }
  const forward = opts.direction === 'forward';
  // Stable sort keeps lode's order among equal timestamps.
  rows.sort((a, b) => (a.ts === b.ts ? 0 : (a.ts < b.ts) === forward ? -1 : 1));

  const n = rows.length;
  const timestamp: TimeField = { name: 'timestamp', type: 'time', values: new Array<bigint>(n) };
  const body: StringField = { name: 'body', type: 'string', values: new Array<string>(n) };
  const severity: StringField = { name: 'severity', type: 'string', values: new Array<string>(n) };
  const id: StringField = { name: 'id', type: 'string', values: new Array<string>(n) };
  const labels: JsonField = { name: 'labels', type: 'other', values: new Array<unknown>(n) };
  // Identical (time, stream, line) rows are legal; a counter keeps their ids unique within the response.
  const seen = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const row = rows[i]!;
    const base = `${row.ts}_${fnv1a(row.line, Number.parseInt(fnv1a(row.labelsKey), 16))}`;
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    timestamp.values[i] = row.ts;
    body.values[i] = row.line;
    severity.values[i] = detectLevel(row.labels, row.line);
    id.values[i] = count === 0 ? base : `${base}_${count}`;
    labels.values[i] = row.labels;
  }
  const meta: FrameMeta = {
    type: 'log-lines',
    typeVersion: [0, 0],
    preferredVisualisationType: 'logs',
    executedQueryString: `Expr: ${opts.expr}`,
  };
  return { refId: opts.refId, meta, fields: [timestamp, body, severity, id, labels] };
}

/** Grafana's log volume reads the level from a `level` label; lode's histogram query groups by `detected_level`. */
function volumeLabels(labels: LokiLabels): LokiLabels {
  if (labels.level !== undefined || labels.detected_level === undefined) return labels;
  const { detected_level: level, ...rest } = labels;
  return { ...rest, level };
}

function seriesFrame(labels: LokiLabels, points: Array<[number, string]>, opts: ConvertOptions, meta: FrameMeta): Frame {
  const shown = opts.supportingQueryType === 'logsVolume' ? volumeLabels(labels) : labels;
  const time: TimeField = { name: 'Time', type: 'time', values: new Array<bigint>(points.length) };
  const value: NumberField = { name: 'Value', type: 'number', values: new Array<number>(points.length), labels: shown };
  for (let i = 0; i < points.length; i++) {
    const [t, v] = points[i]!;
    // Seconds with up to millisecond decimals; rounding to ms avoids float noise in the ns value.
    time.values[i] = BigInt(Math.round(Number(t) * 1000)) * 1_000_000n;
    value.values[i] = parseSampleValue(v);
  }
  if (opts.stepMs) time.config = { interval: opts.stepMs };
  const name = opts.legendFormat ? renderLegend(opts.legendFormat, shown) : labelsToString(shown);
  if (opts.legendFormat) value.config = { displayNameFromDS: name };
  return { name, refId: opts.refId, meta, fields: [time, value] };
}

/** Loki formats values like Go's FormatFloat, with `NaN`, `+Inf`, `-Inf`. */
export function parseSampleValue(text: string): number {
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}

export function lokiDataToFrames(data: LokiQueryData, opts: ConvertOptions): Frame[] {
  const metricMeta: FrameMeta = { type: 'timeseries-multi', typeVersion: [0, 1], executedQueryString: `Expr: ${opts.expr}` };
  if (opts.stepMs) metricMeta.executedQueryString += `\nStep: ${opts.stepMs / 1000}s`;
  switch (data.resultType) {
    case 'streams':
      return [streamsToLogsFrame(data.result, opts)];
    case 'matrix':
      return data.result.map((s) => seriesFrame(s.metric, s.values, opts, metricMeta));
    case 'vector':
      return data.result.map((s) => seriesFrame(s.metric, [s.value], opts, metricMeta));
    case 'scalar':
      return [seriesFrame({}, [data.result], opts, metricMeta)];
  }
}
