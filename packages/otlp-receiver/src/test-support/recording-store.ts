import type { AppendResult, LogStore, StreamPush } from '@lode/store';
import { DEFAULT_LIMITS, type Limits, type LimitsFor } from '@lode/store';
import { Registry } from 'prom-client';
import { sharedIngester } from '../core/shared.js';
import type { IngestLogger, IngestOptions } from '../core/types.js';

/** A test double for the store's write side: records every append and accepts everything. */
export class RecordingStore {
  readonly appends: { tenant: string; streams: StreamPush[] }[] = [];

  append(tenant: string, streams: StreamPush[]): Promise<AppendResult> {
    this.appends.push({ tenant, streams });
    let accepted = 0;
    for (const s of streams) accepted += s.entries.length;
    return Promise.resolve({ accepted, rejected: [] });
  }

  /** Every entry appended for a tenant, flattened with its stream labels. */
  entries(tenant?: string) {
    return this.appends
      .filter((a) => tenant === undefined || a.tenant === tenant)
      .flatMap((a) => a.streams.flatMap((s) => s.entries.map((e) => ({ labels: s.labels, ...e }))));
  }
}

export const silentLogger: IngestLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** An ingester over a recording store with the given limit overrides. */
export function testIngester(overrides: Partial<Limits> = {}, extra: Partial<IngestOptions> = {}) {
  const store = new RecordingStore();
  const limits: LimitsFor = () => ({ ...DEFAULT_LIMITS, ...overrides });
  const registry = new Registry();
  const options: IngestOptions = {
    store: store as unknown as LogStore,
    limits,
    multiTenant: false,
    logger: silentLogger,
    registry,
    ...extra,
  };
  return { store, ingester: sharedIngester(options), registry, options };
}
