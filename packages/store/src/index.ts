export * from './model.js';
export * from './limits.js';
export { Store } from './store.js';
export type {
  StoreOptions,
  StoreHooks,
  StoreMetrics,
  Durability,
  RetentionOptions,
  StreamRetentionRule,
  ChunkFlushedInfo,
  CorruptChunkInfo,
  MaintenanceReport,
} from './options.js';
export { compileMatcher, compileMatchers, matchesEmpty, parseSelector, type LabelPredicate } from './matchers.js';
export { compileRe2, translateRe2, type Re2Options } from './re2.js';
export { formatSelector, labelsError, metadataError, isValidLabelName, canonicalLabels, assertValidTenant } from './labels.js';
export { InvalidTenantError, RegexSyntaxError, SelectorSyntaxError, StoreClosedError } from './errors.js';
export { ChunkCorruptError } from './chunk/index.js';
// The chunk codec on its own, for the codec benchmark (bench/src/chunk-codec.ts) and tools.
export { encodeChunk, encodeColumns, toColumns, decodeChunk, decodeChunkIndex, type ChunkEncoding, type EncodeOptions, type RawEntry, type DecodedChunk } from './chunk/index.js';
export { mulberry32 } from './seeded-random.js';
