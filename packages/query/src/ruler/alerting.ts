/**
 * One alerting rule's state machine, as Prometheus runs it: every evaluation the query's result
 * decides which alerts are active; a new one is pending, becomes firing after `for`, stays firing
 * for `keep_firing_for` after it disappears, then is resolved (inactive) and kept for 15 minutes
 * so Alertmanager hears about the resolution.
 */
import type { Labels } from '@lode/store';
import type { SavedAlert, SavedRule } from './alert-state.js';
import type { CompiledRule } from './rulefmt.js';

export type AlertState = 'pending' | 'firing' | 'inactive';

export interface Alert {
  labels: Labels;
  annotations: Labels;
  state: AlertState;
  value: number;
  activeAt: number;
  firedAt: number;
  resolvedAt: number;
  lastSentAt: number;
  keepFiringSince: number;
  validUntil: number;
}

/** A sample of the rule's query result. */
export interface RuleSample {
  labels: Labels;
  value: number;
}

const RESOLVED_RETENTION_MS = 15 * 60_000;

export class RuleLimitError extends Error {}

export function labelsKey(labels: Labels): string {
  return JSON.stringify(Object.keys(labels).sort().map((k) => [k, labels[k]]));
}

function sortLabels(labels: Record<string, string>): Labels {
  const out: Record<string, string> = {};
  for (const k of Object.keys(labels).sort()) out[k] = labels[k] as string;
  return out;
}

/** When the ruler went down (the state's save time) and came back, and Prometheus' `for_grace_period`. */
export interface RestoreTiming {
  downAt: number;
  now: number;
  gracePeriodMs: number;
}

/** A pending alert's activeAt after a restart: its remaining `for` time, at least the grace period. */
function resumedActiveAt(activeAt: number, hold: number, t: RestoreTiming): number {
  const remaining = hold - (t.downAt - activeAt);
  if (remaining <= 0) return activeAt;
  if (remaining < t.gracePeriodMs) return t.now + t.gracePeriodMs - hold;
  return activeAt + (t.now - t.downAt);
}

export class AlertingRule {
  readonly active = new Map<string, Alert>();

  constructor(readonly rule: CompiledRule) {}

  get name(): string {
    return this.rule.def.name;
  }

  /** Applies one evaluation's result at `ts` (ms); returns the alerts (with labels) now active. */
  update(samples: RuleSample[], ts: number, limit: number): void {
    const seen = new Map<string, { labels: Labels; annotations: Labels; value: number }>();
    for (const s of samples) {
      const base: Record<string, string> = { ...s.labels };
      delete base['__name__'];
      const data = { labels: base, value: s.value };
      const labels: Record<string, string> = { ...base };
      for (const [k, t] of this.rule.labelTemplates) labels[k] = t.expand(data);
      labels['alertname'] = this.name;
      const annotations: Record<string, string> = {};
      for (const [k, t] of this.rule.annotationTemplates) annotations[k] = t.expand(data);
      const key = labelsKey(labels);
      if (seen.has(key)) throw new RuleLimitError('vector contains metrics with the same labelset after applying alert labels');
      seen.set(key, { labels: sortLabels(labels), annotations: sortLabels(annotations), value: s.value });
    }
    if (limit > 0 && seen.size > limit) {
      // Prometheus drops every alert of the rule when the limit is exceeded.
      this.active.clear();
      throw new RuleLimitError(`exceeded limit of ${limit} with ${seen.size} alerts`);
    }
    for (const [key, s] of seen) {
      const a = this.active.get(key);
      if (a && a.state !== 'inactive') {
        a.value = s.value;
        a.annotations = s.annotations;
        a.keepFiringSince = 0;
        continue;
      }
      this.active.set(key, {
        labels: s.labels,
        annotations: s.annotations,
        state: 'pending',
        value: s.value,
        activeAt: ts,
        firedAt: 0,
        resolvedAt: 0,
        lastSentAt: 0,
        keepFiringSince: 0,
        validUntil: 0,
      });
    }
    const { forMs, keepFiringForMs } = this.rule.def;
    for (const [key, a] of this.active) {
      if (!seen.has(key)) {
        let keepFiring = false;
        if (a.state === 'firing' && keepFiringForMs > 0) {
          if (a.keepFiringSince === 0) a.keepFiringSince = ts;
          keepFiring = ts - a.keepFiringSince < keepFiringForMs;
        }
        if (!keepFiring) {
          if (a.state === 'pending' || (a.resolvedAt !== 0 && ts - a.resolvedAt > RESOLVED_RETENTION_MS)) {
            this.active.delete(key);
          }
          if (a.state !== 'inactive') {
            a.state = 'inactive';
            a.resolvedAt = ts;
          }
          continue;
        }
      }
      if (a.state === 'pending' && ts - a.activeAt >= forMs) {
        a.state = 'firing';
        a.firedAt = ts;
      }
    }
  }

