/** Reads `/loki/api/v1/tail` parameters with Loki's defaults and error texts. */
import type { Limits } from '@lode/store';
import { parseExpr, ParseError } from '../logql/index.js';
import { BadRequest, limitParam, nowNs, param, timeParam, type Params } from './params.js';
import type { TailRequest } from './tail-session.js';

const ONE_HOUR_NS = 3600n * 1_000_000_000n;
/** Loki's `maxDelayForInTailing`. */
const MAX_DELAY_FOR_SECONDS = 5;

export function tailRequest(params: Params, limits: Readonly<Limits>): TailRequest {
  const query = param(params, 'query');
  if (query === undefined) throw new BadRequest('query parameter is required: a LogQL log query such as {app="api"}');
  let expr;
  try {
    expr = parseExpr(query);
  } catch (err) {
    if (err instanceof ParseError) throw new BadRequest(err.message);
    throw err;
  }
  if (expr.kind !== 'LogQuery') throw new BadRequest('tailing only supports log queries, not metric queries');
  const delayText = param(params, 'delay_for') ?? '0';
  const delay = Number(delayText);
  if (!/^\d+$/.test(delayText)) throw new BadRequest(`invalid parameter "delay_for": cannot parse "${delayText}" as a whole number of seconds`);
  if (delay > MAX_DELAY_FOR_SECONDS) throw new BadRequest(`delay_for can't be greater than ${MAX_DELAY_FOR_SECONDS}`);
  const limit = limitParam(params, 100);
  const max = limits.max_entries_limit_per_query;
  if (max > 0 && limit > max) throw new BadRequest(`max entries limit per query exceeded, limit > max_entries_limit (${limit} > ${max})`);
  return { expr, start: timeParam(params, 'start', nowNs() - ONE_HOUR_NS), limit, delayMs: delay * 1000 };
}
