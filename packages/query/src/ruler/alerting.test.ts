import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AlertingRule, type RuleSample } from './alerting.js';
import { compileGroup, decodeGroup } from './rulefmt.js';
import { formatExp } from './state-api.js';
import { AlertTemplate } from './template.js';

function rule(extra: string): AlertingRule {
  const def = decodeGroup({
    name: 'g',
    rules: [
      {
        alert: 'Errors',
        expr: 'sum by (app) (count_over_time({app="x"} [1m]))',
        labels: { severity: 'page', app_upper: '{{ $labels.app | toUpper }}' },
        annotations: { summary: '{{ $labels.app }}: {{ $value }} errors ({{ humanize $value }})' },
        ...JSON.parse(extra),
      },
    ],
  });
  return new AlertingRule(compileGroup(def)[0]!);
}

const hit = (value = 3): RuleSample[] => [{ labels: { app: 'api' }, value }];

describe('alert state machine', () => {
  it('goes pending, then firing after `for`, then resolves and is reported once resolved', () => {
    const r = rule('{"for": "2m"}');
    r.update(hit(), 0, 0);
    assert.equal(r.state(), 'pending');
    assert.deepEqual(r.due(0, 60_000, 10_000), [], 'pending alerts are not sent');
    r.update(hit(), 60_000, 0);
    assert.equal(r.state(), 'pending');
    r.update(hit(), 120_000, 0);
    assert.equal(r.state(), 'firing');
    const [a] = [...r.active.values()];
    assert.deepEqual(a!.labels, { alertname: 'Errors', app: 'api', app_upper: 'API', severity: 'page' });
    assert.equal(a!.annotations['summary'], 'api: 3 errors (3)');
    assert.equal(a!.activeAt, 0);
    assert.equal(r.due(120_000, 60_000, 10_000).length, 1);
    assert.equal(r.due(130_000, 60_000, 10_000).length, 0, 'not re-sent before resend_delay');
    assert.equal(r.due(190_000, 60_000, 10_000).length, 1, 're-sent while firing');
    r.update([], 200_000, 0);
    assert.equal(r.state(), 'inactive');
    const resolved = r.due(200_000, 60_000, 10_000);
    assert.equal(resolved.length, 1);
    assert.equal(resolved[0]!.resolvedAt, 200_000);
    r.update([], 200_000 + 16 * 60_000, 0);
    assert.equal(r.active.size, 0, 'resolved alerts are forgotten after 15 minutes');
  });

  it('drops a pending alert that disappears before `for`', () => {
    const r = rule('{"for": "5m"}');
    r.update(hit(), 0, 0);
    r.update([], 60_000, 0);
    assert.equal(r.active.size, 0);
    r.update(hit(), 120_000, 0);
    assert.equal([...r.active.values()][0]!.activeAt, 120_000, 'a new episode starts pending again');
  });

  it('fires at once without `for`', () => {
    const r = rule('{}');
    r.update(hit(), 0, 0);
    assert.equal(r.state(), 'firing');
  });

  it('keeps firing for `keep_firing_for` after the condition clears', () => {
    const r = rule('{"keep_firing_for": "1m"}');
    r.update(hit(), 0, 0);
    r.update([], 10_000, 0);
    assert.equal(r.state(), 'firing');
    assert.equal([...r.active.values()][0]!.keepFiringSince, 10_000);
    r.update([], 60_000, 0);
    assert.equal(r.state(), 'firing');
    r.update([], 70_000, 0);
    assert.equal(r.state(), 'inactive');
  });

  it('reports the limit being exceeded and drops the alerts', () => {
    const r = rule('{}');
    assert.throws(() => r.update([{ labels: { app: 'a' }, value: 1 }, { labels: { app: 'b' }, value: 1 }], 0, 1), /exceeded limit of 1 with 2 alerts/);
    assert.equal(r.active.size, 0);
  });
});

describe('alert templates', () => {
  const expand = (src: string, value: number, labels: Record<string, string> = {}): string => new AlertTemplate('t', src).expand({ labels, value });

  it('expands $labels, $value and the humanize family as Prometheus does', () => {
    assert.equal(expand('{{ $labels.job }} at {{ $value }}', 0.25, { job: 'api' }), 'api at 0.25');
    assert.equal(expand('{{ humanize $value }}', 1234567), '1.235M');
    assert.equal(expand('{{ humanize $value }}', 0.001234), '1.234m');
    assert.equal(expand('{{ humanize1024 $value }}', 2048), '2ki');
    assert.equal(expand('{{ humanizePercentage $value }}', 0.1234), '12.34%');
    assert.equal(expand('{{ humanizeDuration $value }}', 93784), '1d 2h 3m 4s');
    assert.equal(expand('{{ humanizeDuration $value }}', 0.25), '250ms');
    assert.equal(expand('{{ printf "%.1f" $value }}', 2.26), '2.3');
    assert.equal(expand('{{ if gt $value 1.0 }}high{{ else }}low{{ end }}', 2), 'high');
    assert.equal(expand('{{ $labels.missing }}', 1), '');
    assert.equal(expand('plain text', 1), 'plain text');
  });

  it('renders an execution error as text instead of failing the rule', () => {
    assert.match(expand('{{ humanize $labels.x }}', 1, { x: 'abc' }), /^<error expanding template: /);
  });

  it('formats alert values like Go %e shortest', () => {
    assert.equal(formatExp(1), '1e+00');
    assert.equal(formatExp(0.25), '2.5e-01');
    assert.equal(formatExp(12345), '1.2345e+04');
    assert.equal(formatExp(1e-300), '1e-300');
    assert.equal(formatExp(NaN), 'NaN');
  });
});
