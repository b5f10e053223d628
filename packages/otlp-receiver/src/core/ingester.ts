import type { AppendResult, Entry, Labels, Limits, RejectReason, StreamPush } from '@lode/store';
import { DETECTED_LEVEL, levelFromFields, withServiceName } from './discovery.js';
import { InflightBudget } from './inflight.js';
import { formatLabels, truncateUtf8 } from './labels.js';
import { LevelTagger } from './level-tagger.js';
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

/** UTF-8 bytes of the names and values of structured metadata, as Loki counts them for rate limits. */
function metadataSize(metadata: Labels | undefined): number {
  let n = 0;
  if (metadata) for (const k in metadata) n += Buffer.byteLength(k, 'utf8') + Buffer.byteLength(metadata[k]!, 'utf8');
  return n;
}

/**
 * Size of an entry for rate limits as Loki counts it: UTF-8 bytes of the line plus its structured
 * metadata (`string.length` would undercount non-ASCII text up to 3×).
 */
function entrySize(e: Entry): number {
  return Buffer.byteLength(e.line, 'utf8') + metadataSize(e.metadata);
}

function lineBytes(entries: readonly Entry[]): number {
  let n = 0;
  for (const e of entries) n += Buffer.byteLength(e.line, 'utf8');
  return n;
}

/** What `checkStream` made of one stream: the push to keep (if any) and the UTF-8 bytes of the lines received. */
interface CheckedStream {
  push: StreamPush | undefined;
  key: string;
  /** Lines plus metadata of the kept entries (what rate limits count). */
  bytes: number;
  /** Lines as received, before truncation or refusals (the received-bytes metric). */
  receivedBytes: number;
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
    this.budget = new InflightBudget(options.maxInflightBytes ?? DEFAULT_INFLIGHT);
    this.metrics.observeInflight(() => this.budget.inUse);
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
  push(tenant: string, streams: StreamPush[], protocol: IngestProtocol, preRejected: readonly IngestRejection[] = []): Promise<PushOutcome> {
    this.pending++;
    let pushing: Promise<PushOutcome>;
    try {
      pushing = this.pushInner(tenant, streams, protocol, preRejected);
    } catch (err) {
      pushing = Promise.reject(err);
    }
    return pushing.finally(() => {
      if (--this.pending === 0) for (const w of this.idleWaiters.splice(0)) w();
    });
  }

  /**
   * Everything up to the store append runs now; the wait for the append is `afterAppend`'s, so no
   * suspended frame here keeps the pushed streams (every entry object) alive while the WAL syncs.
   */
  private pushInner(tenant: string, streams: StreamPush[], protocol: IngestProtocol, preRejected: readonly IngestRejection[]): Promise<PushOutcome> {
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
      if (stream.entries.length === 0) continue;
      const checked = this.checkStream(tenant, stream, limits, rejected);
      receivedBytes += checked.receivedBytes;
      if (!checked.push) continue;
      valid.push({ push: checked.push, key: checked.key, bytes: checked.bytes });
      validEntries += checked.push.entries.length;
      validBytes += checked.bytes;
    }
    this.metrics.received(protocol, tenant, received, receivedBytes);

    if (validEntries > 0 && !this.limiter.allowTenant(tenant, limits, validBytes, now)) {
      const limit = Math.trunc(limits.ingestion_rate_mb * 1024 * 1024);
      this.metrics.discarded('rate_limited', tenant, validEntries, validBytes);
      const message = `Ingestion rate limit exceeded for user ${tenant} (limit: ${limit} bytes/sec) while attempting to ingest '${validEntries}' lines totaling '${validBytes}' bytes, reduce log volume or contact your Loki administrator to see if the limit can be increased`;
      rejected.push({ stream: '', reason: 'rate_limited', count: validEntries, message });
      return Promise.resolve(this.outcome(0, rejected, this.limiter.retryAfterMs(tenant, limits, validBytes, now)));
    }

    const kept: StreamPush[] = [];
    for (const { push, key, bytes } of valid) {
      const admitted = this.applyStreamLimits(tenant, push, key, bytes, limits, now, rejected);
      if (admitted) kept.push(admitted);
    }

