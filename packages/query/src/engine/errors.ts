/**
 * Errors the engine reports to clients, with Loki's HTTP status and Loki's exact texts.
 */
import { formatGoDuration } from '../logql/durations.js';
import { formatLabels } from './format.js';

/** A query failure the HTTP layer answers with `status` and `message` as a plain-text body. */
export class QueryError extends Error {
  override readonly name = 'QueryError';
  constructor(
    message: string,
    readonly status: number = 400,
  ) {
    super(message);
  }
}

export const errors = {
  instantLogQuery: () =>
    new QueryError(
      'log queries are not supported as an instant query type, please change your query to a range query type',
    ),
  maxSeries: (limit: number) => new QueryError(`maximum of series (${limit}) reached for a single query`),
  maxEntries: (requested: number, limit: number) =>
    new QueryError(
      `max entries limit per query exceeded, limit > max_entries_limit_per_query (${requested} > ${limit})`,
    ),
  maxPoints: () =>
    new QueryError(
      'exceeded maximum resolution of 11,000 points per time series. Try increasing the value of the step parameter',
    ),
  queryTooLong: (length: bigint, limit: bigint) =>
    new QueryError(
      `the query time range exceeds the limit (query length: ${formatGoDuration(length)}, limit: ${formatGoDuration(limit)})`,
    ),
  sketchInstantOnly: () => new QueryError('count min sketches are only supported on instant queries'),
  zeroStep: () =>
    new QueryError('zero or negative query resolution step widths are not accepted. Try a positive integer'),
  endBeforeStart: () => new QueryError('end timestamp must not be before start time'),
  // Loki's query frontend answers a query that ran past `query_timeout` with 504 and this text.
  timeout: () =>
    new QueryError('request timed out, decrease the duration of the request or add more label matchers', 504),
  canceled: () => new QueryError('context canceled', 499),
  pipeline: (series: Readonly<Record<string, string>>) => {
    const kind = series['__error__'] ?? '';
    return new QueryError(
      `pipeline error: '${kind}' for series: '${formatLabels(series)}'.\n` +
        `Use a label filter to intentionally skip this error. (e.g | __error__!="${kind}").\n` +
        `To skip all potential errors you can match empty errors.(e.g __error__="")\n` +
        `The label filter can also be specified after unwrap. (e.g | unwrap latency | __error__="" )\n`,
    );
  },
  multipleMatchesOneToOne: () =>
    new QueryError('multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)'),
  /** Loki's text (unlike Prometheus's, it names no match group). */
  duplicateSeries: (side: 'left' | 'right') =>
    new QueryError(
      `found duplicate series on the ${side} hand-side;` +
        'many-to-many matching not allowed: matching labels must be unique on one side',
    ),
  duplicateResult: () => new QueryError('multiple matches for labels: grouping labels must ensure unique matches'),
  sameLabelSet: () => new QueryError('vector cannot contain metrics with the same labelset'),
} as const;
