import { DecodeError } from '../core/decoded.js';
import type { Ingester, PushOutcome } from '../core/ingester.js';
import type { IngestProtocol } from '../core/types.js';
import { mapOtlpLogs } from './map.js';
import type { ExportRequest } from './schema.js';

/** What an OTLP export came to, independent of transport (HTTP or gRPC). */
export type ExportResult =
  | { kind: 'ok'; rejected: number; errorMessage: string }
  | { kind: 'invalid'; message: string }
  | { kind: 'throttled'; message: string; retryAfterSeconds: number }
  | { kind: 'unavailable'; message: string };

/**
 * Maps and pushes one export. Per OTLP, refused records are a partial success (200 / OK with
 * `rejected_log_records`); only a request refused as a whole for rate reasons is retryable.
 */
export async function exportLogs(ingester: Ingester, tenant: string, decode: () => ExportRequest, protocol: IngestProtocol): Promise<ExportResult> {
  let req: ExportRequest;
  try {
    req = decode();
  } catch (e) {
    if (e instanceof DecodeError) return { kind: 'invalid', message: e.message };
    throw e;
  }
  const limits = ingester.limitsFor(tenant);
  const mapped = mapOtlpLogs(req, limits, BigInt(Date.now()) * 1_000_000n);
  let outcome: PushOutcome;
  try {
    outcome = await ingester.push(tenant, mapped.streams, protocol);
  } catch (e) {
    ingester.logger.error({ err: e, tenant, protocol }, 'OTLP export failed');
    return { kind: 'unavailable', message: `storing logs failed: ${(e as Error).message}` };
  }
  if (outcome.status === 429 && outcome.accepted === 0) {
    return { kind: 'throttled', message: outcome.message, retryAfterSeconds: outcome.retryAfterSeconds ?? 1 };
  }
  return { kind: 'ok', rejected: outcome.rejectedCount, errorMessage: outcome.message };
}
