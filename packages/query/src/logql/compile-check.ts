/**
 * Parse-time checks that need the compilers, as Loki makes them while parsing: every pipeline
 * (stage regexps, templates, patterns, json paths, ip() arguments) and every label_replace regexp
 * must compile. Failures are ParseErrors with Loki's texts (`parse error : stage '…' : …`,
 * `parse error : invalid regex in label_replace: …`), so `format_query`, the ruler and the engine
 * all reject such a query the same way (400).
 */
import { compilePipeline } from '../pipeline/pipeline.js';
import { compileRe2 } from '@lode/store';
import { logSelections } from './analysis.js';
import { ParseError, type Expr, type Stage } from './ast.js';
import { formatStage } from './printer.js';

export function checkCompiles(e: Expr): void {
  for (const sel of logSelections(e)) checkPipeline(sel.pipeline);
  checkLabelReplace(e);
}

function isCompileFailure(err: unknown): err is Error {
  return err instanceof Error && !(err instanceof TypeError) && !(err instanceof RangeError);
}

function checkPipeline(stages: readonly Stage[]): void {
  for (const stage of stages) {
    try {
      compilePipeline([stage]);
    } catch (err) {
      if (!isCompileFailure(err)) throw err;
      throw new ParseError(`parse error : stage '${formatStage(stage)}' : ${err.message}`);
    }
  }
}

function checkLabelReplace(e: Expr): void {
  switch (e.kind) {
    case 'LabelReplace':
      try {
        compileRe2(`^(?:${e.regex})$`);
      } catch (err) {
        if (!isCompileFailure(err)) throw err;
        throw new ParseError(`parse error : invalid regex in label_replace: ${err.message}`);
      }
      return checkLabelReplace(e.inner);
    case 'VectorAggregation':
      return checkLabelReplace(e.inner);
    case 'BinaryOp':
      checkLabelReplace(e.left);
      return checkLabelReplace(e.right);
    default:
      return;
  }
}
