import * as grpc from '@grpc/grpc-js';

const Client = grpc.makeGenericClientConstructor(
  {
    Export: {
      path: '/opentelemetry.proto.collector.logs.v1.LogsService/Export',
      requestStream: false,
      responseStream: false,
      requestSerialize: (b: Buffer) => b,
      requestDeserialize: (b: Buffer) => b,
      responseSerialize: (b: Buffer) => b,
      responseDeserialize: (b: Buffer) => b,
    },
  },
  'LogsService',
);

type ExportFn = (body: Buffer, metadata: grpc.Metadata, cb: (e: grpc.ServiceError | null, r?: Buffer) => void) => void;

/** A raw-bytes OTLP/gRPC logs client: `export` sends an encoded request and resolves with the error or response. */
export function otlpGrpcClient(address: string) {
  const client = new Client(address, grpc.credentials.createInsecure());
  return {
    export(body: Uint8Array, headers: Record<string, string> = {}): Promise<{ err: grpc.ServiceError | null; res?: Buffer }> {
      const md = new grpc.Metadata();
      for (const [k, v] of Object.entries(headers)) md.set(k, v);
      return new Promise((resolve) => (client as unknown as { Export: ExportFn }).Export(Buffer.from(body), md, (err, res) => resolve({ err, res })));
    },
    close: () => client.close(),
  };
}
