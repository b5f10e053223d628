// Diagnostics.CheckHealth ("Save & test"): the instant query Grafana's Loki datasource uses, which must give 2.
import { parseQueryResponse } from '../shared/loki.js';
import { lodeGetJson } from './lodeClient.js';
import { HEALTH_ERROR, HEALTH_OK, type CheckHealthRequestMsg } from './messages.js';
import { settingsFromContext } from './settings.js';

export interface HealthResult {
  status: number;
  message: string;
  jsonDetails: Buffer;
}

const PROBE = 'vector(1)+vector(1)';

function sampleValue(data: ReturnType<typeof parseQueryResponse>): string | undefined {
  if (data.resultType === 'scalar') return data.result[1];
  if (data.resultType === 'vector') return data.result[0]?.value[1];
  return undefined;
}

export async function checkHealth(req: CheckHealthRequestMsg): Promise<HealthResult> {
  const fail = (message: string): HealthResult => ({ status: HEALTH_ERROR, message, jsonDetails: Buffer.alloc(0) });
  try {
    const settings = settingsFromContext(req.pluginContext);
    const params = new URLSearchParams({ query: PROBE, time: `${Date.now()}000000` });
    const value = sampleValue(parseQueryResponse(await lodeGetJson(settings, '/loki/api/v1/query', params)));
    if (value !== '2') return fail(`lode is reachable but answered ${PROBE} with ${JSON.stringify(value)} instead of 2`);
    const tenant = settings.tenant ? ` as tenant ${settings.tenant}` : '';
    return { status: HEALTH_OK, message: `Data source is working: lode at ${settings.url} answers queries${tenant}`, jsonDetails: Buffer.alloc(0) };
  } catch (err) {
    return fail((err as Error).message);
  }
}
