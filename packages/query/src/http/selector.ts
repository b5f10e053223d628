/** Reads the stream selector that metadata endpoints take (`query=`, `match[]=`). */
import type { Matcher } from '@lode/store';
import { parseExpr, ParseError } from '../logql/index.js';
import { BadRequest } from './params.js';

/** The matchers of a log selector; a metric query or a syntax error is a 400 with Loki's text. */
export function selectorMatchers(text: string): Matcher[] {
  let expr;
  try {
    expr = parseExpr(text);
  } catch (err) {
    if (err instanceof ParseError) throw new BadRequest(err.message);
    throw err;
  }
  if (expr.kind !== 'LogQuery') throw new BadRequest('only label matchers are supported');
  return [...expr.matchers];
}
