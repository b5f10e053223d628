/**
 * @lode/otlp-receiver: every ingest protocol of lode. Each entry point takes the same
 * `IngestOptions`; listeners started with the same prom-client registry share one `Ingester`
 * (limits, in-flight budget, metrics), see `sharedIngester`.
 */
export type { ApiKey, ApiKeyRole, Closable, IngestLogger, IngestOptions, IngestProtocol } from './core/types.js';
export { Ingester, type IngestRejection, type IngestRejectReason, type PushOutcome } from './core/ingester.js';
export { tenantOf, validateTenantId, DEFAULT_TENANT, type Access, type HeaderBag, type TenancyRules, type TenantResult } from './core/tenancy.js';
export { parseListen, type ListenAddress } from './core/listen.js';
export { sharedIngester } from './core/shared.js';
export { ingestRoutes } from './http/routes.js';
export { startOtlpHttp } from './otlp/http-server.js';
export { startOtlpGrpc } from './otlp/grpc-server.js';
export { startFileInputs, validateFileInput, type FileInputConfig, type FileInputsOptions } from './files/inputs.js';
export { startSyslog, type SyslogOptions, type SyslogTls } from './syslog/server.js';
/** Wire schemas (protobufjs types) for clients and load generators: Loki's PushRequest and OTLP's ExportLogsServiceRequest. */
export { PushRequestType as LokiPushRequestType } from './loki/schema.js';
export { ExportLogsServiceRequest as OtlpExportLogsServiceRequestType } from './otlp/schema.js';
