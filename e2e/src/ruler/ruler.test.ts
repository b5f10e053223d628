/**
 * The ruler against real components: lode serve evaluates a 1 s rule group over ingested error
 * lines; Debian's Alertmanager receives the alert and, when the lines stop, its resolution
 * (seen through Alertmanager's own webhook notifications); Debian's Prometheus receives a
 * recording rule's samples and the ALERTS series through remote write and answers them from its
 * query API.
 * Prints the ingest → Alertmanager latency (not asserted).
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startServer, type LodeServer } from '../support/server.js';
import { startAlertmanager, startPrometheus, which, type External } from './external.js';

const AM_BIN = which('prometheus-alertmanager') ?? which('alertmanager');
const PROM_BIN = which('prometheus');
const SKIP = !AM_BIN || !PROM_BIN ? 'needs Debian packages prometheus-alertmanager and prometheus (apt-get install -y prometheus-alertmanager prometheus)' : false;

const GROUP = `name: api-errors
interval: 1s
rules:
- alert: ApiErrors
  expr: sum by (app) (count_over_time({app="e2e-api"} |= "error" [3s])) > 0
  labels:
    severity: page
  annotations:
    summary: '{{ $labels.app }} logged {{ $value }} errors in 3s'
- record: app:errors:count3s
  expr: sum by (app) (count_over_time({app="e2e-api"} |= "error" [3s]))
`;

interface AmNotification {
  status: string;
  alerts: { status: string; labels: Record<string, string>; annotations: Record<string, string> }[];
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('ruler with Alertmanager and Prometheus', { skip: SKIP }, () => {
  let hookServer: Server;
  const notifications: AmNotification[] = [];
  let am: External;
  let prom: External;
  let lode: LodeServer;

  before(async () => {
    hookServer = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        notifications.push(JSON.parse(Buffer.concat(chunks).toString()) as AmNotification);
        res.end();
      });
    });
    await new Promise<void>((r) => hookServer.listen(0, '127.0.0.1', r));
    am = await startAlertmanager(AM_BIN!, `http://127.0.0.1:${(hookServer.address() as AddressInfo).port}/`);
    prom = await startPrometheus(PROM_BIN!);
    lode = await startServer({
      args: [
        '--ruler-alertmanager-url', am.url,
        '--ruler-remote-write-url', `${prom.url}/api/v1/write`,
        '--ruler-resend-delay', '1s',
      ],
    });
  });

  after(async () => {
    await lode?.close();
    await am?.close();
    await prom?.close();
    await new Promise((r) => hookServer?.close(r));
  });

  it('accepts the rule group through the config API', async () => {
    const res = await fetch(`${lode.addr}/loki/api/v1/rules/e2e`, { method: 'POST', headers: { 'content-type': 'application/yaml' }, body: GROUP });
    assert.equal(res.status, 202, await res.text());
  });

  it('fires into Alertmanager on error lines and resolves when they stop', async () => {
    const pushed = Date.now();
    const ns = BigInt(pushed) * 1_000_000n;
    const push = await fetch(`${lode.addr}/loki/api/v1/push`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ streams: [{ stream: { app: 'e2e-api' }, values: [[String(ns), 'level=error msg="disk full"'], [String(ns + 1n), 'level=error msg="again"']] }] }),
    });
    assert.equal(push.status, 204);
    const alert = await until('the alert in Alertmanager', async () => {
      const alerts = (await (await fetch(`${am.url}/api/v2/alerts`)).json()) as { labels: Record<string, string>; annotations: Record<string, string>; status: { state: string } }[];
      return alerts.find((a) => a.labels['alertname'] === 'ApiErrors');
    });
    console.log(`ruler e2e: ingest → Alertmanager has the alert: ${Date.now() - pushed} ms (1 s group interval)`);
    assert.equal(alert.labels['app'], 'e2e-api');
    assert.equal(alert.labels['severity'], 'page');
    assert.equal(alert.annotations['summary'], 'e2e-api logged 2 errors in 3s');
    assert.equal(alert.status.state, 'active');

    const firing = await until('Alertmanager\'s firing notification', async () => notifications.find((n) => n.status === 'firing'));
    assert.equal(firing.alerts[0]!.labels['alertname'], 'ApiErrors');
    // The 3 s window empties once the lines stop, the rule clears, lode sends endsAt, Alertmanager resolves.
    const resolved = await until('Alertmanager\'s resolved notification', async () => notifications.find((n) => n.status === 'resolved'));
    assert.equal(resolved.alerts[0]!.status, 'resolved');
    const state = (await (await fetch(`${lode.addr}/prometheus/api/v1/alerts`)).json()) as { data: { alerts: unknown[] } };
    assert.deepEqual(state.data.alerts, []);
  });

  it('remote-writes the recording rule\'s samples to Prometheus', async () => {
    const sample = await until('the recorded series in Prometheus', async () => {
      const res = await fetch(`${prom.url}/api/v1/query?query=${encodeURIComponent('max_over_time(app:errors:count3s[5m])')}`);
      const body = (await res.json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
      return body.data.result[0];
    });
    assert.equal(sample.metric['app'], 'e2e-api');
    assert.equal(sample.value[1], '2');
  });

  it('remote-writes ALERTS{alertname, alertstate} to Prometheus and counts what it sent', async () => {
    const sample = await until('the ALERTS series in Prometheus', async () => {
      const res = await fetch(`${prom.url}/api/v1/query?query=${encodeURIComponent('max_over_time(ALERTS{alertname="ApiErrors",alertstate="firing"}[5m])')}`);
      const body = (await res.json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
      return body.data.result[0];
    });
    assert.equal(sample.metric['app'], 'e2e-api');
    assert.equal(sample.metric['severity'], 'page');
    assert.equal(sample.value[1], '1');
    const metrics = await (await fetch(`${lode.addr}/metrics`)).text();
    const sent = /^lode_ruler_remote_write_samples_sent_total\{url="[^"]+"\} (\d+)/m.exec(metrics);
    assert.ok(sent && Number(sent[1]) > 0, 'lode counts the samples Prometheus accepted');
    assert.match(metrics, /^lode_ruler_remote_write_queue_length\{url="[^"]+"\} \d+/m);
  });

  it('stores ALERTS samples in lode, queryable with LogQL', async () => {
    const q = encodeURIComponent('max_over_time({__record__="ALERTS", alertname="ApiErrors", alertstate="firing"} | logfmt | unwrap value [5m])');
    const res = await fetch(`${lode.addr}/loki/api/v1/query?query=${q}`);
    const body = (await res.json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
    assert.equal(body.data.result.length, 1, JSON.stringify(body));
    assert.equal(body.data.result[0]!.metric['app'], 'e2e-api');
    assert.equal(body.data.result[0]!.value[1], '1');
  });

  it('stores the recorded samples in lode, queryable with LogQL', async () => {
    const q = encodeURIComponent('max_over_time({__record__="app:errors:count3s"} | logfmt | unwrap value [5m])');
    const res = await fetch(`${lode.addr}/loki/api/v1/query?query=${q}`);
    const body = (await res.json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
    assert.equal(body.data.result.length, 1, JSON.stringify(body));
    assert.equal(body.data.result[0]!.value[1], '2');
  });
});
