// The gRPC server Grafana talks to: health, go-plugin control, and the pluginv2 Data/Diagnostics/Resource/Stream services.
import * as grpc from '@grpc/grpc-js';
import { services } from './grpcDefs.js';
import { checkHealth } from './health.js';
import { log } from './log.js';
import type { CallResourceRequestMsg, CheckHealthRequestMsg, QueryDataRequestMsg, StreamRequestMsg } from './messages.js';
import { queryData } from './query.js';
import { callResource } from './resources.js';
import { parseTailRequest, runTail } from './tail.js';

const SERVING = 1;
const SERVICE_UNKNOWN = 3;
const SUBSCRIBE_OK = 0;
const SUBSCRIBE_NOT_FOUND = 1;
const PUBLISH_PERMISSION_DENIED = 2;

type Unary<Req, Res> = grpc.handleUnaryCall<Req, Res>;

/** Wraps an async handler so a thrown error becomes a gRPC INTERNAL status instead of a crash. */
function unary<Req, Res>(fn: (req: Req) => Promise<Res> | Res): Unary<Req, Res> {
  return (call, callback) => {
    Promise.resolve()
      .then(() => fn(call.request))
      .then(
        (res) => callback(null, res),
        (err: Error) => {
          log('error', 'request failed', { error: err.message });
          callback({ code: grpc.status.INTERNAL, details: err.message });
        },
      );
  };
}

export interface PluginServer {
  server: grpc.Server;
  port: number;
  /** Resolves when Grafana asked the plugin to stop (GRPCController.Shutdown). */
  shutdownRequested: Promise<void>;
}

export async function startServer(host: string, ports: number[]): Promise<PluginServer> {
  const server = new grpc.Server({ 'grpc.max_receive_message_length': 64 * 1024 * 1024, 'grpc.max_send_message_length': 256 * 1024 * 1024 });
  let requestShutdown!: () => void;
  const shutdownRequested = new Promise<void>((resolve) => (requestShutdown = resolve));
  const stdioStreams = new Set<grpc.ServerWritableStream<unknown, unknown>>();

  server.addService(services.Health.service, {
    Check: unary((req: { service: string }) => ({ status: req.service === '' || req.service === 'plugin' ? SERVING : SERVICE_UNKNOWN })),
  });
  server.addService(services.GRPCController.service, {
    Shutdown: unary(() => {
      setImmediate(requestShutdown);
      return {};
    }),
  });
  server.addService(services.GRPCStdio.service, {
    // Nothing is mirrored (logs already go to stderr, which go-plugin reads); the stream stays open until shutdown.
    StreamStdio: (call: grpc.ServerWritableStream<unknown, unknown>) => {
      stdioStreams.add(call);
      call.on('cancelled', () => stdioStreams.delete(call));
    },
  });
  server.addService(services.Data.service, { QueryData: unary((req: QueryDataRequestMsg) => queryData(req)) });
  server.addService(services.Diagnostics.service, {
    CheckHealth: unary((req: CheckHealthRequestMsg) => checkHealth(req)),
    CollectMetrics: unary(() => ({ metrics: { prometheus: Buffer.alloc(0) } })),
  });
  server.addService(services.Resource.service, {
    CallResource: (call: grpc.ServerWritableStream<CallResourceRequestMsg, unknown>) => {
      callResource(call.request).then(
        (res) => {
          call.write(res);
          call.end();
        },
        (err: Error) => call.destroy(Object.assign(new Error(err.message), { code: grpc.status.INTERNAL })),
      );
    },
  });
  server.addService(services.Stream.service, {
    SubscribeStream: unary((req: StreamRequestMsg) => {
      try {
        parseTailRequest(req.path, req.data);
        return { status: SUBSCRIBE_OK, data: Buffer.alloc(0) };
      } catch (err) {
        log('warn', 'stream subscription refused', { path: req.path, error: (err as Error).message });
        return { status: SUBSCRIBE_NOT_FOUND, data: Buffer.alloc(0) };
      }
    }),
    PublishStream: unary(() => ({ status: PUBLISH_PERMISSION_DENIED, data: Buffer.alloc(0) })),
    RunStream: (call: grpc.ServerWritableStream<StreamRequestMsg, unknown>) => {
      let tail;
      try {
        tail = parseTailRequest(call.request.path, call.request.data);
      } catch (err) {
        call.destroy(Object.assign(new Error((err as Error).message), { code: grpc.status.INVALID_ARGUMENT }));
        return;
      }
      runTail(call.request.pluginContext, tail, (json) => call.write({ data: Buffer.from(json) }), (stop) => call.on('cancelled', stop)).then(
        () => call.end(),
        (err: Error) => {
          log('error', 'live tail ended', { error: err.message });
          call.destroy(Object.assign(new Error(err.message), { code: grpc.status.UNAVAILABLE }));
        },
      );
    },
  });

  let lastError: Error | undefined;
  for (const candidate of ports) {
    try {
      const port = await new Promise<number>((resolve, reject) =>
        server.bindAsync(`${host}:${candidate}`, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
      );
      shutdownRequested.then(() => stdioStreams.forEach((s) => s.end()));
      return { server, port, shutdownRequested };
    } catch (err) {
      lastError = err as Error;
    }
  }
  throw new Error(`cannot listen on ${host} (ports ${ports[0]}…${ports[ports.length - 1]}): ${lastError?.message}`);
}
