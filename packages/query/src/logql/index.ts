export * from './ast.js';
export { parseExpr, matchesEmpty } from './validate.js';
export { formatExpr, formatStage, formatLabelFilter, formatMatchers } from './printer.js';
export { logSelections, requiredLineSubstrings, type LogSelection } from './analysis.js';
export { formatGoDuration, formatPromDuration, parseGoDuration, parsePromDuration } from './durations.js';
export { parseHumanBytes } from './bytes.js';
export { goQuote, formatGoFloat, formatGoFloatF } from './goformat.js';
