// Response shapes of Loki's HTTP query API (what lode answers, see API.md).

export type LokiLabels = Record<string, string>;

/** A value row: `[ns timestamp, line]`, or with categorize-labels `[ns, line, {structuredMetadata, parsed}]`. */
export type LokiStreamValue = [string, string] | [string, string, LokiEntryMetadata];
export interface LokiEntryMetadata {
  structuredMetadata?: LokiLabels;
  parsed?: LokiLabels;
}

export interface LokiStream {
  stream: LokiLabels;
  values: LokiStreamValue[];
}
export interface LokiMatrixSeries {
  metric: LokiLabels;
  values: Array<[number, string]>;
}
export interface LokiVectorSample {
  metric: LokiLabels;
  value: [number, string];
}

export type LokiQueryData =
  | { resultType: 'streams'; result: LokiStream[]; stats?: unknown; encodingFlags?: string[] }
  | { resultType: 'matrix'; result: LokiMatrixSeries[]; stats?: unknown }
  | { resultType: 'vector'; result: LokiVectorSample[]; stats?: unknown }
  | { resultType: 'scalar'; result: [number, string]; stats?: unknown };

export interface LokiQueryResponse {
  status: string;
  data: LokiQueryData;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Checks the envelope and resultType of a query response; throws a readable error for anything else. */
export function parseQueryResponse(body: unknown): LokiQueryData {
  if (!isRecord(body) || body.status !== 'success' || !isRecord(body.data)) {
    throw new Error(`unexpected response from lode: expected {"status":"success","data":…}, got ${JSON.stringify(body).slice(0, 200)}`);
  }
  const data = body.data;
  const kind = data.resultType;
  if (kind === 'scalar') {
    if (!Array.isArray(data.result)) throw new Error('unexpected response from lode: scalar result is not an array');
  } else if (kind === 'streams' || kind === 'matrix' || kind === 'vector') {
    if (!Array.isArray(data.result)) throw new Error(`unexpected response from lode: ${kind} result is not an array`);
  } else {
    throw new Error(`unexpected response from lode: unknown resultType ${JSON.stringify(kind)}`);
  }
  return data as unknown as LokiQueryData;
}
