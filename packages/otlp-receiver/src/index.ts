/**
 * @lode/otlp-receiver: every ingest protocol of lode. `lode serve` creates one `Ingester` (shared
 * limits, metrics and in-flight budget) and hands it to each listener it starts.
 */
export type { ApiKey, ApiKeyRole, Closable, IngestLogger, IngestOptions, IngestProtocol } from './core/types.js';
export { Ingester, type IngestRejection, type IngestRejectReason, type PushOutcome } from './core/ingester.js';
export { tenantOf, validateTenantId, DEFAULT_TENANT, type Access, type HeaderBag, type TenancyRules, type TenantResult } from './core/tenancy.js';
export { parseListen } from './core/listen.js';
export { ingestRoutes } from './http/routes.js';
export { startOtlpHttp } from './otlp/http-server.js';
export { startOtlpGrpc } from './otlp/grpc-server.js';
export { startFileInputs, type FileInputConfig, type FileInputsOptions } from './files/inputs.js';
export { startSyslog, type SyslogOptions, type SyslogListener } from './syslog/server.js';

import { Ingester } from './core/ingester.js';
import type { IngestOptions } from './core/types.js';

/** The shared ingest pipeline; create exactly one per process and registry. */
export function createIngester(opts: IngestOptions): Ingester {
  return new Ingester(opts);
}
