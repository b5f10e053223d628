import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_LIMITS, Store, type AppendResult, type Limits, type LogStore, type StoredEntry, type StreamPush } from '@lode/store';
import { Registry } from 'prom-client';
import { sharedIngester } from '../core/shared.js';
import type { IngestOptions } from '../core/types.js';
import { silentLogger } from './recording-store.js';

/**
 * A real `Store` whose appends can be held back: while `hold()` is in effect every append waits
 * before reaching the store, so tests can keep requests in flight and watch backpressure.
 */
export class GatedStore {
  private gate: Promise<void> | undefined;
  private openGate: (() => void) | undefined;
  /** Appends currently waiting at the gate. */
  waiting = 0;

  constructor(readonly inner: Store) {}

  hold(): void {
    if (this.gate) return;
    this.gate = new Promise((resolve) => (this.openGate = resolve));
  }

  release(): void {
    this.openGate?.();
    this.gate = undefined;
    this.openGate = undefined;
  }

  async append(tenant: string, streams: StreamPush[]): Promise<AppendResult> {
    if (this.gate) {
      this.waiting++;
      try {
        await this.gate;
      } finally {
        this.waiting--;
      }
    }
    return this.inner.append(tenant, streams);
  }

  /** Every stored entry of a tenant (all time, forward). */
  entries(tenant: string): StoredEntry[] {
    return [...this.inner.entries(tenant, { matchers: [], from: 0n, to: 1n << 62n, direction: 'forward' })];
  }
}

/** A gated real store in a temp dir, an ingester over it, and a cleanup that removes everything. */
export async function realIngester(overrides: Partial<Limits> = {}, extra: Partial<IngestOptions> = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lode-'));
  const inner = await Store.open({ dir, durability: 'none' });
  const store = new GatedStore(inner);
  const registry = new Registry();
  const options: IngestOptions = {
    store: store as unknown as LogStore,
    limits: () => ({ ...DEFAULT_LIMITS, ...overrides }),
    multiTenant: false,
    logger: silentLogger,
    registry,
    ...extra,
  };
  return {
    store,
    registry,
    options,
    ingester: sharedIngester(options),
    async close() {
      store.release();
      await inner.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `cond` every 10 ms for up to `ms`; returns whether it became true. */
export async function until(cond: () => boolean, ms = 3000): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
  return true;
}
