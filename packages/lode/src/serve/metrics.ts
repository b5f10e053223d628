/**
 * lode's own Prometheus metrics: process metrics, store figures sampled at scrape time, WAL
 * fsync latency, chunk flushes and query latency. Ingest registers its own counters on the
 * same registry.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { StoreHooks, StoreMetrics } from '@lode/store';

export interface ServeMetrics {
  registry: Registry;
  storeHooks: StoreHooks;
  observeQuery(info: { endpoint: string; tenant: string; seconds: number; status: number }): void;
}

export function createMetrics(storeMetrics: () => StoreMetrics | undefined): ServeMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const walSync = new Histogram({
    name: 'lode_wal_fsync_duration_seconds',
    help: 'Duration of WAL group commits (write + fdatasync).',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [registry],
  });
  const walCorrupt = new Counter({ name: 'lode_wal_corrupt_records_total', help: 'WAL records skipped as corrupt during replay.', registers: [registry] });
  const chunksFlushed = new Counter({ name: 'lode_chunks_flushed_total', help: 'Chunks written to the store.', registers: [registry] });
  const chunkBytes = new Counter({ name: 'lode_chunk_flushed_bytes_total', help: 'Raw line bytes flushed into chunks.', registers: [registry] });
  const corruptChunks = new Counter({ name: 'lode_corrupt_chunks_total', help: 'Chunks found damaged while reading (skipped).', registers: [registry] });
  const backgroundErrors = new Counter({ name: 'lode_store_background_errors_total', help: 'Failed background store jobs (flush, retention, compaction).', registers: [registry] });
  const retentionDeleted = new Counter({ name: 'lode_retention_deleted_chunks_total', help: 'Chunks deleted by retention.', registers: [registry] });
  const queryDuration = new Histogram({
    name: 'lode_query_duration_seconds',
    help: 'Duration of query API requests.',
    labelNames: ['endpoint', 'status'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });

  const gauge = (name: string, help: string, pick: (m: StoreMetrics) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        const m = storeMetrics();
        if (m) this.set(pick(m));
      },
    });
  gauge('lode_head_streams', 'Streams with an open head block.', (m) => m.headStreams);
  gauge('lode_head_entries', 'Entries in head blocks (not yet in chunks).', (m) => m.headEntries);
  gauge('lode_head_bytes', 'Line bytes in head blocks.', (m) => m.headBytes);
  gauge('lode_streams', 'Streams in the index.', (m) => m.streams);
  gauge('lode_chunks', 'Chunks in the store.', (m) => m.chunks);
  gauge('lode_chunk_stored_bytes', 'Compressed chunk bytes in the store.', (m) => m.chunkStoredBytes);
  gauge('lode_disk_bytes', 'Bytes on disk: LMDB file plus WAL segments.', (m) => m.diskBytes);
  gauge('lode_wal_bytes', 'Bytes in WAL segments.', (m) => m.walBytes);

  return {
    registry,
    storeHooks: {
      onWalSync: (s) => walSync.observe(s),
      onWalCorrupt: () => walCorrupt.inc(),
      onChunkFlushed: (info) => {
        chunksFlushed.inc();
        chunkBytes.inc(info.bytes);
      },
      onCorruptChunk: () => corruptChunks.inc(),
      onBackgroundError: () => backgroundErrors.inc(),
      onMaintenance: (r) => retentionDeleted.inc(r.deletedChunks),
    },
    observeQuery: ({ endpoint, status, seconds }) => queryDuration.observe({ endpoint, status: String(status) }, seconds),
  };
}