    if (kept.length === 0) return Promise.resolve(this.outcome(0, rejected, 1000));
    return this.afterAppend(this.options.store.append(tenant, kept), tenant, rejected);
  }

  private async afterAppend(appending: Promise<AppendResult>, tenant: string, rejected: IngestRejection[]): Promise<PushOutcome> {
    const result = await appending;
    for (const r of result.rejected) {
      rejected.push(r);
      this.metrics.discarded(r.reason, tenant, r.count, 0);
    }
    return this.outcome(result.accepted, rejected, 1000);
  }

  /**
   * Per-request checks of one stream: labels present, label count, line sizes; adds discovered
   * fields. Each line's UTF-8 length is computed once and serves the size limit, the rate-limit
   * size and the received-bytes metric.
   */
  private checkStream(tenant: string, stream: StreamPush, limits: Readonly<Limits>, rejected: IngestRejection[]): CheckedStream {
    if (Object.keys(stream.labels).length === 0) {
      const received = lineBytes(stream.entries);
      this.reject(tenant, rejected, '{}', 'missing_labels', stream.entries, received, 'error at least one label pair is required per stream');
      return { push: undefined, key: '{}', bytes: 0, receivedBytes: received };
    }
    const labels = withServiceName(stream.labels, limits.discover_service_name);
    const key = formatLabels(labels);
    const names = Object.keys(labels).length;
    if (limits.max_label_names_per_series > 0 && names > limits.max_label_names_per_series) {
      const received = lineBytes(stream.entries);
      const message = `entry for stream '${key}' has ${names} label names; limit ${limits.max_label_names_per_series}`;
      this.reject(tenant, rejected, key, 'max_label_names_per_series', stream.entries, received, message);
      return { push: undefined, key, bytes: 0, receivedBytes: received };
    }

    const maxLine = limits.max_line_size;
    const detect = limits.discover_log_levels && limits.allow_structured_metadata && labels[DETECTED_LEVEL] === undefined;
    const tagger = detect ? new LevelTagger(levelFromFields(labels)) : undefined;
    let entries = stream.entries;
    let tooLong: Entry[] | undefined;
    let tooLongBytes = 0;
    let truncated = 0;
    let received = 0;
    let bytes = 0;
    // Entries often share one metadata object: its size is computed once per run of them.
    let sizedMetadata: Labels | undefined;
    let sizedMetadataBytes = 0;
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      let size = Buffer.byteLength(e.line, 'utf8');
      received += size;
      if (maxLine > 0 && size > maxLine) {
        if (limits.max_line_size_truncate) {
          e.line = truncateUtf8(e.line, maxLine);
          size = Buffer.byteLength(e.line, 'utf8');
          truncated++;
        } else {
          (tooLong ??= []).push(e);
          tooLongBytes += size;
          continue;
        }
      }
      if (tagger && e.metadata?.[DETECTED_LEVEL] === undefined) tagger.tag(e);
      const md = e.metadata;
      if (md !== undefined) {
        if (md !== sizedMetadata) {
          sizedMetadata = md;
          sizedMetadataBytes = metadataSize(md);
        }
        size += sizedMetadataBytes;
      }
      bytes += size;
    }
    if (truncated > 0) this.metrics.mutatedSamples.inc({ reason: 'line_too_long', tenant }, truncated);
    if (tooLong) {
      const first = Buffer.byteLength(tooLong[0]!.line, 'utf8');
      const message = `Max entry size '${maxLine}' bytes exceeded for stream '${key}' while adding an entry with length '${first}' bytes`;
      this.reject(tenant, rejected, key, 'line_too_long', tooLong, tooLongBytes, message);
      const drop = new Set(tooLong);
      entries = entries.filter((e) => !drop.has(e));
      if (entries.length === 0) return { push: undefined, key, bytes: 0, receivedBytes: received };
    }
    return { push: { labels, entries }, key, bytes, receivedBytes: received };
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
      this.reject(tenant, rejected, key, 'stream_limit', push.entries, lineBytes(push.entries), message);
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
    this.reject(tenant, rejected, key, 'per_stream_rate_limit', limited, lineBytes(limited), message);
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
    bytes: number,
    message: string,
  ): void {
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

