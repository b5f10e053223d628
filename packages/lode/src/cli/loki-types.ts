/** The Loki query API response shapes the client commands read. */
export type Labels = Record<string, string>;

export interface StreamResult {
  stream: Labels;
  values: Array<[string, string, Record<string, unknown>?]>;
}

export interface VectorSample {
  metric: Labels;
  value: [number, string];
}

export interface MatrixSeries {
  metric: Labels;
  values: Array<[number, string]>;
}

export type QueryData =
  | { resultType: 'streams'; result: StreamResult[]; stats?: unknown }
  | { resultType: 'vector'; result: VectorSample[]; stats?: unknown }
  | { resultType: 'matrix'; result: MatrixSeries[]; stats?: unknown }
  | { resultType: 'scalar'; result: [number, string]; stats?: unknown };

/** One log line with its stream, as the commands print it. */
export interface Entry {
  ts: bigint;
  labels: Labels;
  line: string;
}

export function entriesOf(streams: StreamResult[]): Entry[] {
  const out: Entry[] = [];
  for (const s of streams) for (const [ts, line] of s.values) out.push({ ts: BigInt(ts), labels: s.stream, line });
  return out;
}
