/**
 * Prometheus' rule and alert state API (`/prometheus/api/v1/rules`, `/prometheus/api/v1/alerts`)
 * in Prometheus' JSON shapes, per tenant. `file` is the rule namespace, as in Loki.
 */
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { TenantResolver } from '../http/context.js';
import { AlertingRule, type Alert } from './alerting.js';
import type { GroupRule, GroupRunner } from './group.js';

export interface StateApiOptions {
  resolveTenant: TenantResolver;
  groups: (tenant: string) => GroupRunner[];
}

const ZERO_TIME = '0001-01-01T00:00:00Z';

function time(ms: number): string {
  return ms === 0 ? ZERO_TIME : new Date(ms).toISOString();
}

/** Go's strconv.FormatFloat(v, 'e', -1, 64), as Prometheus renders alert values. */
export function formatExp(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return v.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
}

function alertJson(a: Alert): Record<string, unknown> {
  const out: Record<string, unknown> = {
    labels: a.labels,
    annotations: a.annotations,
    state: a.state,
    activeAt: time(a.activeAt),
    value: formatExp(a.value),
  };
  if (a.keepFiringSince !== 0) out['keepFiringSince'] = time(a.keepFiringSince);
  return out;
}

function activeAlerts(r: AlertingRule): Alert[] {
  return [...r.active.values()].filter((a) => a.state !== 'inactive');
}

function ruleJson(r: GroupRule, excludeAlerts: boolean): Record<string, unknown> {
  const def = r.rule.def;
  const health: Record<string, unknown> = { health: r.status.health };
  if (r.status.lastError !== '') health['lastError'] = r.status.lastError;
  const timing = { evaluationTime: r.status.evaluationTime, lastEvaluation: time(r.status.lastEvaluation) };
  if (r instanceof AlertingRule) {
    return {
      state: r.state(),
      name: def.name,
      query: def.expr,
      duration: def.forMs / 1000,
      keepFiringFor: def.keepFiringForMs / 1000,
      labels: def.labels,
      annotations: def.annotations,
      ...(excludeAlerts ? {} : { alerts: activeAlerts(r).map(alertJson) }),
      ...health,
      ...timing,
      type: 'alerting',
    };
  }
  return { name: def.name, query: def.expr, labels: def.labels, ...health, ...timing, type: 'recording' };
}

function fail(ctx: Context, status: number, errorType: string, error: string): void {
  ctx.status = status;
  ctx.type = 'application/json';
  ctx.body = JSON.stringify({ status: 'error', errorType, error });
}

function success(ctx: Context, data: unknown): void {
  ctx.status = 200;
  ctx.type = 'application/json';
  ctx.body = JSON.stringify({ status: 'success', data });
}

function list(q: URLSearchParams, name: string): Set<string> | undefined {
  const values = [...q.getAll(`${name}[]`), ...q.getAll(name)];
  return values.length > 0 ? new Set(values) : undefined;
}

function tenantOf(ctx: Context, opts: StateApiOptions): string | undefined {
  const r = opts.resolveTenant(ctx.headers, 'read');
  if (r.ok) return r.tenant;
  ctx.status = r.status;
  ctx.type = 'text/plain';
  ctx.body = r.message;
  return undefined;
}

export function mountStateApi(router: Router, opts: StateApiOptions): void {
  router.get('/prometheus/api/v1/rules', (ctx) => {
    const tenant = tenantOf(ctx, opts);
    if (tenant === undefined) return;
    const q = new URLSearchParams(ctx.querystring);
    const type = q.get('type') ?? '';
    if (type !== '' && type !== 'alert' && type !== 'record') {
      return fail(ctx, 400, 'bad_data', `invalid query parameter type='${type}', must be one of 'alert' or 'record'`);
    }
    const groupNames = list(q, 'rule_group');
    const ruleNames = list(q, 'rule_name');
    const files = list(q, 'file');
    const excludeAlerts = q.get('exclude_alerts') === 'true';
    const groups = [];
    for (const g of opts.groups(tenant)) {
      if (groupNames && !groupNames.has(g.def.name)) continue;
      if (files && !files.has(g.namespace)) continue;
      const rules = g.rules.filter((r) => {
        if (type === 'alert' && !(r instanceof AlertingRule)) return false;
        if (type === 'record' && r instanceof AlertingRule) return false;
        return !ruleNames || ruleNames.has(r.name);
      });
      // As Prometheus: a group whose rules were all filtered out is left out.
      if (rules.length === 0 && (type !== '' || ruleNames)) continue;
      groups.push({
        name: g.def.name,
        file: g.namespace,
        rules: rules.map((r) => ruleJson(r, excludeAlerts)),
        interval: g.intervalMs / 1000,
        limit: g.def.limit,
        evaluationTime: g.evaluationTime,
        lastEvaluation: time(g.lastEvaluation),
      });
    }
    success(ctx, { groups });
  });

  router.get('/prometheus/api/v1/alerts', (ctx) => {
    const tenant = tenantOf(ctx, opts);
    if (tenant === undefined) return;
    const alerts = [];
    for (const g of opts.groups(tenant)) {
      for (const r of g.rules) if (r instanceof AlertingRule) alerts.push(...activeAlerts(r).map(alertJson));
    }
    success(ctx, { alerts });
  });
}
