import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_LIMITS } from '@lode/store';
import { evaluateInstant } from '../engine/index.js';
import { req, startHarness, type Harness } from './test-support.js';

interface Receiver {
  url: string;
  bodies: unknown[];
  /** Requests answered with 503 before the receiver starts accepting. */
  failures: number;
  close(): Promise<void>;
}

async function receiver(failFirst: number): Promise<Receiver> {
  const r: Receiver = { url: '', bodies: [], failures: 0, close: async () => {} };
  const server: Server = createServer((request: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      if (r.failures < failFirst) {
        r.failures++;
        res.writeHead(503).end('busy');
        return;
      }
      r.bodies.push({ path: request.url, tenant: request.headers['x-scope-orgid'], body: JSON.parse(Buffer.concat(chunks).toString()) });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  r.close = () => new Promise((done) => server.close(() => done()));
  return r;
}

const ALERT_GROUP = `name: errs
interval: 1h
rules:
- alert: ApiErrors
  expr: sum by (app) (count_over_time({app="api"} |= "error" [1m])) > 0
  labels:
    severity: page
  annotations:
    summary: '{{ $labels.app }} logged {{ $value }} errors'
- record: app:errors:count1m
  expr: sum by (app) (count_over_time({app="api"} |= "error" [1m]))
  labels:
    source: lode
- alert: Broken
  expr: sum(rate({app="api"} | logfmt | unwrap level [1m])) > 0
`;

describe('rule evaluation', () => {
  let h: Harness;
  let am: Receiver;
  let hook: Receiver;
  before(async () => {
    am = await receiver(2);
    hook = await receiver(0);
    h = await startHarness({ alertmanagerUrls: [am.url], webhookUrls: [`${hook.url}/hook`], notifierBackoffMs: 10 });
    const now = BigInt(Date.now()) * 1_000_000n;
    await h.store.append('t1', [
      {
        labels: { app: 'api' },
        entries: [
          { ts: now - 2_000_000_000n, line: 'level=error msg="boom"' },
          { ts: now - 1_000_000_000n, line: 'level=error msg="again"' },
          { ts: now - 1_000_000_000n, line: 'level=info msg="fine"' },
        ],
      },
    ]);
    assert.equal((await req(`${h.url}/loki/api/v1/rules/ns`, 't1', 'POST', ALERT_GROUP)).status, 202);
  });
  after(async () => {
    await h.close();
    await am.close();
    await hook.close();
  });

  it('fires, notifies Alertmanager through retries, and calls the webhook', async () => {
    await h.ruler.evaluateNow('t1');
    await h.ruler.flush();
    assert.equal(am.failures, 2, 'the first two deliveries failed and were retried');
    assert.equal(am.bodies.length, 1);
    const sent = am.bodies[0] as { path: string; tenant: string; body: Record<string, unknown>[] };
    assert.equal(sent.path, '/api/v2/alerts');
    assert.equal(sent.tenant, 't1');
    assert.equal(sent.body.length, 1);
    assert.deepEqual(sent.body[0]!['labels'], { alertname: 'ApiErrors', app: 'api', severity: 'page' });
    assert.deepEqual(sent.body[0]!['annotations'], { summary: 'api logged 2 errors' });
    assert.ok(Date.parse(sent.body[0]!['endsAt'] as string) > Date.now(), 'a firing alert ends in the future');
    const hooked = hook.bodies[0] as { path: string; body: { status: string; alerts: unknown[] } };
    assert.equal(hooked.path, '/hook');
    assert.equal(hooked.body.status, 'firing');
    assert.equal(hooked.body.alerts.length, 1);
    const metrics = await h.registry.metrics();
    assert.match(metrics, /lode_ruler_notifications_total\{target="http:\/\/127\.0\.0\.1:\d+"\} 1/);
    // Each evaluation (evaluateNow, or a scheduled one at its slot) runs 3 rules, 1 of which fails.
    const evals = Number(/lode_ruler_evaluations_total\{tenant="t1",rule_group="ns;errs"\} (\d+)/.exec(metrics)?.[1]);
    const failures = Number(/lode_ruler_evaluation_failures_total\{tenant="t1",rule_group="ns;errs"\} (\d+)/.exec(metrics)?.[1]);
    assert.ok(failures >= 1);
    assert.equal(evals, 3 * failures);
    assert.match(metrics, /lode_ruler_evaluation_duration_seconds_count\{tenant="t1",rule_group="ns;errs"\} \d+/);
  });

  it('shows rule state, health and errors in Prometheus JSON', async () => {
    const res = await fetch(`${h.url}/prometheus/api/v1/rules`, { headers: { 'x-scope-orgid': 't1' } });
    const body = (await res.json()) as { data: { groups: { name: string; file: string; interval: number; rules: Record<string, unknown>[] }[] } };
    const [g] = body.data.groups;
    assert.equal(g!.name, 'errs');
    assert.equal(g!.file, 'ns');
    assert.equal(g!.interval, 3600);
    const [alert, record, broken] = g!.rules;
    assert.equal(alert!['type'], 'alerting');
    assert.equal(alert!['state'], 'firing');
    assert.equal(alert!['health'], 'ok');
    assert.equal((alert!['alerts'] as { value: string }[])[0]!.value, '2e+00');
    assert.equal(record!['type'], 'recording');
    assert.equal(record!['health'], 'ok');
    assert.equal(broken!['health'], 'err');
    assert.match(broken!['lastError'] as string, /pipeline error: .SampleExtractionErr/);
    const filtered = await fetch(`${h.url}/prometheus/api/v1/rules?type=record`, { headers: { 'x-scope-orgid': 't1' } });
    const fb = (await filtered.json()) as { data: { groups: { rules: { name: string }[] }[] } };
    assert.deepEqual(fb.data.groups[0]!.rules.map((r) => r.name), ['app:errors:count1m']);
    const byName = await fetch(`${h.url}/prometheus/api/v1/rules?rule_name[]=nothing`, { headers: { 'x-scope-orgid': 't1' } });
    assert.deepEqual(((await byName.json()) as { data: { groups: unknown[] } }).data.groups, []);
    const bad = await fetch(`${h.url}/prometheus/api/v1/rules?type=x`, { headers: { 'x-scope-orgid': 't1' } });
    assert.equal(bad.status, 400);
    const alerts = await fetch(`${h.url}/prometheus/api/v1/alerts`, { headers: { 'x-scope-orgid': 't1' } });
    const ab = (await alerts.json()) as { data: { alerts: { labels: Record<string, string>; state: string }[] } };
    assert.deepEqual(ab.data.alerts.map((a) => [a.labels['alertname'], a.state]), [['ApiErrors', 'firing']]);
    const other = await fetch(`${h.url}/prometheus/api/v1/alerts`, { headers: { 'x-scope-orgid': 't2' } });
    assert.deepEqual(((await other.json()) as { data: { alerts: unknown[] } }).data.alerts, [], 'tenants never see each other\'s alerts');
  });

  it('stores recorded samples as a stream queryable with LogQL', async () => {
    const t = BigInt(Date.now()) * 1_000_000n;
    const res = await evaluateInstant(h.store, {
      tenant: 't1',
      query: 'last_over_time({__record__="app:errors:count1m"} | logfmt | unwrap value [1m])',
      start: t,
      end: t,
      limit: 100,
      direction: 'backward',
      limits: DEFAULT_LIMITS,
    });
    assert.equal(res.resultType, 'vector');
    const [s] = res.result as { metric: Record<string, string>; value: [number, string] }[];
    assert.deepEqual(s!.metric, { __record__: 'app:errors:count1m', app: 'api', source: 'lode' });
    assert.equal(s!.value[1], '2');
  });

  it('resolves the alert when the lines stop, with endsAt at the resolution', async () => {
    assert.equal((await req(`${h.url}/loki/api/v1/rules/ns`, 't1', 'POST', ALERT_GROUP.replace('> 0', '> 100'))).status, 202);
    await h.ruler.evaluateNow('t1');
    await h.ruler.flush();
    const last = am.bodies.at(-1) as { body: Record<string, unknown>[] };
    assert.equal(last.body.length, 1);
    assert.ok(Date.parse(last.body[0]!['endsAt'] as string) <= Date.now(), 'endsAt marks the resolution');
    const alerts = await fetch(`${h.url}/prometheus/api/v1/alerts`, { headers: { 'x-scope-orgid': 't1' } });
    assert.deepEqual(((await alerts.json()) as { data: { alerts: unknown[] } }).data.alerts, []);
  });

  it('counts alerts it could not deliver', async () => {
    const down = await receiver(1000);
    const h2 = await startHarness({ alertmanagerUrls: [down.url], notifierBackoffMs: 1, notifierMaxAttempts: 3 });
    try {
      await req(`${h2.url}/loki/api/v1/rules/ns`, 't1', 'POST', 'name: g\nrules:\n- alert: Always\n  expr: vector(1)\n');
      await h2.ruler.evaluateNow('t1');
      await h2.ruler.flush();
      assert.equal(down.failures, 3);
      assert.match(await h2.registry.metrics(), /lode_ruler_notifications_failed_total\{target="[^"]+"\} 1/);
    } finally {
      await h2.close();
      await down.close();
    }
  });
});
