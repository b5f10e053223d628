import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { req, startHarness, type Harness } from './test-support.js';

const GROUP = `name: errors
interval: 1m
rules:
- alert: HighErrorRate
  expr: sum by (app) (rate({app="api"} |= "error" [5m])) > 1
  for: 5m
  keep_firing_for: 1m
  labels:
    severity: page
  annotations:
    summary: '{{ $labels.app }} has {{ humanize $value }} errors/s'
- record: app:errors:rate5m
  expr: sum by (app) (rate({app="api"} |= "error" [5m]))
  labels:
    team: core
`;

describe('ruler config API', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  it('answers 404 "no rule groups found" before any upload', async () => {
    const r = await req(`${h.url}/loki/api/v1/rules`, 't1');
    assert.equal(r.status, 404);
    assert.match(r.text, /no rule groups found/);
  });

  it('round-trips a group byte for byte', async () => {
    const post = await req(`${h.url}/loki/api/v1/rules/ns1`, 't1', 'POST', GROUP);
    assert.equal(post.status, 202);
    assert.deepEqual(JSON.parse(post.text), { status: 'success', data: null, errorType: '', error: '' });
    const one = await req(`${h.url}/loki/api/v1/rules/ns1/errors`, 't1');
    assert.equal(one.status, 200);
    assert.match(one.type, /application\/yaml/);
    assert.equal(one.text, GROUP);
    const ns = await req(`${h.url}/api/prom/rules/ns1`, 't1');
    assert.deepEqual(parse(ns.text), { ns1: [parse(GROUP)] });
    const all = await req(`${h.url}/loki/api/v1/rules`, 't1');
    assert.deepEqual(parse(all.text), { ns1: [parse(GROUP)] });
  });

  it('normalises durations the way Prometheus prints them', async () => {
    const body = 'name: g2\ninterval: 90s\nrules:\n- alert: A\n  expr: vector(1)\n  for: 120s\n';
    assert.equal((await req(`${h.url}/loki/api/v1/rules/ns2`, 't1', 'POST', body)).status, 202);
    const r = await req(`${h.url}/loki/api/v1/rules/ns2/g2`, 't1');
    assert.equal(r.text, 'name: g2\ninterval: 1m30s\nrules:\n- alert: A\n  expr: vector(1)\n  for: 2m\n');
  });

  it('replaces a group posted again under the same name', async () => {
    const body = 'name: g2\nrules:\n- record: x:y\n  expr: vector(2)\n';
    assert.equal((await req(`${h.url}/loki/api/v1/rules/ns2`, 't1', 'POST', body)).status, 202);
    const r = await req(`${h.url}/loki/api/v1/rules/ns2`, 't1');
    assert.deepEqual(parse(r.text), { ns2: [parse(body)] });
  });

  it('rejects bad groups with 400 and a message naming the problem', async () => {
    const cases: [string, RegExp][] = [
      ['name: b\nrules:\n- alert: A\n  expr: sum(rate({app="x"}[5m])\n', /could not parse expression for alert 'A' in group 'b': parse error/],
      ['name: b\nrules:\n- alert: A\n  expr: vector(1)\n  for: 5x\n', /invalid 'for': not a valid duration string: "5x"/],
      ['name: b\ninterval: soon\nrules: []\n', /invalid interval: not a valid duration string: "soon"/],
      ['name: b\nrules:\n- alert: A\n  record: b\n  expr: vector(1)\n', /only one of 'record' and 'alert' must be set/],
      ['name: b\nrules:\n- expr: vector(1)\n', /one of 'record' or 'alert' must be set/],
      ['name: b\nrules:\n- record: r\n  expr: vector(1)\n  annotations:\n    a: b\n', /invalid field 'annotations' in recording rule/],
      ['name: b\nrules:\n- record: not a name\n  expr: vector(1)\n', /invalid recording rule name: not a name/],
      ['name: b\nrules:\n- alert: A\n  expr: \'{app="x"}\'\n', /needs a metric query/],
      ['name: b\nrules:\n- alert: A\n  expr: vector(1)\n  labels:\n    bad-name: x\n', /invalid label name: bad-name/],
      ['name: b\nrules:\n- alert: A\n  expr: vector(1)\n  annotations:\n    s: "{{ .Nope "\n', /annotation "s": template/],
      ['rules: []\n', /Groupname should not be empty/],
      ['groups:\n- name: a\n  rules: []\n', /expected one rule group/],
      ['name: [unclosed\n', /unable to decoded rule group/],
      ['name: b\ninterval: 100ms\nrules: []\n', /too short; use at least 1s/],
    ];
    for (const [body, want] of cases) {
      const r = await req(`${h.url}/loki/api/v1/rules/bad`, 't1', 'POST', body);
      assert.equal(r.status, 400, body);
      assert.match(r.text, want, body);
    }
    assert.equal((await req(`${h.url}/loki/api/v1/rules/bad`, 't1')).status, 404);
  });

  it('answers 404 "group does not exist" for a missing group, on GET and DELETE', async () => {
    for (const method of ['GET', 'DELETE']) {
      const r = await req(`${h.url}/loki/api/v1/rules/ns1/nope`, 't1', method);
      assert.equal(r.status, 404);
      assert.match(r.text, /group does not exist/);
    }
    const ns = await req(`${h.url}/loki/api/v1/rules/none`, 't1', 'DELETE');
    assert.equal(ns.status, 404);
    assert.match(ns.text, /group namespace does not exist/);
  });

  it('keeps tenants apart', async () => {
    const other = await req(`${h.url}/loki/api/v1/rules`, 't2');
    assert.equal(other.status, 404);
    assert.equal((await req(`${h.url}/loki/api/v1/rules/ns1/errors`, 't2')).status, 404);
    const noTenant = await req(`${h.url}/loki/api/v1/rules`, undefined);
    assert.equal(noTenant.status, 401);
    const state = await fetch(`${h.url}/prometheus/api/v1/rules`, { headers: { 'x-scope-orgid': 't2' } });
    assert.deepEqual(await state.json(), { status: 'success', data: { groups: [] } });
  });

  it('stores groups durably and reloads them after a restart', async () => {
    const file = join(h.dir, 'rules', 't1', 'ns1.yaml');
    assert.deepEqual(parse(readFileSync(file, 'utf8')), { groups: [parse(GROUP)] });
    await h.shutdown();
    h = await startHarness({}, h.dir);
    const r = await req(`${h.url}/loki/api/v1/rules/ns1/errors`, 't1');
    assert.equal(r.text, GROUP);
  });

  it('deletes a group, then a namespace, with 202', async () => {
    assert.equal((await req(`${h.url}/loki/api/v1/rules/ns2/g2`, 't1', 'DELETE')).status, 202);
    assert.equal((await req(`${h.url}/loki/api/v1/rules/ns2`, 't1')).status, 404);
    assert.equal((await req(`${h.url}/api/prom/rules/ns1`, 't1', 'DELETE')).status, 202);
    assert.equal((await req(`${h.url}/loki/api/v1/rules`, 't1')).status, 404);
  });
});

