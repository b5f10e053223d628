/** Reads the log queries and stream selectors that the HTTP endpoints take (`query=`, `match[]=`). */
import type { Matcher } from '@lode/store';
import { parseExpr, ParseError, type LogQueryExpr } from '../logql/index.js';
import { BadRequest } from './params.js';

/** A log query; a metric query or a syntax error is a 400 with Loki's text (`notLog` says what is allowed instead). */
export function parseLogQuery(text: string, notLog = 'only log queries are supported here, such as {app="api"} |= "error"'): LogQueryExpr {
  let expr;
  try {
    expr = parseExpr(text);
  } catch (err) {
    if (err instanceof ParseError) throw new BadRequest(err.message);
    throw err;
  }
  if (expr.kind !== 'LogQuery') throw new BadRequest(notLog);
  return expr;
}

/** The matchers of a log selector, for the metadata endpoints. */
export function selectorMatchers(text: string): Matcher[] {
  return [...parseLogQuery(text, 'only label matchers are supported').matchers];
}
