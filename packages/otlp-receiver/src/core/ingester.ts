import type { Entry, Limits, RejectReason, StreamPush } from '@lode/store';
import { DETECTED_LEVEL, entryLevel, levelFromFields, withServiceName } from './discovery.js';
import { InflightBudget } from './inflight.js';
import { formatLabels, truncateUtf8 } from './labels.js';
import { IngestMetrics } from './metrics.js';
import { TenantLimiter } from './tenant-limiter.js';
import { tenantOf, type Access, type HeaderBag, type TenantResult } from './tenancy.js';
import type { IngestLogger, IngestOptions, IngestProtocol } from './types.js';

/** Reasons ingest itself adds to the store's (`loki_discarded_samples_total` reason names). */
export type IngestRejectReason = RejectReason | 'per_stream_rate_limit' | 'max_label_names_per_series' | 'missing_labels';

export interface IngestRejection {
  /** The stream's labels as a selector, `{app="api"}`. */
  stream: string;
  reason: IngestRejectReason;
  count: number;
  message: string;
}

export interface PushOutcome {
  accepted: number;
  rejected: IngestRejection[];
  /** Sum of `count` over `rejected`. */
  rejectedCount: number;
  /** The HTTP status Loki would answer: 204 all kept, 400 invalid entries, 429 rate or stream limits. */
  status: 204 | 400 | 429;
  /** Loki-style plain-text error body (one line per rejection); empty on 204. */
  message: string;
  /** Set with status 429: when a retry may succeed. */
  retryAfterSeconds?: number;
}

const RATE_REASONS = new Set<IngestRejectReason>(['rate_limited', 'stream_limit', 'per_stream_rate_limit']);
const DEFAULT_INFLIGHT = 256 * 1024 * 1024;
const DEFAULT_MAX_BODY = 64 * 1024 * 1024;

/**
 * Size of an entry for rate limits as Loki counts it: UTF-8 bytes of the line plus the names and
 * values of its structured metadata (`string.length` would undercount non-ASCII text up to 3×).
 */
function entrySize(e: Entry): number {
  let n = Buffer.byteLength(e.line, 'utf8');
  if (e.metadata) for (const k in e.metadata) n += Buffer.byteLength(k, 'utf8') + Buffer.byteLength(e.metadata[k]!, 'utf8');
  return n;
}

/** UTF-8 byte length without encoding when the UTF-16 length settles it (bytes ≥ units, ≤ 3×units). */
function exceedsBytes(line: string, max: number): boolean {
  if (line.length > max) return true;
  if (line.length * 3 <= max) return false;
  return Buffer.byteLength(line, 'utf8') > max;
}

/**
 * The one path every protocol pushes through: tenancy, Loki's ingest-time rules (`service_name`,
 * `detected_level`), size and rate limits, then `store.append`, with metrics for all of it.
 * One instance is shared by every listener so limits and metrics are per process.
 */
export class Ingester {
  readonly metrics: IngestMetrics;
  readonly budget: InflightBudget;
  readonly logger: IngestLogger;
  readonly maxBodyBytes: number;
  private readonly limiter = new TenantLimiter();
  private pending = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(readonly options: IngestOptions) {
    this.metrics = new IngestMetrics(options.registry);
    this.logger = options.logger;
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
    this.budget = new InflightBudget(options.maxInflightBytes ?? DEFAULT_INFLIGHT, (used) => this.metrics.inflightBytes.set(used));
  }

  limitsFor(tenant: string): Readonly<Limits> {
    return this.options.limits(tenant);
  }

  tenant(headers: HeaderBag, access: Access = 'write'): TenantResult {
    return tenantOf(headers, this.options, access);
  }

