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
export { mulberry32 } from './seeded-random.js';
