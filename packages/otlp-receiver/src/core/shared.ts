import type { Registry } from 'prom-client';
import { Ingester } from './ingester.js';
import type { IngestOptions } from './types.js';

const byRegistry = new WeakMap<Registry, Ingester>();

/**
 * The process's ingest pipeline for these options. Every listener started with the same
 * prom-client registry shares one `Ingester`, so rate limits, the in-flight budget and metrics
 * are per process (and metrics are registered once), however many listeners run.
 */
export function sharedIngester(opts: IngestOptions): Ingester {
  let ingester = byRegistry.get(opts.registry);
  if (!ingester) {
    ingester = new Ingester(opts);
    byRegistry.set(opts.registry, ingester);
  }
  return ingester;
}
