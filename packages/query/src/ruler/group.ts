/**
 * One rule group of one tenant: evaluated on its interval, rules in order, each through the same
 * engine as `/loki/api/v1/query`. Alerting rules feed their state machines and hand due alerts
 * to the notifier; recording rules append their samples to the store (and remote-write them).
 */
import type { LimitsFor, LogStore, StreamPush } from '@lode/store';
import { evaluateInstant } from '../engine/index.js';
import { formatSampleValue } from '../engine/format.js';
import type { AlertStateStore, SavedRule } from './alert-state.js';
import { AlertingRule, labelsKey, RuleLimitError, type Alert, type RestoreTiming, type RuleSample } from './alerting.js';
import type { RulerLogger } from './logger.js';
import type { RulerMetrics } from './metrics.js';
import type { Notifier, PostableAlert } from './notifier.js';
import type { RemoteSeries, RemoteWriter } from './remote-write.js';
import type { CompiledRule, RuleGroupDef } from './rulefmt.js';
import { evaluationOffset, nextEvaluation } from './schedule.js';

/** The stream label that names a recording rule's series in the store. */
export const RECORD_LABEL = '__record__';
/** The `__record__` value of the series of active alerts (Prometheus' `ALERTS` metric). */
export const ALERTS_RECORD = 'ALERTS';

export interface RuleHealth {
  health: 'ok' | 'err' | 'unknown';
  lastError: string;
  /** Unix ms of the last evaluation, 0 before the first. */
  lastEvaluation: number;
  /** Seconds the last evaluation took. */
  evaluationTime: number;
}

export class RecordingRule {
  constructor(readonly rule: CompiledRule) {}
  get name(): string {
    return this.rule.def.name;
  }
}

export type GroupRule = (AlertingRule | RecordingRule) & { status: RuleHealth };

export interface GroupContext {
  store: LogStore;
  limits: LimitsFor;
  notifier: Notifier;
  remoteWriter: RemoteWriter | undefined;
  alertState: AlertStateStore;
  metrics: RulerMetrics;
  logger: RulerLogger;
  resendDelayMs: number;
  externalUrl: string;
  now: () => number;
}

function withStatus<T extends AlertingRule | RecordingRule>(r: T): T & { status: RuleHealth } {
  return Object.assign(r, { status: { health: 'unknown', lastError: '', lastEvaluation: 0, evaluationTime: 0 } as RuleHealth });
}

