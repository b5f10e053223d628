import * as grpc from '@grpc/grpc-js';
import { parseListen, type ListenAddress } from '../core/listen.js';
import { sharedIngester } from '../core/shared.js';
import type { HeaderBag } from '../core/tenancy.js';
import type { Closable, IngestOptions } from '../core/types.js';
import { exportLogs } from './export.js';
import { decodeOtlpProto } from './decode.js';
import { ExportLogsServiceResponse } from './schema.js';

const EXPORT_PATH = '/opentelemetry.proto.collector.logs.v1.LogsService/Export';
const SHUTDOWN_GRACE_MS = 10_000;

const identity = (b: Buffer): Buffer => b;

function headersOf(metadata: grpc.Metadata): HeaderBag {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(metadata.getMap())) if (typeof v === 'string') out[k.toLowerCase()] = v;
  return out;
}

function statusFor(httpStatus: number): grpc.status {
  if (httpStatus === 401) return grpc.status.UNAUTHENTICATED;
  if (httpStatus === 403) return grpc.status.PERMISSION_DENIED;
  return grpc.status.INVALID_ARGUMENT;
}

/** Starts the OTLP/gRPC receiver (`LogsService/Export`, default port 4317). */
export async function startOtlpGrpc(opts: IngestOptions & { listen: string | ListenAddress }): Promise<Closable> {
  const ingester = sharedIngester(opts);
  const { host, port } = parseListen(opts.listen);
  const server = new grpc.Server({
    'grpc.max_receive_message_length': ingester.maxBodyBytes,
  });
  // Raw bytes in, so decoding errors become INVALID_ARGUMENT instead of a transport failure.
  const service: grpc.ServiceDefinition = {
    Export: {
      path: EXPORT_PATH,
      requestStream: false,
      responseStream: false,
      requestSerialize: identity,
      requestDeserialize: identity,
      responseSerialize: identity,
      responseDeserialize: identity,
    },
  };
  const handler: grpc.handleUnaryCall<Buffer, Buffer> = (call, callback) => {
    const t = ingester.tenant(headersOf(call.metadata), 'write');
    if (!t.ok) return callback({ code: statusFor(t.status), details: t.message });
    const body = call.request;
    if (!ingester.budget.tryAcquire(body.length)) {
      ingester.metrics.requests.inc({ protocol: 'otlp_grpc', status: 'RESOURCE_EXHAUSTED' });
      return callback({ code: grpc.status.RESOURCE_EXHAUSTED, details: 'server overloaded: too many bytes in flight, retry later' });
    }
    exportLogs(ingester, t.tenant, () => decodeOtlpProto(body), 'otlp_grpc')
      .then((result) => {
        const name = result.kind === 'ok' ? 'OK' : result.kind === 'invalid' ? 'INVALID_ARGUMENT' : result.kind === 'throttled' ? 'RESOURCE_EXHAUSTED' : 'UNAVAILABLE';
        ingester.metrics.requests.inc({ protocol: 'otlp_grpc', status: name });
        switch (result.kind) {
          case 'invalid':
            return callback({ code: grpc.status.INVALID_ARGUMENT, details: result.message });
          case 'throttled':
            return callback({ code: grpc.status.RESOURCE_EXHAUSTED, details: result.message });
          case 'unavailable':
            return callback({ code: grpc.status.UNAVAILABLE, details: result.message });
          case 'ok': {
            const payload = result.rejected > 0 ? { partialSuccess: { rejectedLogRecords: result.rejected, errorMessage: result.errorMessage } } : {};
            const msg = ExportLogsServiceResponse.encode(ExportLogsServiceResponse.fromObject(payload)).finish();
            return callback(null, Buffer.from(msg));
          }
        }
      })
      .catch((err: Error) => {
        ingester.logger.error({ err }, 'OTLP/gRPC export failed');
        callback({ code: grpc.status.INTERNAL, details: err.message });
      })
      .finally(() => ingester.budget.release(body.length));
  };
  server.addService(service, { Export: handler as grpc.UntypedHandleCall });
  const bound = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${host.includes(':') ? `[${host}]` : host}:${port}`, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p)));
  });
  return {
    address: `${host.includes(':') ? `[${host}]` : host}:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        const force = setTimeout(() => server.forceShutdown(), SHUTDOWN_GRACE_MS);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }),
  };
}
