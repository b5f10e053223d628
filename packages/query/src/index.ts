/**
 * @lode/query: LogQL (parser, printer, pipeline, engine) and Loki's HTTP query API.
 */
export * from './logql/index.js';
export { compilePipeline, type Pipeline, type PipelineResult, type PipelineOptions } from './pipeline/index.js';
export * from './engine/index.js';
export { queryRouter } from './http/router.js';
export { attachTail } from './http/tail.js';
export { selectorMatchers } from './http/selector.js';
export type { QueryApiOptions, TenantResolver, TenantResolution } from './http/context.js';
export { createRuler, RECORD_LABEL, type Ruler, type RulerOptions } from './ruler/index.js';
