import type { Limits } from '@lode/store';
import { TokenBucket } from './token-bucket.js';

const MB = 1024 * 1024;
/** Streams with no push for this long stop counting as active (Loki's default chunk_idle_period). */
export const STREAM_IDLE_MS = 30 * 60 * 1000;

interface StreamState {
  bucket: TokenBucket;
  lastPush: number;
}

/** Rate and active-stream state of one tenant: the tenant bucket and one bucket per active stream. */
class TenantState {
  readonly bucket: TokenBucket;
  readonly streams = new Map<string, StreamState>();
  lastSweep: number;

  constructor(limits: Readonly<Limits>, now: number) {
    this.bucket = new TokenBucket(limits.ingestion_rate_mb * MB, limits.ingestion_burst_size_mb * MB, now);
    this.lastSweep = now;
  }
}

export type StreamAdmission = 'ok' | 'stream_limit';

/**
 * Loki's distributor and ingester limits that depend on history rather than on one request:
 * the per-tenant ingestion rate, the per-stream rate and the number of active streams.
 */
export class TenantLimiter {
  private readonly tenants = new Map<string, TenantState>();

  private state(tenant: string, limits: Readonly<Limits>, now: number): TenantState {
    let s = this.tenants.get(tenant);
    if (!s) {
      s = new TenantState(limits, now);
      this.tenants.set(tenant, s);
    } else {
      s.bucket.configure(limits.ingestion_rate_mb * MB, limits.ingestion_burst_size_mb * MB);
    }
    if (now - s.lastSweep > STREAM_IDLE_MS / 4) this.sweep(s, now);
    return s;
  }

  /** Takes `bytes` from the tenant bucket; false means the whole request is rate limited. */
  allowTenant(tenant: string, limits: Readonly<Limits>, bytes: number, now: number): boolean {
    return this.state(tenant, limits, now).bucket.allow(bytes, now);
  }

  /** Milliseconds until a request of `bytes` could pass, for `Retry-After` (at least 1 s). */
  retryAfterMs(tenant: string, limits: Readonly<Limits>, bytes: number, now: number): number {
    const wait = this.state(tenant, limits, now).bucket.waitFor(bytes, now);
    return Number.isFinite(wait) ? Math.max(1000, Math.ceil(wait)) : 1000;
  }

  /**
   * Admits a stream: an already active one always, a new one only while the tenant is under
   * `max_global_streams_per_user` (0 = unlimited).
   */
  admitStream(tenant: string, key: string, limits: Readonly<Limits>, now: number): StreamAdmission {
    const s = this.state(tenant, limits, now);
    const existing = s.streams.get(key);
    if (existing) {
      existing.lastPush = now;
      existing.bucket.configure(limits.per_stream_rate_limit, limits.per_stream_rate_limit_burst);
      return 'ok';
    }
    const max = limits.max_global_streams_per_user;
    if (max > 0 && s.streams.size >= max) return 'stream_limit';
    s.streams.set(key, {
      bucket: new TokenBucket(limits.per_stream_rate_limit, limits.per_stream_rate_limit_burst, now),
      lastPush: now,
    });
    return 'ok';
  }

  /** Takes `bytes` from an admitted stream's bucket (Loki checks it entry by entry). */
  allowStreamEntry(tenant: string, key: string, bytes: number, now: number): boolean {
    const stream = this.tenants.get(tenant)?.streams.get(key);
    return stream ? stream.bucket.allow(bytes, now) : true;
  }

  activeStreams(tenant: string): number {
    return this.tenants.get(tenant)?.streams.size ?? 0;
  }

  private sweep(s: TenantState, now: number): void {
    s.lastSweep = now;
    for (const [key, stream] of s.streams) if (now - stream.lastPush > STREAM_IDLE_MS) s.streams.delete(key);
  }
}
