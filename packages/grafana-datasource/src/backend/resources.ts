// Resource.CallResource: a read-only proxy from the editor to lode's metadata endpoints, so the browser never
// needs lode's address or key.
import { lodeFetch } from './lodeClient.js';
import type { CallResourceRequestMsg, CallResourceResponseMsg } from './messages.js';
import { settingsFromContext } from './settings.js';

// Paths under /loki/api/v1/ that the editor and variables need; anything else is refused.
const ALLOWED = [
  /^labels$/,
  /^label\/[^/]+\/values$/,
  /^series$/,
  /^index\/(stats|volume|volume_range)$/,
  /^detected_fields$/,
  /^detected_field\/[^/]+\/values$/,
  /^detected_labels$/,
  /^patterns$/,
  /^format_query$/,
  /^query$/,
  /^query_range$/,
  /^status\/buildinfo$/,
];

function reply(code: number, body: string | Buffer, contentType = 'text/plain; charset=utf-8'): CallResourceResponseMsg {
  return { code, headers: { 'Content-Type': { values: [contentType] } }, body: typeof body === 'string' ? Buffer.from(body) : body };
}

export async function callResource(req: CallResourceRequestMsg): Promise<CallResourceResponseMsg> {
  const path = req.path.replace(/^\/+/, '');
  if (!ALLOWED.some((re) => re.test(path))) {
    return reply(404, `unknown resource ${JSON.stringify(path)}: supported are labels, label/<name>/values, series, index/*, detected_*, patterns, format_query, query, query_range`);
  }
  const method = (req.method || 'GET').toUpperCase();
  if (method !== 'GET' && method !== 'POST') return reply(405, `method ${method} not allowed: resources are read-only`);
  try {
    const settings = settingsFromContext(req.pluginContext);
    const q = req.url.indexOf('?');
    const search = q >= 0 ? req.url.slice(q) : '';
    const contentType = req.headers['Content-Type']?.values[0] ?? req.headers['content-type']?.values[0];
    const res = await lodeFetch(settings, `/loki/api/v1/${path}${search}`, {
      method,
      body: method === 'POST' && req.body.length > 0 ? req.body : undefined,
      contentType: method === 'POST' ? contentType : undefined,
    });
    return reply(res.status, res.body, res.contentType || 'application/json');
  } catch (err) {
    return reply(502, (err as Error).message);
  }
}
