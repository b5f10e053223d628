export {
  evaluateRange,
  evaluateInstant,
  defaultStep,
  type QueryParams,
  type QueryResult,
  type QueryData,
  type Series,
  type VectorSample,
  type SamplePair,
  type AvgOverTimeSharding,
} from './evaluate.js';
export type { StreamResult, StreamValue } from './logs.js';
export type { QueryStats } from './stats.js';
export { QueryError } from './errors.js';
export { formatSampleValue } from './format.js';
