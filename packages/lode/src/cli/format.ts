/**
 * Rendering of query results in the four output modes:
 * default (time, labels, line; colourised on a TTY; metric results as an aligned table),
 * raw (the line only / the value only), jsonl (one JSON object per entry or sample) and
 * json (the whole result, as the server's `data`).
 */
import { colourFor, dim, paint } from './colour.js';
import { formatNs } from './time.js';
import type { Entry, Labels, MatrixSeries, VectorSample } from './loki-types.js';

export const OUTPUT_MODES = ['default', 'raw', 'jsonl', 'json'] as const;
export type OutputMode = (typeof OUTPUT_MODES)[number];

export const OUTPUT_HELP = `  -o, --output MODE default | raw | jsonl | json (default: default)
`;

/** `{a="1", b="2"}` with Go-style quoting, labels sorted by name. */
export function labelsText(labels: Labels): string {
  const parts = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`);
  return `{${parts.join(', ')}}`;
}

export class EntryPrinter {
  constructor(
    private readonly mode: Exclude<OutputMode, 'json'>,
    private readonly colour: boolean,
    private readonly out: NodeJS.WritableStream = process.stdout,
  ) {}

  print(e: Entry): void {
    this.out.write(this.render(e));
  }

  render(e: Entry): string {
    switch (this.mode) {
      case 'raw':
        return e.line + '\n';
      case 'jsonl':
        return JSON.stringify({ timestamp: formatNs(e.ts), ts: e.ts.toString(), labels: e.labels, line: e.line }) + '\n';
      default: {
        const labels = labelsText(e.labels);
        const time = formatNs(e.ts);
        return this.colour ? `${dim(time)} ${paint(labels, colourFor(labels))} ${e.line}\n` : `${time} ${labels} ${e.line}\n`;
      }
    }
  }
}

/** Left-aligned columns separated by two spaces; the header is bold on a TTY. */
export function table(header: string[], rows: string[][], colour: boolean): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const head = line(header);
  return [colour ? paint(head, 1) : head, ...rows.map(line)].join('\n') + '\n';
}

function labelColumns(metrics: Labels[]): string[] {
  return [...new Set(metrics.flatMap((m) => Object.keys(m)))].sort();
}

function secondsText(t: number): string {
  return formatNs(BigInt(Math.round(t * 1000)) * 1_000_000n);
}

export function vectorTable(samples: VectorSample[], colour: boolean): string {
  const cols = labelColumns(samples.map((s) => s.metric));
  const rows = samples.map((s) => [...cols.map((c) => s.metric[c] ?? ''), secondsText(s.value[0]), s.value[1]]);
  return table([...cols, 'TIME', 'VALUE'], rows, colour);
}

export function matrixTable(series: MatrixSeries[], colour: boolean): string {
  const cols = labelColumns(series.map((s) => s.metric));
  const rows: string[][] = [];
  for (const s of series) for (const [t, v] of s.values) rows.push([...cols.map((c) => s.metric[c] ?? ''), secondsText(t), v]);
  return table([...cols, 'TIME', 'VALUE'], rows, colour);
}

/** Samples one per line for jsonl/raw output of metric queries. */
export function samplesOf(series: MatrixSeries[] | VectorSample[]): Array<{ metric: Labels; time: number; value: string }> {
  const out: Array<{ metric: Labels; time: number; value: string }> = [];
  for (const s of series) {
    if ('value' in s) out.push({ metric: s.metric, time: s.value[0], value: s.value[1] });
    else for (const [t, v] of s.values) out.push({ metric: s.metric, time: t, value: v });
  }
  return out;
}
