/**
 * Compiles pipelines and regexps of a query, turning their failures into Loki's 400 texts
 * (`parse error : stage '…' : …`, `parse error : invalid regex in label_replace: …`).
 */
import { ParseError, type Stage } from '../logql/ast.js';
import { formatStage } from '../logql/index.js';
import { compileRe2 } from '@lode/store';
import { compilePipeline, type Pipeline, type PipelineOptions } from '../pipeline/index.js';
import { QueryError } from './errors.js';

export function compileStages(stages: readonly Stage[], opts: PipelineOptions = {}): Pipeline {
  try {
    return compilePipeline(stages, opts);
  } catch (err) {
    if (!(err instanceof Error) || err instanceof TypeError || err instanceof RangeError) throw err;
    for (const stage of stages) {
      try {
        compilePipeline([stage]);
      } catch (inner) {
        throw new QueryError(`parse error : stage '${formatStage(stage)}' : ${(inner as Error).message}`, 400);
      }
    }
    throw new QueryError(err instanceof ParseError ? err.message : `parse error : ${err.message}`, 400);
  }
}

/** The anchored regexp of `label_replace`. */
export function compileLabelReplaceRegex(regex: string): RegExp {
  const anchored = `^(?:${regex})$`;
  try {
    return compileRe2(anchored);
  } catch (err) {
    throw new QueryError(`parse error : invalid regex in label_replace: ${(err as Error).message}`, 400);
  }
}
