import type { Context } from 'koa';
import { DecodeError, type DecodedPush } from '../core/decoded.js';
import type { Ingester } from '../core/ingester.js';
import type { IngestProtocol } from '../core/types.js';
import { snappyBlock } from '../http/body.js';
import { mediaType, readBudgetedBody } from '../http/request.js';
import { decodeLokiJson, decodeLokiProto } from './decode.js';

function plain(ctx: Context, status: number, message: string, retryAfter?: number): void {
  ctx.status = status;
  if (retryAfter !== undefined) ctx.set('Retry-After', String(retryAfter));
  ctx.type = 'text/plain; charset=utf-8';
  ctx.body = `${message}\n`;
}

/**
 * `POST /loki/api/v1/push`: JSON (`application/json`) or snappy-block protobuf (no type or
 * `application/x-protobuf`), answered as Loki answers: 204, or plain-text 4xx/5xx.
 */
export function lokiPushHandler(ingester: Ingester) {
  return async (ctx: Context): Promise<void> => {
    const t = ingester.tenant(ctx.req.headers, 'write');
    if (!t.ok) {
      ctx.req.resume();
      return plain(ctx, t.status, t.message);
    }
    const type = mediaType(ctx.req);
    const json = type === 'application/json';
    if (!json && type !== '' && type !== 'application/x-protobuf') {
      ctx.req.resume();
      return plain(ctx, 415, `unsupported content type: ${type}`);
    }
    const read = await readBudgetedBody(ingester, ctx.req, { snappyIsPayload: !json });
    if (!read.ok) {
      ingester.metrics.requests.inc({ protocol: json ? 'loki_json' : 'loki_protobuf', status: String(read.status) });
      return plain(ctx, read.status, read.message, read.retryAfter);
    }
    const protocol: IngestProtocol = json ? 'loki_json' : 'loki_protobuf';
    try {
      let decoded: DecodedPush | undefined;
      try {
        // A protobuf push is always a snappy block; Content-Encoding (if any) was undone already.
        decoded = json ? decodeLokiJson(read.body) : decodeLokiProto(await snappyBlock(read.body, ingester.maxBodyBytes));
      } catch (e) {
        if (e instanceof DecodeError) {
          ingester.metrics.requests.inc({ protocol, status: '400' });
          return plain(ctx, 400, e.message);
        }
        const status = (e as { status?: number }).status;
        if (status === 400 || status === 413) {
          ingester.metrics.requests.inc({ protocol, status: String(status) });
          return plain(ctx, status, (e as Error).message);
        }
        throw e;
      }
      const pushing = ingester.push(t.tenant, decoded.streams, protocol, decoded.rejected);
      // Not kept while the WAL syncs: the entries can then die young (see Ingester.pushInner).
      decoded = undefined;
      const outcome = await pushing;
      ingester.metrics.requests.inc({ protocol, status: String(outcome.status) });
      if (outcome.status === 204) {
        ctx.status = 204;
        return;
      }
      plain(ctx, outcome.status, outcome.message, outcome.retryAfterSeconds);
    } catch (e) {
      ingester.logger.error({ err: e, tenant: t.tenant, protocol }, 'push failed');
      ingester.metrics.requests.inc({ protocol, status: '500' });
      plain(ctx, 500, `push failed: ${(e as Error).message}`);
    } finally {
      read.release();
    }
  };
}