describe('ruler rules directory', () => {
  it('loads <rules_dir>/<tenant>/<namespace>.yaml, skips invalid files, and lets the API override', async () => {
    const rulesDir = join(await import('node:os').then((os) => os.tmpdir()), `lode-rules-${process.pid}-${Date.now()}`);
    mkdirSync(join(rulesDir, 'acme'), { recursive: true });
    writeFileSync(join(rulesDir, 'acme', 'base.yaml'), 'groups:\n- name: g\n  rules:\n  - record: a:b\n    expr: vector(1)\n');
    writeFileSync(join(rulesDir, 'acme', 'dup.yaml'), 'groups:\n- name: g\n  rules: []\n- name: g\n  rules: []\n');
    const problems: string[] = [];
    const logger = { info() {}, warn() {}, error: (o: object) => problems.push(JSON.stringify(o)) };
    let h = await startHarness({ rulesDir, logger });
    try {
      assert.deepEqual(parse((await req(`${h.url}/loki/api/v1/rules`, 'acme')).text), {
        base: [{ name: 'g', rules: [{ record: 'a:b', expr: 'vector(1)' }] }],
      });
      assert.equal(problems.length, 1);
      assert.match(problems[0] as string, /groupname: \\"g\\" is repeated in the same file/);
      assert.equal((await req(`${h.url}/loki/api/v1/rules/base`, 'acme', 'DELETE')).status, 202);
      await h.shutdown();
      h = await startHarness({ rulesDir, logger }, h.dir);
      assert.equal((await req(`${h.url}/loki/api/v1/rules`, 'acme')).status, 404, 'a deleted provisioned namespace stays deleted');
    } finally {
      await h.close();
      rmSync(rulesDir, { recursive: true, force: true });
    }
  });
});
