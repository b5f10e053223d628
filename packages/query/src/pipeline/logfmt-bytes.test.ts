import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Labels } from '@lode/store';
import { parseExpr, type RangeAggregationExpr } from '../logql/index.js';
import { compilePipeline, parserHints } from './index.js';

const STREAM: Labels = { app: 'a', level: 'stream-level' };

/** The labels of `line` through a hinted metric pipeline, read as a string and as bytes. */
function bothWays(query: string, groups: string[], line: string): [Labels | undefined, Labels | undefined] {
  const r = (parseExpr(query) as RangeAggregationExpr).range;
  const compile = () =>
    compilePipeline(r.pipeline, {
      ...(r.unwrap ? { unwrap: r.unwrap } : {}),
      hints: parserHints(r.pipeline, r.unwrap, { groups, without: false, noLabels: false }),
      firstDuplicateWins: true,
      dropEmptyJson: true,
    });
  const text = compile().process(0n, line, undefined, STREAM, {});
  const fromText = text && { ...text.labels, __value: String(text.value) };
  const bytes = compile().processBytes(0n, Buffer.from(line, 'utf8'), STREAM, {});
  const fromBytes = bytes && { ...bytes.labels, __value: String(bytes.value) };
  return [fromText, fromBytes];
}

const LINES = [
  'level=info status=500 duration_ms=12',
  'status=503 level=warn status=200 level=error',
  'level="quoted value" status="5\\"0\\"0" x=1',
  'level= status=500',
  'level status=501',
  'level="" status=502',
  '1level=a 2status=b _1level=c status=504',
  'le.vel=dot sta-tus=dash status=505',
  'lével=x st\u00e4tus=y status=506 level=\u00fcber',
  '{"level":"info","status":500}',
  'INFO [worker-3] Processing job 1 for queue q: done after 12ms',
  'status=5"00 level=bad"quote status=507',
  'level="unterminated status=508',
  'level="a"b status=509',
  '=x level=ok ="y" status=510',
  'status=511 level=verylongvaluebeyondthecache',
  'level=\u0000\u007f status=512',
  '',
  '   ',
];

describe('hinted logfmt on bytes', () => {
  for (const [query, groups] of [
    ['count_over_time({app="a"} | logfmt | status >= 500 [1m])', ['level']],
    ['count_over_time({app="a"} | logfmt [1m])', ['level_extracted', 'status']],
    ['count_over_time({app="a"} | logfmt --keep-empty [1m])', ['level', '_1level', 'sta_tus', 'status']],
    ['sum_over_time({app="a"} | logfmt | unwrap status [1m])', ['le_vel']],
  ] as const) {
    it(`matches the string parser: ${query} by (${groups.join(', ')})`, () => {
      for (const line of LINES) {
        const [text, bytes] = bothWays(query, [...groups], line);
        assert.deepEqual(bytes, text, line);
      }
    });
  }
});
