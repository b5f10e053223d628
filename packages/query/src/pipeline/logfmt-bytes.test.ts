import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Labels } from '@lode/store';
import { parseExpr, type RangeAggregationExpr } from '../logql/index.js';
import { compilePipeline, parserHints } from './index.js';

const STREAM: Labels = { app: 'a', level: 'stream-level' };

/**
 * The labels of `line` through a hinted metric pipeline, read as text and as bytes (both use the
 * byte scanner), each after its reference: the unhinted string parser's labels restricted to
 * the stream labels, the error pair and the hinted names.
 */
function fourWays(query: string, groups: string[], line: string): (Labels | undefined)[] {
  const r = (parseExpr(query) as RangeAggregationExpr).range;
  const hints = parserHints(r.pipeline, r.unwrap, { groups, without: false, noLabels: false });
  const compile = (hinted: boolean) =>
    compilePipeline(r.pipeline, {
      ...(r.unwrap ? { unwrap: r.unwrap } : {}),
      ...(hinted ? { hints } : {}),
      firstDuplicateWins: true,
    });
  const view = (res: { labels: Labels; value?: number } | undefined, keep?: ReadonlySet<string>): Labels | undefined => {
    if (!res) return undefined;
    const out: Record<string, string> = { __value: String(res.value) };
    for (const [k, v] of Object.entries(res.labels)) if (!keep || keep.has(k) || k in STREAM || k.startsWith('__error')) out[k] = v;
    return out;
  };
  // Bytes always hold well-formed UTF-8: a lone surrogate of the text reads back as U+FFFD.
  const decoded = Buffer.from(line, 'utf8').toString('utf8');
  return [
    view(compile(false).process(0n, line, undefined, STREAM, {}), hints.required),
    view(compile(false).process(0n, decoded, undefined, STREAM, {}), hints.required),
    view(compile(true).process(0n, line, undefined, STREAM, {})),
    view(compile(true).processBytes(0n, Buffer.from(line, 'utf8'), STREAM, {})),
  ];
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
  'level=\ud83d\ude00 status=513',
  'level=\ud800 status=514 \udc00=x',
  '',
  '   ',
];

describe('hinted logfmt scanner', () => {
  for (const [query, groups] of [
    ['count_over_time({app="a"} | logfmt | status >= 500 [1m])', ['level']],
    ['count_over_time({app="a"} | logfmt [1m])', ['level_extracted', 'status']],
    ['count_over_time({app="a"} | logfmt --keep-empty [1m])', ['level', '_1level', 'sta_tus', 'status']],
    ['sum_over_time({app="a"} | logfmt | unwrap status [1m])', ['le_vel']],
  ] as const) {
    it(`matches the string parser: ${query} by (${groups.join(', ')})`, () => {
      for (const line of LINES) {
        const [reference, decodedReference, text, bytes] = fourWays(query, [...groups], line);
        assert.deepEqual(text, reference, line);
        assert.deepEqual(bytes, decodedReference, line);
      }
    });
  }
});
