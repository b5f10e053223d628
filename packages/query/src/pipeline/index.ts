/** The LogQL log pipeline: what the engine runs over every entry a selector yields. */
export { compilePipeline, SAMPLE_EXTRACTION_ERR, type Pipeline, type PipelineOptions, type PipelineResult } from './pipeline.js';
export { ERROR_LABEL, ERROR_DETAILS_LABEL } from './state.js';
export { parseGoDuration, parseGoFloat, parseHumanBytes, ConversionError } from './units.js';
export { parserHints, requiredLabelNames, NO_HINTS, type HintGrouping, type ParserHints } from './hints.js';
