/**
 * Query statistics in the shape of Loki's `data.stats` (figures lode does not have, such as cache
 * traffic, are zeros so clients that read the block find every field).
 */

export interface QueryStats {
  summary: {
    bytesProcessedPerSecond: number;
    linesProcessedPerSecond: number;
    totalBytesProcessed: number;
    totalLinesProcessed: number;
    execTime: number;
    queueTime: number;
    subqueries: number;
    totalEntriesReturned: number;
    splits: number;
    shards: number;
    totalPostFilterLines: number;
    totalStructuredMetadataBytesProcessed: number;
  };
  querier: { store: StoreStats };
  ingester: {
    totalReached: number;
    totalChunksMatched: number;
    totalBatches: number;
    totalLinesSent: number;
    store: StoreStats;
  };
  cache: Record<CacheName, CacheStats>;
  index: { totalChunks: number; postFilterChunks: number; shardsDuration: number; usedBloomFilters: boolean };
}

interface StoreStats {
  totalChunksRef: number;
  totalChunksDownloaded: number;
  chunksDownloadTime: number;
  queryReferencedStructuredMetadata: boolean;
  chunk: {
    headChunkBytes: number;
    headChunkLines: number;
    decompressedBytes: number;
    decompressedLines: number;
    compressedBytes: number;
    totalDuplicates: number;
    postFilterLines: number;
    headChunkStructuredMetadataBytes: number;
    decompressedStructuredMetadataBytes: number;
  };
  chunkRefsFetchTime: number;
  congestionControlLatency: number;
  pipelineWrapperFilteredLines: number;
}

type CacheName =
  | 'chunk'
  | 'index'
  | 'result'
  | 'statsResult'
  | 'volumeResult'
  | 'seriesResult'
  | 'labelResult'
  | 'instantMetricResult';

interface CacheStats {
  entriesFound: number;
  entriesRequested: number;
  entriesStored: number;
  bytesReceived: number;
  bytesSent: number;
  requests: number;
  downloadTime: number;
  queryLengthServed: number;
}

/** Counters the engine bumps while it runs; turned into `QueryStats` at the end. */
export class StatsCollector {
  readonly startedAt = performance.now();
  linesProcessed = 0;
  bytesProcessed = 0;
  postFilterLines = 0;
  metadataBytes = 0;
  entriesReturned = 0;
  /** Chunks answered from their summaries without decoding. */
  chunksFromSummaries = 0;
  subqueries = 0;

  finish(): QueryStats {
    const execTime = (performance.now() - this.startedAt) / 1000;
    const perSecond = (n: number): number => (execTime > 0 ? Math.round(n / execTime) : 0);
    const store: StoreStats = {
      totalChunksRef: this.chunksFromSummaries,
      totalChunksDownloaded: 0,
      chunksDownloadTime: 0,
      queryReferencedStructuredMetadata: this.metadataBytes > 0,
      chunk: {
        headChunkBytes: 0,
        headChunkLines: 0,
        decompressedBytes: this.bytesProcessed,
        decompressedLines: this.linesProcessed,
        compressedBytes: 0,
        totalDuplicates: 0,
        postFilterLines: this.postFilterLines,
        headChunkStructuredMetadataBytes: 0,
        decompressedStructuredMetadataBytes: this.metadataBytes,
      },
      chunkRefsFetchTime: 0,
      congestionControlLatency: 0,
      pipelineWrapperFilteredLines: 0,
    };
    const emptyStore = (): StoreStats => ({
      ...store,
      totalChunksRef: 0,
      queryReferencedStructuredMetadata: false,
      chunk: { ...store.chunk, decompressedBytes: 0, decompressedLines: 0, postFilterLines: 0, decompressedStructuredMetadataBytes: 0 },
    });
    const cache = (): CacheStats => ({
      entriesFound: 0,
      entriesRequested: 0,
      entriesStored: 0,
      bytesReceived: 0,
      bytesSent: 0,
      requests: 0,
      downloadTime: 0,
      queryLengthServed: 0,
    });
    return {
      summary: {
        bytesProcessedPerSecond: perSecond(this.bytesProcessed),
        linesProcessedPerSecond: perSecond(this.linesProcessed),
        totalBytesProcessed: this.bytesProcessed + this.metadataBytes,
        totalLinesProcessed: this.linesProcessed,
        execTime,
        queueTime: 0,
        subqueries: this.subqueries,
        totalEntriesReturned: this.entriesReturned,
        splits: 0,
        shards: 0,
        totalPostFilterLines: this.postFilterLines,
        totalStructuredMetadataBytesProcessed: this.metadataBytes,
      },
      querier: { store },
      ingester: { totalReached: 0, totalChunksMatched: 0, totalBatches: 0, totalLinesSent: 0, store: emptyStore() },
      cache: {
        chunk: cache(),
        index: cache(),
        result: cache(),
        statsResult: cache(),
        volumeResult: cache(),
        seriesResult: cache(),
        labelResult: cache(),
        instantMetricResult: cache(),
      },
      index: { totalChunks: this.chunksFromSummaries, postFilterChunks: 0, shardsDuration: 0, usedBloomFilters: false },
    };
  }
}
