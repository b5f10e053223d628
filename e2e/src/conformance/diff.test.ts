/**
 * The differential LogQL suite (`../shared/conformance/diff.mjs`, 135 queries with the answers
 * Grafana Loki 3.4.6 gave) against a real `lode serve` loaded with the suite's seeded dataset.
 *
 * Not every case passes yet, so the test holds a floor that only rises. The known residuals:
 * - `avg_over_time(… | unwrap latency_ms …) by (instance)` and `avg(avg_over_time(… | unwrap …)
 *   by (instance))`: the golden encodes Loki 3.4.6's sharded avg_over_time bug (its denominator
 *   counts lines without the unwrap label); lode keeps the correct semantics, which Loki's own
 *   logqltest scripts expect.
 * - `count_over_time({app="legacy", …} | json | __error__="" | drop detected_level [10m])`: Loki
 *   3.4.6 leaves the json parser's empty string value (`"e":""`) out of that metric series, while
 *   the logqltest scripts (newest Loki) keep empty parsed labels (`age=""`) in series.
 * - `sum by (level) (count_over_time({app="checkout"} | json | drop … [10m]))`: lines with a
 *   duplicate `level` key; Loki 3.4.6's label hints make a `sum by (level)` take the first value
 *   while its log queries (which the other golden cases check) keep the last.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { failureLines, runScript, SKIP_REASON, startLode, summary } from './harness.js';

/** Passing cases measured when this floor was set; raise it as cases get fixed. */
const PASS_FLOOR = 133;
const TOTAL = 135;

test('LogQL differential suite against Loki 3.4.6 answers', { skip: SKIP_REASON, timeout: 360_000 }, async () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'lode-diff-'));
  const server = await startLode(['--limits.reject_old_samples=false']);
  try {
    const dataset = path.join(work, 'conformance.jsonl');
    const gen = await runScript('gen.mjs', ['--out', dataset]);
    assert.equal(gen.code, 0, `gen.mjs failed:\n${gen.stderr}`);
    const load = await runScript('load.mjs', ['--url', server.url, '--file', dataset]);
    assert.equal(load.code, 0, `load.mjs failed:\n${load.stdout}\n${load.stderr}`);

    const diff = await runScript('diff.mjs', ['--url', server.url, '--set', 'public']);
    const { passed, failed } = summary(diff.stdout);
    assert.equal(passed + failed, TOTAL, 'the suite ran every public case');
    const mismatches = failureLines(diff.stdout, 'MISMATCH');
    assert.ok(passed >= PASS_FLOOR, `${passed}/${TOTAL} passed, below the floor ${PASS_FLOOR}:\n${mismatches}`);
    if (failed === 0) assert.equal(diff.code, 0);
  } finally {
    await server.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
});