  /** Resolves once no push is waiting for the store (used by listeners' `close()`). */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Validates, limits and appends. Takes ownership of `streams` (entries may be truncated and get
   * `detected_level` in place). `preRejected` are streams the decoder already refused; they are
   * counted and reported with the rest. Never throws for bad input; store failures propagate.
   */
  async push(tenant: string, streams: StreamPush[], protocol: IngestProtocol, preRejected: readonly IngestRejection[] = []): Promise<PushOutcome> {
    this.pending++;
    try {
      return await this.pushInner(tenant, streams, protocol, preRejected);
    } finally {
      if (--this.pending === 0) for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  private async pushInner(
    tenant: string,
    streams: StreamPush[],
    protocol: IngestProtocol,
    preRejected: readonly IngestRejection[],
  ): Promise<PushOutcome> {
    const limits = this.limitsFor(tenant);
    const now = Date.now();
    const rejected: IngestRejection[] = [...preRejected];
    const valid: { push: StreamPush; key: string; bytes: number }[] = [];
    let received = 0;
    let receivedBytes = 0;
    for (const r of preRejected) {
      received += r.count;
      this.metrics.discarded(r.reason, tenant, r.count, 0);
    }
    let validEntries = 0;
    let validBytes = 0;

    for (const stream of streams) {
      received += stream.entries.length;
      for (const e of stream.entries) receivedBytes += Buffer.byteLength(e.line, 'utf8');
      if (stream.entries.length === 0) continue;
      const checked = this.checkStream(tenant, stream, limits, rejected);
      if (!checked) continue;
      valid.push(checked);
      validEntries += checked.push.entries.length;
      validBytes += checked.bytes;
    }
    this.metrics.received(protocol, tenant, received, receivedBytes);

    if (validEntries > 0 && !this.limiter.allowTenant(tenant, limits, validBytes, now)) {
      const limit = Math.trunc(limits.ingestion_rate_mb * 1024 * 1024);
      this.metrics.discarded('rate_limited', tenant, validEntries, validBytes);
      const message = `Ingestion rate limit exceeded for user ${tenant} (limit: ${limit} bytes/sec) while attempting to ingest '${validEntries}' lines totaling '${validBytes}' bytes, reduce log volume or contact your Loki administrator to see if the limit can be increased`;
      rejected.push({ stream: '', reason: 'rate_limited', count: validEntries, message });
      return this.outcome(0, rejected, this.limiter.retryAfterMs(tenant, limits, validBytes, now));
    }

    const kept: StreamPush[] = [];
    for (const { push, key, bytes } of valid) {
      const admitted = this.applyStreamLimits(tenant, push, key, bytes, limits, now, rejected);
      if (admitted) kept.push(admitted);
    }

    let accepted = 0;
    if (kept.length > 0) {
      const result = await this.options.store.append(tenant, kept);
      accepted = result.accepted;
      for (const r of result.rejected) {
        rejected.push(r);
        this.metrics.discarded(r.reason, tenant, r.count, 0);
      }
    }
    return this.outcome(accepted, rejected, 1000);
  }

  /** Per-request checks of one stream: labels present, label count, line sizes; adds discovered fields. */
  private checkStream(
    tenant: string,
    stream: StreamPush,
    limits: Readonly<Limits>,
    rejected: IngestRejection[],
  ): { push: StreamPush; key: string; bytes: number } | undefined {
    if (Object.keys(stream.labels).length === 0) {
      this.reject(tenant, rejected, '{}', 'missing_labels', stream.entries, 'error at least one label pair is required per stream');
      return undefined;
    }
    const labels = withServiceName(stream.labels, limits.discover_service_name);
    const key = formatLabels(labels);
    const names = Object.keys(labels).length;
    if (limits.max_label_names_per_series > 0 && names > limits.max_label_names_per_series) {
      const message = `entry for stream '${key}' has ${names} label names; limit ${limits.max_label_names_per_series}`;
      this.reject(tenant, rejected, key, 'max_label_names_per_series', stream.entries, message);
      return undefined;
    }

    const maxLine = limits.max_line_size;
    const detect = limits.discover_log_levels && limits.allow_structured_metadata && labels[DETECTED_LEVEL] === undefined;
    const labelLevel = detect ? levelFromFields(labels) : undefined;
    let entries = stream.entries;
    let tooLong: Entry[] | undefined;
    let truncated = 0;
    let bytes = 0;
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      if (maxLine > 0 && exceedsBytes(e.line, maxLine)) {
        if (limits.max_line_size_truncate) {
          e.line = truncateUtf8(e.line, maxLine);
          truncated++;
        } else {
          (tooLong ??= []).push(e);
          continue;
        }
      }
      if (detect && e.metadata?.[DETECTED_LEVEL] === undefined) {
        const level = labelLevel ?? entryLevel(e.metadata, e.line);
        e.metadata = e.metadata ? { ...e.metadata, [DETECTED_LEVEL]: level } : { [DETECTED_LEVEL]: level };
      }
      bytes += entrySize(e);
    }
    if (truncated > 0) this.metrics.mutatedSamples.inc({ reason: 'line_too_long', tenant }, truncated);
    if (tooLong) {
      const first = Buffer.byteLength(tooLong[0]!.line, 'utf8');
      const message = `Max entry size '${maxLine}' bytes exceeded for stream '${key}' while adding an entry with length '${first}' bytes`;
      this.reject(tenant, rejected, key, 'line_too_long', tooLong, message);
      const drop = new Set(tooLong);
      entries = entries.filter((e) => !drop.has(e));
      if (entries.length === 0) return undefined;
    }
    return { push: { labels, entries }, key, bytes };
  }

  /** Active-stream limit and the per-stream token bucket (entry by entry, as Loki's ingester). */
  private applyStreamLimits(
    tenant: string,
    push: StreamPush,
    key: string,
    bytes: number,
    limits: Readonly<Limits>,
    now: number,
    rejected: IngestRejection[],
  ): StreamPush | undefined {
    if (this.limiter.admitStream(tenant, key, limits, now) === 'stream_limit') {
      const message = `Maximum active stream limit exceeded when trying to create stream ${key}, reduce the number of active streams (reduce labels or reduce label values), or contact your Loki administrator to see if the limit can be increased, user: '${tenant}'`;
      this.reject(tenant, rejected, key, 'stream_limit', push.entries, message);
      return undefined;
    }
    // When the whole stream fits, entry-by-entry checks at the same instant would all pass too.
    if (this.limiter.allowStreamEntry(tenant, key, bytes, now)) return push;
    let limited: Entry[] | undefined;
    for (const e of push.entries) {
      if (!this.limiter.allowStreamEntry(tenant, key, entrySize(e), now)) (limited ??= []).push(e);
    }
    if (!limited) return push;
    let limitedBytes = 0;
    for (const e of limited) limitedBytes += entrySize(e);
    const message = `Per stream rate limit exceeded (limit: ${formatByteSize(limits.per_stream_rate_limit)}/sec) while attempting to ingest for stream '${key}' totaling ${formatByteSize(limitedBytes)}, consider splitting a stream via additional labels or contact your Loki administrator to see if the limit can be increased`;
    this.reject(tenant, rejected, key, 'per_stream_rate_limit', limited, message);
    const drop = new Set(limited);
    const entries = push.entries.filter((e) => !drop.has(e));
    return entries.length > 0 ? { labels: push.labels, entries } : undefined;
  }

  private reject(
    tenant: string,
    rejected: IngestRejection[],
    stream: string,
    reason: IngestRejectReason,
    entries: readonly Entry[],
    message: string,
  ): void {
    let bytes = 0;
    for (const e of entries) bytes += Buffer.byteLength(e.line, 'utf8');
    this.metrics.discarded(reason, tenant, entries.length, bytes);
    rejected.push({ stream, reason, count: entries.length, message });
  }

  private outcome(accepted: number, rejected: IngestRejection[], retryAfterMs: number): PushOutcome {
    let rejectedCount = 0;
    let rate = false;
    for (const r of rejected) {
      rejectedCount += r.count;
      if (RATE_REASONS.has(r.reason)) rate = true;
    }
    if (rejected.length === 0) return { accepted, rejected, rejectedCount, status: 204, message: '' };
    const message = rejected.map((r) => r.message).join('\n');
    if (rate) return { accepted, rejected, rejectedCount, status: 429, message, retryAfterSeconds: Math.ceil(retryAfterMs / 1000) };
    return { accepted, rejected, rejectedCount, status: 400, message };
  }
}

/** Go `flagext.ByteSize` style (base-2 units): `3MiB`, `512KiB`, `100B`. */
function formatByteSize(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${Number.isInteger(v) ? v : v.toFixed(1)}${units[u]}`;
}

