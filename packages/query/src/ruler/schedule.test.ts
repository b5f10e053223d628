import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import { evaluationOffset, fnv1a64, nextEvaluation } from './schedule.js';
import { req, startHarness } from './test-support.js';

describe('group evaluation schedule', () => {
  it('hashes with FNV-1a 64', () => {
    assert.equal(fnv1a64(''), 0xcbf29ce484222325n);
    assert.equal(fnv1a64('a'), 0xaf63dc4c8601ec8cn);
    assert.equal(fnv1a64('foobar'), 0x85944171f73967e8n);
  });

  it('gives each group a stable offset inside its interval, spread across groups', () => {
    const a = evaluationOffset('t1', 'ns', 'g', 60_000);
    assert.equal(evaluationOffset('t1', 'ns', 'g', 60_000), a, 'stable');
    assert.notEqual(evaluationOffset('t1', 'n', 'sg', 60_000), a, 'the parts are separated');
    const offsets = new Set<number>();
    for (let i = 0; i < 100; i++) {
      const o = evaluationOffset('t1', 'ns', `group-${i}`, 60_000);
      assert.ok(o >= 0 && o < 60_000 && Number.isInteger(o));
      offsets.add(Math.floor(o / 6_000));
    }
    assert.equal(offsets.size, 10, '100 groups land in every tenth of the interval');
  });

  it('picks the next slot k·interval + offset strictly after now', () => {
    assert.equal(nextEvaluation(125_000, 60_000, 7_000), 127_000);
    assert.equal(nextEvaluation(126_999, 60_000, 7_000), 127_000);
    assert.equal(nextEvaluation(127_000, 60_000, 7_000), 187_000);
    assert.equal(nextEvaluation(5_000, 60_000, 7_000), 7_000);
    assert.equal(nextEvaluation(60_000, 60_000, 0), 120_000);
  });

  it('evaluates a group first at its slot, then every interval, with the slot as evaluation time', async () => {
    const interval = 60_000;
    const t0 = Math.floor(Date.now() / interval) * interval - 3_600_000;
    let clock = t0;
    const h = await startHarness({ now: () => clock });
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      assert.equal((await req(`${h.url}/loki/api/v1/rules/ns`, 't1', 'POST', 'name: g\ninterval: 1m\nrules:\n- alert: A\n  expr: vector(1)\n')).status, 202);
      const slot = t0 + evaluationOffset('t1', 'ns', 'g', interval);
      const lastEvaluation = async (): Promise<string> => {
        const res = await fetch(`${h.url}/prometheus/api/v1/rules`, { headers: { 'x-scope-orgid': 't1' } });
        return ((await res.json()) as { data: { groups: { lastEvaluation: string }[] } }).data.groups[0]!.lastEvaluation;
      };
      const settle = (): Promise<void> => new Promise((r) => setImmediate(r));
      // setTimeout is mocked: wait for the evaluation by polling, bounded by the real clock.
      const changedFrom = async (prev: string): Promise<void> => {
        const deadline = performance.now() + 5_000;
        while (performance.now() < deadline && (await lastEvaluation()) === prev) await settle();
      };
      assert.equal(await lastEvaluation(), '0001-01-01T00:00:00Z', 'not evaluated at load');
      clock = slot - 1;
      mock.timers.tick(slot - t0 - 1);
      await settle();
      assert.equal(await lastEvaluation(), '0001-01-01T00:00:00Z', 'not before its slot');
      clock = slot;
      mock.timers.tick(1);
      await changedFrom('0001-01-01T00:00:00Z');
      assert.equal(await lastEvaluation(), new Date(slot).toISOString());
      clock = slot + interval;
      mock.timers.tick(interval);
      await changedFrom(new Date(slot).toISOString());
      assert.equal(await lastEvaluation(), new Date(slot + interval).toISOString());
    } finally {
      mock.timers.reset();
      await h.close();
    }
  });
});
