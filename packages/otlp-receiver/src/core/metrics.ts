import { Counter, Gauge, type Registry } from 'prom-client';
import type { IngestProtocol } from './types.js';

/** Ingest counters, registered once per registry (several listeners share one `Ingester`). */
export class IngestMetrics {
  readonly entries: Counter<'protocol' | 'tenant'>;
  readonly bytes: Counter<'protocol' | 'tenant'>;
  readonly requests: Counter<'protocol' | 'status'>;
  readonly discardedSamples: Counter<'reason' | 'tenant'>;
  readonly discardedBytes: Counter<'reason' | 'tenant'>;
  readonly mutatedSamples: Counter<'reason' | 'tenant'>;
  readonly inflightBytes: Gauge;
  readonly syslogDropped: Counter<'transport'>;
  private readInflight: () => number = () => 0;

  constructor(registry: Registry) {
    const registers = [registry];
    this.entries = new Counter({
      name: 'lode_ingest_entries_total',
      help: 'Log entries received, by protocol and tenant (before validation).',
      labelNames: ['protocol', 'tenant'],
      registers,
    });
    this.bytes = new Counter({
      name: 'lode_ingest_bytes_total',
      help: 'Bytes of log lines received, by protocol and tenant (before validation).',
      labelNames: ['protocol', 'tenant'],
      registers,
    });
    this.requests = new Counter({
      name: 'lode_ingest_requests_total',
      help: 'Ingest requests (HTTP, gRPC) or batches (syslog, files) by protocol and outcome status.',
      labelNames: ['protocol', 'status'],
      registers,
    });
    this.discardedSamples = new Counter({
      name: 'lode_discarded_samples_total',
      help: 'Entries refused, by reason (as loki_discarded_samples_total).',
      labelNames: ['reason', 'tenant'],
      registers,
    });
    this.discardedBytes = new Counter({
      name: 'lode_discarded_bytes_total',
      help: 'Bytes of entries refused, by reason (as loki_discarded_bytes_total).',
      labelNames: ['reason', 'tenant'],
      registers,
    });
    this.mutatedSamples = new Counter({
      name: 'lode_mutated_samples_total',
      help: 'Entries changed on ingest, e.g. lines truncated to max_line_size.',
      labelNames: ['reason', 'tenant'],
      registers,
    });
    // Read at scrape time: the budget changes per syslog message, and a gauge update per change
    // (label hashing inside prom-client) showed up in ingest profiles.
    this.inflightBytes = new Gauge({
      name: 'lode_ingest_inflight_bytes',
      help: 'Bytes of pushes currently decoded or waiting for the store.',
      registers,
      collect: () => this.inflightBytes.set(this.readInflight()),
    });
    this.syslogDropped = new Counter({
      name: 'lode_syslog_dropped_datagrams_total',
      help: 'Syslog UDP datagrams dropped because the in-flight budget was exhausted.',
      labelNames: ['transport'],
      registers,
    });
  }

  received(protocol: IngestProtocol, tenant: string, entries: number, bytes: number): void {
    this.entries.inc({ protocol, tenant }, entries);
    this.bytes.inc({ protocol, tenant }, bytes);
  }

  discarded(reason: string, tenant: string, entries: number, bytes: number): void {
    if (entries === 0) return;
    this.discardedSamples.inc({ reason, tenant }, entries);
    this.discardedBytes.inc({ reason, tenant }, bytes);
  }

  /** Where `lode_ingest_inflight_bytes` reads its value when scraped. */
  observeInflight(read: () => number): void {
    this.readInflight = read;
  }
}
