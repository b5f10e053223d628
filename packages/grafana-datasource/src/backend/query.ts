// Data.QueryData: each Grafana query → one lode request → frames, errors per query (as Grafana expects).
import { lokiDataToFrames } from '../shared/convert.js';
import { parseQueryResponse } from '../shared/loki.js';
import { buildLokiRequest } from '../shared/request.js';
import type { LodeQueryModel, LodeQueryType } from '../shared/types.js';
import { frameToArrow } from './arrow.js';
import { LodeHttpError, lodeGetJson } from './lodeClient.js';
import type { DataQueryMsg, DataResponseMsg, QueryDataRequestMsg } from './messages.js';
import { settingsFromContext, type LodeSettings } from './settings.js';

const QUERY_TYPES: readonly string[] = ['logs', 'metrics', 'instant'];

/** The query JSON Grafana stores for a panel/alert rule, validated into our model. */
export function parseQueryModel(msg: DataQueryMsg): LodeQueryModel {
  let raw: Record<string, unknown> = {};
  if (msg.json && msg.json.length > 0) {
    const parsed: unknown = JSON.parse(msg.json.toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null) raw = parsed as Record<string, unknown>;
  }
  const qt = typeof raw.queryType === 'string' && QUERY_TYPES.includes(raw.queryType) ? raw.queryType : msg.queryType;
  return {
    refId: msg.refId,
    expr: typeof raw.expr === 'string' ? raw.expr : '',
    queryType: QUERY_TYPES.includes(qt) ? (qt as LodeQueryType) : undefined,
    legendFormat: typeof raw.legendFormat === 'string' ? raw.legendFormat : undefined,
    maxLines: typeof raw.maxLines === 'number' ? raw.maxLines : undefined,
    direction: raw.direction === 'forward' ? 'forward' : 'backward',
    step: typeof raw.step === 'string' && raw.step.trim() !== '' ? raw.step.trim() : undefined,
    supportingQueryType:
      raw.supportingQueryType === 'logsVolume' || raw.supportingQueryType === 'logsSample' || raw.supportingQueryType === 'dataSample'
        ? raw.supportingQueryType
        : undefined,
  };
}

export async function runQuery(settings: LodeSettings, msg: DataQueryMsg): Promise<DataResponseMsg> {
  try {
    const query = parseQueryModel(msg);
    const req = buildLokiRequest(query, {
      fromMs: Number(msg.timeRange?.fromEpochMS ?? 0),
      toMs: Number(msg.timeRange?.toEpochMS ?? Date.now()),
      intervalMs: Number(msg.intervalMS) || 0,
      maxDataPoints: Number(msg.maxDataPoints) || 0,
      defaultMaxLines: settings.maxLines,
    });
    const data = parseQueryResponse(await lodeGetJson(settings, req.path, req.params));
    const frames = lokiDataToFrames(data, {
      refId: msg.refId,
      expr: req.expr,
      direction: query.direction,
      legendFormat: query.legendFormat,
      stepMs: req.path === '/loki/api/v1/query_range' ? req.stepMs : undefined,
      supportingQueryType: query.supportingQueryType,
    });
    return { frames: frames.map((f) => Buffer.from(frameToArrow(f))) };
  } catch (err) {
    const status = err instanceof LodeHttpError ? err.status : 500;
    // 4xx from lode means the query is wrong (the user's to fix); anything else is on the way to lode.
    return { frames: [], error: (err as Error).message, status, errorSource: status >= 400 && status < 500 ? 'downstream' : 'plugin' };
  }
}

export async function queryData(req: QueryDataRequestMsg): Promise<{ responses: Record<string, DataResponseMsg> }> {
  const responses: Record<string, DataResponseMsg> = {};
  let settings: LodeSettings;
  try {
    settings = settingsFromContext(req.pluginContext);
  } catch (err) {
    for (const q of req.queries) responses[q.refId] = { frames: [], error: (err as Error).message, status: 400, errorSource: 'plugin' };
    return { responses };
  }
  const results = await Promise.all(req.queries.map((q) => runQuery(settings, q)));
  req.queries.forEach((q, i) => (responses[q.refId] = results[i]!));
  return { responses };
}
