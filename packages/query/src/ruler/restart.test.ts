import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_LIMITS, type Store } from '@lode/store';
import { evaluateInstant } from '../engine/index.js';
import { req, startHarness, type Harness } from './test-support.js';

const MIN = 60_000;

// Two always-true alerts with different `for`; interval 1h so only the test's evaluateNow runs them.
const GROUP = `name: g
interval: 1h
rules:
- alert: Slow
  expr: vector(1)
  for: 10m
- alert: Quick
  expr: vector(1)
  for: 1m
  labels:
    severity: page
`;

interface ApiAlert {
  labels: Record<string, string>;
  state: string;
  activeAt: string;
}

async function alerts(h: Harness): Promise<Record<string, { state: string; activeAt: number }>> {
  const res = await fetch(`${h.url}/prometheus/api/v1/alerts`, { headers: { 'x-scope-orgid': 't1' } });
  const body = (await res.json()) as { data: { alerts: ApiAlert[] } };
  return Object.fromEntries(body.data.alerts.map((a) => [a.labels['alertname'], { state: a.state, activeAt: Date.parse(a.activeAt) }]));
}

async function instant(store: Store, query: string, ms: number): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const t = BigInt(ms) * 1_000_000n;
  const res = await evaluateInstant(store, { tenant: 't1', query, start: t, end: t, limit: 100, direction: 'backward', limits: DEFAULT_LIMITS });
  assert.equal(res.resultType, 'vector');
  return res.result as { metric: Record<string, string>; value: [number, string] }[];
}

/** A ruler on `dir` running GROUP, evaluated at t0 and t0 + 2m (Quick firing, Slow pending); the clock ends at t0 + 2m. */
async function startWithAlerts(dir: string, t0: number, clock: { set(ms: number): void; now(): number }): Promise<Harness> {
  clock.set(t0);
  const h = await startHarness({ now: clock.now }, dir);
  assert.equal((await req(`${h.url}/loki/api/v1/rules/ns`, 't1', 'POST', GROUP)).status, 202);
  await h.ruler.evaluateNow('t1');
  clock.set(t0 + 2 * MIN);
  await h.ruler.evaluateNow('t1');
  return h;
}