  /** The rule's state: the most severe state of its alerts. */
  state(): AlertState {
    let state: AlertState = 'inactive';
    for (const a of this.active.values()) {
      if (a.state === 'firing') return 'firing';
      if (a.state === 'pending') state = 'pending';
    }
    return state;
  }

  /** Alerts due to be (re)sent at `ts`; marks them sent. Pending alerts are never sent. */
  due(ts: number, resendDelayMs: number, intervalMs: number): Alert[] {
    const out: Alert[] = [];
    for (const a of this.active.values()) {
      if (a.state === 'pending') continue;
      const resolvedSinceSent = a.resolvedAt > a.lastSentAt;
      if (!resolvedSinceSent && a.lastSentAt !== 0 && a.lastSentAt + resendDelayMs >= ts) continue;
      a.lastSentAt = ts;
      a.validUntil = ts + 4 * Math.max(resendDelayMs, intervalMs);
      out.push(a);
    }
    return out;
  }

  /** The pending and firing alerts, for the durable alert state (resolved ones need no restoring). */
  snapshot(): SavedRule {
    const alerts: SavedAlert[] = [];
    for (const a of this.active.values()) {
      if (a.state === 'inactive') continue;
      alerts.push({ labels: a.labels, annotations: a.annotations, state: a.state, value: a.value, activeAt: a.activeAt, firedAt: a.firedAt, keepFiringSince: a.keepFiringSince });
    }
    return { name: this.name, expr: this.rule.def.expr, labels: labelsKey(this.rule.def.labels), alerts };
  }

  /**
   * Takes back saved alerts if they belong to this very rule (same name, expr and labels), with
   * Prometheus' `RestoreForState` rules: a rule whose `for` is shorter than the grace period is not
   * restored (its alerts just wait `for` again); a firing alert stays firing; a pending alert's
   * `for` clock is moved on by the downtime, so it fires after the `for` time it still had left —
   * but never sooner than the grace period after the restart.
   */
  restore(saved: SavedRule, t: RestoreTiming): boolean {
    if (saved.name !== this.name || saved.expr !== this.rule.def.expr || saved.labels !== labelsKey(this.rule.def.labels)) return false;
    const hold = this.rule.def.forMs;
    if (hold < t.gracePeriodMs) return false;
    for (const a of saved.alerts) {
      this.active.set(labelsKey(a.labels), {
        labels: sortLabels(a.labels),
        annotations: sortLabels(a.annotations ?? {}),
        state: a.state,
        value: typeof a.value === 'number' ? a.value : 0,
        activeAt: a.state === 'pending' ? resumedActiveAt(a.activeAt, hold, t) : a.activeAt,
        firedAt: a.firedAt,
        resolvedAt: 0,
        lastSentAt: 0,
        keepFiringSince: typeof a.keepFiringSince === 'number' ? a.keepFiringSince : 0,
        validUntil: 0,
      });
    }
    return true;
  }

  /** Takes over the alerts of the rule this one replaces (same name and query), as Prometheus does on reload. */
  inherit(previous: AlertingRule): void {
    for (const [k, a] of previous.active) this.active.set(k, a);
  }
}
