// Stream service: live tail. Grafana subscribes to `tail/<id>` with the query as data; RunStream follows
// lode's tail WebSocket and pushes each batch of lines as a log frame.
import WebSocket from 'ws';
import { streamsToLogsFrame } from '../shared/convert.js';
import type { LokiStream } from '../shared/loki.js';
import { frameToJson } from './frameJson.js';
import { authHeaders } from './lodeClient.js';
import { settingsFromContext, type LodeSettings } from './settings.js';

export interface TailRequest {
  expr: string;
  refId: string;
  limit: number;
}

export function parseTailRequest(path: string, data: Buffer): TailRequest {
  if (!path.startsWith('tail/')) throw new Error(`unknown stream path ${JSON.stringify(path)}: only tail/<id> is served`);
  let raw: Record<string, unknown> = {};
  if (data.length > 0) raw = JSON.parse(data.toString('utf8')) as Record<string, unknown>;
  const expr = typeof raw.expr === 'string' ? raw.expr.trim() : '';
  if (expr === '') throw new Error('live tail needs a log query in the subscription data ({"expr": "{app=\\"x\\"}"})');
  const limit = typeof raw.maxLines === 'number' && raw.maxLines > 0 ? Math.floor(raw.maxLines) : 100;
  return { expr, refId: typeof raw.refId === 'string' ? raw.refId : 'A', limit };
}

export function tailUrl(settings: LodeSettings, tail: TailRequest, startMs: number): string {
  const params = new URLSearchParams({ query: tail.expr, limit: String(tail.limit), start: `${startMs}000000` });
  return `${settings.url.replace(/^http/, 'ws')}/loki/api/v1/tail?${params.toString()}`;
}

/** Runs until lode closes the socket or Grafana cancels; `send` gets one JSON frame per tail message. */
export function runTail(
  pluginContext: Parameters<typeof settingsFromContext>[0],
  tail: TailRequest,
  send: (json: string) => void,
  onCancel: (stop: () => void) => void,
): Promise<void> {
  const settings = settingsFromContext(pluginContext);
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(tailUrl(settings, tail, Date.now()), { headers: authHeaders(settings), handshakeTimeout: settings.timeoutMs });
    onCancel(() => ws.close());
    ws.on('message', (raw) => {
      let msg: { streams?: LokiStream[] };
      try {
        msg = JSON.parse(raw.toString()) as { streams?: LokiStream[] };
      } catch {
        return;
      }
      if (!Array.isArray(msg.streams) || msg.streams.length === 0) return;
      send(frameToJson(streamsToLogsFrame(msg.streams, { refId: tail.refId, expr: tail.expr, direction: 'forward' })));
    });
    ws.on('error', (err) => reject(new Error(`live tail from ${settings.url} failed: ${err.message}`)));
    ws.on('close', () => resolve());
  });
}