describe('alert state across restarts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lode-'));
  // A clock the test moves; three hours back so every sample is within the store's accepted age.
  const t0 = Math.floor(Date.now() / 1000) * 1000 - 3 * 3_600_000;
  let clock = t0;
  const now = (): number => clock;
  let h: Harness;

  before(async () => {
    h = await startWithAlerts(dir, t0, { set: (ms) => (clock = ms), now });
  });
  after(async () => {
    await h.shutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes ALERTS{alertname, alertstate, …} samples for pending and firing alerts', async () => {
    const series = await instant(h.store, 'sum by (alertname, alertstate, severity) (count_over_time({__record__="ALERTS"} | logfmt | value="1" [1m]))', clock);
    const got = series.map((s) => [s.metric['alertname'], s.metric['alertstate'], s.metric['severity'] ?? '', s.value[1]]).sort();
    assert.deepEqual(got, [
      ['Quick', 'firing', 'page', '1'],
      ['Slow', 'pending', '', '1'],
    ]);
    const earlier = await instant(h.store, 'count_over_time({__record__="ALERTS", alertname="Quick", alertstate="pending"}[1m])', t0);
    assert.equal(earlier.length, 1, 'Quick was pending at the first evaluation');
  });

  it('keeps a firing alert firing and moves a pending alert\'s `for` clock on by the downtime', async () => {
    await h.shutdown();
    clock = t0 + 3 * MIN;
    h = await startHarness({ now, forGracePeriodMs: 0 }, dir);
    assert.deepEqual(await alerts(h), {
      Quick: { state: 'firing', activeAt: t0 },
      Slow: { state: 'pending', activeAt: t0 + MIN },
    });
    clock = t0 + 10 * MIN;
    await h.ruler.evaluateNow('t1');
    assert.equal((await alerts(h))['Slow']!.state, 'pending', 'the minute the ruler was down does not count');
    clock = t0 + 11 * MIN;
    await h.ruler.evaluateNow('t1');
    assert.deepEqual(await alerts(h), {
      Quick: { state: 'firing', activeAt: t0 },
      Slow: { state: 'firing', activeAt: t0 + MIN },
    }, 'Slow fires after 10m of pending time, not 10m after the restart');
  });

  it('does not restore a rule whose expr changed while the ruler was down', async () => {
    await h.shutdown();
    writeFileSync(join(dir, 'rules', 't1', 'ns.yaml'), `groups:\n- ${GROUP.replace('vector(1)\n  for: 10m', 'vector(2)\n  for: 10m').replaceAll('\n', '\n  ')}`);
    clock = t0 + 11 * MIN;
    h = await startHarness({ now, forGracePeriodMs: 0 }, dir);
    assert.deepEqual(Object.keys(await alerts(h)), ['Quick']);
  });

  it('does not restore state older than the outage tolerance', async () => {
    await h.shutdown();
    clock = t0 + 11 * MIN + 3_600_000 + 1;
    h = await startHarness({ now }, dir);
    assert.deepEqual(await alerts(h), {});
    await h.ruler.evaluateNow('t1');
    assert.equal((await alerts(h))['Quick']!.activeAt, clock, 'the alert starts a new episode');
  });

  it('forgets the state of a group removed while the ruler was down', async () => {
    await h.shutdown();
    const stateFile = join(dir, 'rules-state', 't1.json');
    assert.equal((JSON.parse(readFileSync(stateFile, 'utf8')) as { groups: unknown[] }).groups.length, 1);
    writeFileSync(join(dir, 'rules', 't1', 'ns.yaml'), 'groups: []\n');
    h = await startHarness({ now }, dir);
    assert.deepEqual((JSON.parse(readFileSync(stateFile, 'utf8')) as { groups: unknown[] }).groups, []);
  });

  it('starts afresh from an unreadable state file', async () => {
    await h.shutdown();
    writeFileSync(join(dir, 'rules-state', 't1.json'), '{"version":1,"savedAt":"soon"');
    h = await startHarness({ now }, dir);
    assert.equal((await req(`${h.url}/loki/api/v1/rules/ns`, 't1', 'POST', GROUP)).status, 202);
    assert.deepEqual(await alerts(h), {});
    await h.ruler.evaluateNow('t1');
    assert.deepEqual(await alerts(h), { Quick: { state: 'pending', activeAt: clock }, Slow: { state: 'pending', activeAt: clock } });
  });
});

describe('alert state restore with the default 10m grace period', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lode-'));
  const t0 = Math.floor(Date.now() / 1000) * 1000 - 3 * 3_600_000;
  let clock = t0;
  const now = (): number => clock;
  let h: Harness;

  before(async () => {
    h = await startWithAlerts(dir, t0, { set: (ms) => (clock = ms), now });
    await h.shutdown();
    clock = t0 + 3 * MIN;
    h = await startHarness({ now }, dir);
  });
  after(async () => {
    await h.shutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('skips rules whose `for` is shorter than the grace period and gives a pending alert at least the grace period', async () => {
    assert.deepEqual(await alerts(h), { Slow: { state: 'pending', activeAt: t0 + 3 * MIN } }, 'Quick (for: 1m) is not restored');
    clock = t0 + 12 * MIN;
    await h.ruler.evaluateNow('t1');
    assert.deepEqual(await alerts(h), {
      Quick: { state: 'pending', activeAt: t0 + 12 * MIN },
      Slow: { state: 'pending', activeAt: t0 + 3 * MIN },
    });
    clock = t0 + 13 * MIN;
    await h.ruler.evaluateNow('t1');
    assert.deepEqual(await alerts(h), {
      Quick: { state: 'firing', activeAt: t0 + 12 * MIN },
      Slow: { state: 'firing', activeAt: t0 + 3 * MIN },
    }, 'Slow had 8m left at the restart, less than the grace period: it fires 10m after the restart');
  });
});
