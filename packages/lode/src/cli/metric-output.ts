/** Prints a metric result (vector, matrix, scalar) in the chosen output mode. */
import { matrixTable, samplesOf, vectorTable, type OutputMode } from './format.js';
import type { QueryData } from './loki-types.js';

export function printMetric(data: Exclude<QueryData, { resultType: 'streams' }>, mode: OutputMode, colour: boolean): void {
  const out = process.stdout;
  if (mode === 'json') {
    out.write(JSON.stringify({ resultType: data.resultType, result: data.result }) + '\n');
    return;
  }
  if (data.resultType === 'scalar') {
    const [t, v] = data.result;
    out.write(mode === 'jsonl' ? JSON.stringify({ time: t, value: v }) + '\n' : v + '\n');
    return;
  }
  if (mode === 'default') {
    out.write(data.resultType === 'vector' ? vectorTable(data.result, colour) : matrixTable(data.result, colour));
    return;
  }
  for (const s of samplesOf(data.result)) out.write(mode === 'jsonl' ? JSON.stringify(s) + '\n' : s.value + '\n');
}
