/**
 * Loki's own LogQL scripts (`../shared/conformance/logqltest/run.mjs`, 1,095 evaluations in
 * Loki's test DSL, the newest Loki semantics) against a real `lode serve` configured as the
 * runner's README asks: multi-tenant, no service_name/detected_level discovery, old samples
 * accepted, and no query splitting (so range queries are not aligned to the step grid). The
 * scripts expect the plain average of a grouped `avg_over_time` (newer Loki), so the server runs
 * with `avg_over_time_sharding: exact`; with the default (Loki 3.4's sharded arithmetic) the same
 * 32 avg_over_time evaluations fail as on Loki 3.4.6 itself.
 *
 * The floor only rises; every evaluation passes now, so any failure is a regression.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { failureLines, runScript, SKIP_REASON, startLode, summary } from './harness.js';

/** Passing evaluations measured when this floor was set; raise it as cases get fixed. */
const PASS_FLOOR = 1095;
const TOTAL = 1095;

test("Loki's logqltest scripts", { skip: SKIP_REASON, timeout: 240_000 }, async () => {
  const server = await startLode([
    '--multi-tenant',
    '--limits.reject_old_samples=false',
    '--limits.discover_service_name=',
    '--limits.discover_log_levels=false',
    '--limits.split_queries_by_interval=0',
    '--avg-over-time-sharding=exact',
  ]);
  try {
    const run = await runScript('logqltest/run.mjs', ['--url', server.url]);
    assert.notEqual(run.code, 2, `run.mjs could not use the server:\n${run.stdout}\n${run.stderr}`);
    const { passed, failed } = summary(run.stdout);
    assert.equal(passed + failed, TOTAL, 'the runner evaluated every case');
    assert.ok(passed >= PASS_FLOOR, `${passed}/${TOTAL} passed, below the floor ${PASS_FLOOR}:\n${failureLines(run.stdout, 'FAIL')}`);
  } finally {
    await server.stop();
  }
});
