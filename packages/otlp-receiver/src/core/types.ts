import type { LimitsFor, LogStore } from '@lode/store';
import type { Registry } from 'prom-client';

/** The subset of a pino logger ingest uses, so any pino instance (or child) can be passed. */
export interface IngestLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export type ApiKeyRole = 'write' | 'read' | 'admin';

/** A bearer token: `Authorization: Bearer <key>` acts as `tenant` with `role`. */
export interface ApiKey {
  key: string;
  tenant: string;
  role: ApiKeyRole;
}

/** Everything the ingest side needs from the composition root (`lode serve`). */
export interface IngestOptions {
  store: LogStore;
  limits: LimitsFor;
  /** Off: every request belongs to tenant `fake` and `X-Scope-OrgID` is ignored. */
  multiTenant: boolean;
  /** When non-empty, every ingest request needs a key with role `write` or `admin`. */
  apiKeys?: ApiKey[];
  logger: IngestLogger;
  registry: Registry;
  /** Bytes of pushes decoded or waiting for the store at once; past it → 429/503, RESOURCE_EXHAUSTED, TCP pause. Default 256 MiB. */
  maxInflightBytes?: number;
  /** Largest accepted (decompressed) request body. Default 64 MiB. */
  maxBodyBytes?: number;
}

/** A running listener. `close()` stops accepting, drains what is in flight, then resolves. */
export interface Closable {
  /** Bound address (`127.0.0.1:4318`), useful when the configured port was 0. */
  address: string;
  close(): Promise<void>;
}

/** The protocol label of `lode_ingest_*` metrics. */
export type IngestProtocol = 'loki_json' | 'loki_protobuf' | 'otlp_http' | 'otlp_grpc' | 'syslog' | 'file';
