import type { Context } from 'koa';
import type { Ingester } from '../core/ingester.js';
import { mediaType, readBudgetedBody } from '../http/request.js';
import { exportLogs } from './export.js';
import { decodeOtlpJson, decodeOtlpProto } from './decode.js';
import { ExportLogsServiceResponse, RpcStatus } from './schema.js';

/** gRPC code numbers used in `google.rpc.Status` bodies. */
const GRPC_INVALID_ARGUMENT = 3;
const GRPC_UNAUTHENTICATED = 16;
const GRPC_PERMISSION_DENIED = 7;
const GRPC_RESOURCE_EXHAUSTED = 8;
const GRPC_UNAVAILABLE = 14;

function grpcCodeFor(status: number): number {
  if (status === 401) return GRPC_UNAUTHENTICATED;
  if (status === 403) return GRPC_PERMISSION_DENIED;
  if (status === 429) return GRPC_RESOURCE_EXHAUSTED;
  if (status >= 500) return GRPC_UNAVAILABLE;
  return GRPC_INVALID_ARGUMENT;
}

/** Sends a body in the request's encoding, as OTLP/HTTP requires. */
function send(ctx: Context, json: boolean, status: number, payload: Record<string, unknown>, type: typeof RpcStatus): void {
  ctx.status = status;
  if (json) {
    ctx.type = 'application/json';
    ctx.body = JSON.stringify(payload);
  } else {
    ctx.type = 'application/x-protobuf';
    ctx.body = Buffer.from(type.encode(type.fromObject(payload)).finish());
  }
}

function fail(ctx: Context, json: boolean, status: number, message: string, retryAfter?: number): void {
  if (retryAfter !== undefined) ctx.set('Retry-After', String(retryAfter));
  send(ctx, json, status, { code: grpcCodeFor(status), message }, RpcStatus);
}

/**
 * OTLP/HTTP logs (`POST /v1/logs` on 4318, `POST /otlp/v1/logs` on 3100): protobuf or JSON,
 * answered per the OTLP spec: 200 + ExportLogsServiceResponse (with `partialSuccess` when some
 * records were refused), 400 undecodable, 415 other types, 429/503 + Retry-After to retry.
 */
export function otlpHttpHandler(ingester: Ingester) {
  return async (ctx: Context): Promise<void> => {
    const type = mediaType(ctx.req);
    const json = type === 'application/json';
    if (!json && type !== 'application/x-protobuf') {
      ctx.req.resume();
      ctx.status = 415;
      ctx.type = 'text/plain; charset=utf-8';
      ctx.body = `unsupported content type "${type}": send application/x-protobuf or application/json\n`;
      return;
    }
    const t = ingester.tenant(ctx.req.headers, 'write');
    if (!t.ok) {
      ctx.req.resume();
      return fail(ctx, json, t.status, t.message);
    }
    const read = await readBudgetedBody(ingester, ctx.req);
    if (!read.ok) {
      ingester.metrics.requests.inc({ protocol: 'otlp_http', status: String(read.status) });
      return fail(ctx, json, read.status, read.message, read.retryAfter);
    }
    try {
      const body = read.body;
      const result = await exportLogs(ingester, t.tenant, () => (json ? decodeOtlpJson(body) : decodeOtlpProto(body)), 'otlp_http');
      switch (result.kind) {
        case 'invalid':
          ingester.metrics.requests.inc({ protocol: 'otlp_http', status: '400' });
          return fail(ctx, json, 400, result.message);
        case 'throttled':
          ingester.metrics.requests.inc({ protocol: 'otlp_http', status: '429' });
          return fail(ctx, json, 429, result.message, result.retryAfterSeconds);
        case 'unavailable':
          ingester.metrics.requests.inc({ protocol: 'otlp_http', status: '503' });
          return fail(ctx, json, 503, result.message, 1);
        case 'ok': {
          ingester.metrics.requests.inc({ protocol: 'otlp_http', status: '200' });
          const payload =
            result.rejected > 0
              ? { partialSuccess: { rejectedLogRecords: json ? String(result.rejected) : result.rejected, errorMessage: result.errorMessage } }
              : {};
          return send(ctx, json, 200, payload, ExportLogsServiceResponse);
        }
      }
    } finally {
      read.release();
    }
  };
}
