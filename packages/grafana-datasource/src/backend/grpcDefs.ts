// Builds grpc-js service definitions from the proto texts in protos.ts (no files needed at run time).
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import protobuf from 'protobufjs';
import { GO_PLUGIN_PROTO, HEALTH_PROTO, PLUGINV2_PROTO } from './protos.js';

/** int64 as strings (no precision loss), enums as numbers, defaults filled so absent fields read as zero values. */
export const LOADER_OPTIONS: protoLoader.Options = { keepCase: true, longs: String, enums: Number, defaults: true, oneofs: true };

function load(source: string): grpc.GrpcObject {
  const root = protobuf.parse(source, { keepCase: true }).root;
  return grpc.loadPackageDefinition(protoLoader.fromJSON(root.toJSON(), LOADER_OPTIONS));
}

type ServiceCtor = grpc.ServiceClientConstructor;

function service(pkg: grpc.GrpcObject, path: string): ServiceCtor {
  let node: unknown = pkg;
  for (const part of path.split('.')) node = (node as Record<string, unknown>)[part];
  if (typeof node !== 'function') throw new Error(`proto service ${path} missing`);
  return node as ServiceCtor;
}

const pluginv2 = load(PLUGINV2_PROTO);
const health = load(HEALTH_PROTO);
const goPlugin = load(GO_PLUGIN_PROTO);

export const services = {
  Data: service(pluginv2, 'pluginv2.Data'),
  Diagnostics: service(pluginv2, 'pluginv2.Diagnostics'),
  Resource: service(pluginv2, 'pluginv2.Resource'),
  Stream: service(pluginv2, 'pluginv2.Stream'),
  Health: service(health, 'grpc.health.v1.Health'),
  GRPCController: service(goPlugin, 'plugin.GRPCController'),
  GRPCStdio: service(goPlugin, 'plugin.GRPCStdio'),
};