/** Prometheus' sample values come back from the engine as Go-formatted strings. */
function parseSampleValue(s: string): number {
  if (s === '+Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  return Number(s);
}

export class GroupRunner {
  readonly rules: GroupRule[];
  /** Where in its interval the group evaluates (see schedule.ts). */
  readonly offsetMs: number;
  lastEvaluation = 0;
  evaluationTime = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    readonly tenant: string,
    readonly namespace: string,
    readonly def: RuleGroupDef,
    compiled: CompiledRule[],
    readonly intervalMs: number,
    private readonly ctx: GroupContext,
  ) {
    this.rules = compiled.map((c) => (c.def.kind === 'alert' ? withStatus(new AlertingRule(c)) : withStatus(new RecordingRule(c))));
    this.offsetMs = evaluationOffset(tenant, namespace, def.name, intervalMs);
  }

  /** Takes back the alerts saved before a restart, for the rules that are unchanged; returns how many rules did. */
  restore(saved: readonly SavedRule[], timing: RestoreTiming): number {
    let restored = 0;
    for (const s of saved) {
      const r = this.rules.find((o): o is AlertingRule & { status: RuleHealth } => o instanceof AlertingRule && o.name === s.name);
      if (r?.restore(s, timing)) restored++;
    }
    return restored;
  }

  /** Keeps the alert state of rules that survive a reload (same name and labels, as Prometheus' copyState). */
  inherit(previous: GroupRunner): void {
    for (const r of this.rules) {
      if (!(r instanceof AlertingRule)) continue;
      const old = previous.rules.find(
        (o): o is AlertingRule & { status: RuleHealth } => o instanceof AlertingRule && o.name === r.name && labelsKey(o.rule.def.labels) === labelsKey(r.rule.def.labels),
      );
      if (old) r.inherit(old);
    }
  }

  /** Evaluates at every slot k·interval + offset from the next one on; an overlong evaluation skips the slots it missed. */
  start(): void {
    const schedule = (): void => {
      const now = this.ctx.now();
      const slot = nextEvaluation(now, this.intervalMs, this.offsetMs);
      this.timer = setTimeout(() => tick(slot), slot - now);
    };
    const tick = (slot: number): void => {
      if (this.stopped) return;
      this.running = this.evaluate(slot).finally(() => {
        this.running = undefined;
        if (!this.stopped) schedule();
      });
    };
    schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One evaluation of every rule at `ts` (unix ms). Never throws: failures land in rule health. */
  async evaluate(ts: number): Promise<void> {
    const started = performance.now();
    const labels = { tenant: this.tenant, rule_group: `${this.namespace};${this.def.name}` };
    for (const rule of this.rules) {
      const ruleStarted = performance.now();
      this.ctx.metrics.evaluations.inc(labels);
      try {
        const samples = await this.query(rule, ts);
        if (rule instanceof AlertingRule) {
          rule.update(samples, ts, this.def.limit);
          this.notify(rule.due(ts, this.ctx.resendDelayMs, this.intervalMs));
          await this.writeAlertSeries(rule, ts);
        } else {
          await this.record(rule, samples, ts);
        }
        rule.status.health = 'ok';
        rule.status.lastError = '';
      } catch (err) {
        this.ctx.metrics.failures.inc(labels);
        rule.status.health = 'err';
        rule.status.lastError = (err as Error).message;
        this.ctx.logger.warn({ tenant: this.tenant, namespace: this.namespace, group: this.def.name, rule: rule.name, err: rule.status.lastError }, 'ruler: rule evaluation failed');
      }
      rule.status.lastEvaluation = ts;
      rule.status.evaluationTime = (performance.now() - ruleStarted) / 1000;
    }
    this.lastEvaluation = ts;
    this.evaluationTime = (performance.now() - started) / 1000;
    this.ctx.metrics.duration.observe(labels, this.evaluationTime);
    this.saveAlertState(ts);
  }

  /** The alerting rules' state, for a restart; a stopped runner (replaced or deleted group) no longer owns it. */
  private saveAlertState(ts: number): void {
    if (this.stopped) return;
    const rules: SavedRule[] = [];
    for (const r of this.rules) if (r instanceof AlertingRule) rules.push(r.snapshot());
    try {
      this.ctx.alertState.record(this.tenant, this.namespace, this.def.name, rules, ts);
    } catch (err) {
      this.ctx.logger.error({ tenant: this.tenant, namespace: this.namespace, group: this.def.name, err: (err as Error).message }, 'ruler: cannot save alert state');
    }
  }

  /**
   * Prometheus' `ALERTS{alertname, alertstate, …}` series, value 1 for every pending and firing
   * alert at each evaluation, stored like a recording rule's samples under `__record__="ALERTS"`.
   */
  private async writeAlertSeries(rule: AlertingRule, ts: number): Promise<void> {
    const t = BigInt(ts) * 1_000_000n;
    const streams: StreamPush[] = [];
    const remote: RemoteSeries[] = [];
    for (const a of rule.active.values()) {
      if (a.state === 'inactive') continue;
      const labels = { ...a.labels, alertstate: a.state };
      streams.push({ labels: { ...labels, [RECORD_LABEL]: ALERTS_RECORD }, entries: [{ ts: t, line: 'value=1' }] });
      remote.push({ labels: { ...labels, __name__: ALERTS_RECORD }, value: 1, timestampMs: ts });
    }
    if (streams.length === 0) return;
    this.ctx.remoteWriter?.write(remote);
    const res = await this.ctx.store.append(this.tenant, streams);
    if (res.rejected.length > 0) {
      throw new Error(`storing ALERTS samples: ${res.rejected.map((r) => r.message).join('; ')}`);
    }
  }

  private async query(rule: GroupRule, ts: number): Promise<RuleSample[]> {
    const t = BigInt(ts) * 1_000_000n;
    const res = await evaluateInstant(this.ctx.store, {
      tenant: this.tenant,
      query: rule.rule.query,
      start: t,
      end: t,
      limit: 0,
      direction: 'backward',
      limits: this.ctx.limits(this.tenant),
    });
    if (res.resultType === 'scalar') return [{ labels: {}, value: parseSampleValue(res.result[1]) }];
    if (res.resultType !== 'vector') throw new Error(`rule query returned a ${res.resultType}, want a vector`);
    return res.result.map((s) => ({ labels: s.metric, value: parseSampleValue(s.value[1]) }));
  }

  private notify(alerts: Alert[]): void {
    if (alerts.length === 0) return;
    this.ctx.notifier.send(this.tenant, alerts.map((a) => this.postable(a)));
  }

  private postable(a: Alert): PostableAlert {
    const out: PostableAlert = {
      labels: { ...a.labels },
      annotations: { ...a.annotations },
      startsAt: new Date(a.firedAt || a.activeAt).toISOString(),
      endsAt: new Date(a.state === 'inactive' ? a.resolvedAt : a.validUntil).toISOString(),
      generatorURL: '',
    };
    if (this.ctx.externalUrl !== '') {
      const rule = this.rules.find((r) => r.name === a.labels['alertname']);
      out.generatorURL = `${this.ctx.externalUrl.replace(/\/+$/, '')}/explore?query=${encodeURIComponent(rule?.rule.def.expr ?? '')}`;
    }
    return out;
  }

  private async record(rule: RecordingRule, samples: RuleSample[], ts: number): Promise<void> {
    if (this.def.limit > 0 && samples.length > this.def.limit) {
      throw new RuleLimitError(`exceeded limit of ${this.def.limit} with ${samples.length} series`);
    }
    if (samples.length === 0) return;
    const t = BigInt(ts) * 1_000_000n;
    const streams: StreamPush[] = [];
    const remote = [];
    for (const s of samples) {
      const labels: Record<string, string> = {};
      for (const [k, v] of Object.entries(s.labels)) if (k !== '__name__' && v !== '') labels[k] = v;
      for (const [k, v] of Object.entries(rule.rule.def.labels)) {
        if (v === '') delete labels[k];
        else labels[k] = v;
      }
      streams.push({ labels: { ...labels, [RECORD_LABEL]: rule.name }, entries: [{ ts: t, line: `value=${formatSampleValue(s.value)}` }] });
      remote.push({ labels: { ...labels, __name__: rule.name }, value: s.value, timestampMs: ts });
    }
    this.ctx.remoteWriter?.write(remote);
    const res = await this.ctx.store.append(this.tenant, streams);
    if (res.rejected.length > 0) {
      throw new Error(`storing recorded samples: ${res.rejected.map((r) => r.message).join('; ')}`);
    }
  }
}
