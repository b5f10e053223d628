/**
 * Durable alert state, so a restart neither resets a pending alert's `for` clock nor makes a
 * firing alert wait `for` again (Prometheus and Loki get this from `ALERTS_FOR_STATE` samples).
 *
 * One JSON file per tenant, `<data>/rules-state/<tenant>.json`, rewritten atomically when an
 * alert's identity or state changes — not when only its value or annotations do — and, while
 * alerts are active, at least every `heartbeatMs` and at shutdown, so `savedAt` tells how long the
 * ruler was away. State older than `outageToleranceMs` (Prometheus' `for_outage_tolerance`, 1 h)
 * is not restored, nor is a rule's state when its `expr` or `labels` changed meanwhile. How a
 * restored pending alert's `for` clock resumes is Prometheus' rule (see AlertingRule.restore).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Labels } from '@lode/store';
import { atomicWrite, syncDir } from './atomic-file.js';
import type { RulerLogger } from './logger.js';
import { encodeFileName } from './rule-store.js';

export interface SavedAlert {
  labels: Labels;
  annotations: Labels;
  state: 'pending' | 'firing';
  value: number;
  activeAt: number;
  firedAt: number;
  keepFiringSince: number;
}

export interface SavedRule {
  name: string;
  /** The rule's `expr` and its `labels` (as `labelsKey`): state is restored only if both still match. */
  expr: string;
  labels: string;
  alerts: SavedAlert[];
}

interface SavedGroup {
  namespace: string;
  group: string;
  rules: SavedRule[];
}

interface TenantState {
  groups: Map<string, SavedGroup>;
  /** Per group, what decides whether a change must be written (no values, no annotations). */
  fingerprints: Map<string, string>;
  savedAt: number;
}

const FILE_VERSION = 1;

const groupKey = (ns: string, group: string): string => JSON.stringify([ns, group]);

function fingerprint(rules: readonly SavedRule[]): string {
  return JSON.stringify(rules.map((r) => [r.name, r.alerts.map((a) => [a.labels, a.state, a.activeAt, a.firedAt, a.keepFiringSince])]));
}

export class AlertStateStore {
  private readonly root: string;
  private readonly tenants = new Map<string, TenantState>();

  constructor(
    dataDir: string,
    private readonly opts: { outageToleranceMs: number; heartbeatMs: number; logger: RulerLogger },
  ) {
    this.root = join(dataDir, 'rules-state');
  }

  /** Reads every tenant's file; one that does not parse is logged and ignored (its alerts start afresh). */
  load(): void {
    if (!existsSync(this.root)) return;
    for (const file of readdirSync(this.root).sort()) {
      if (!file.endsWith('.json')) continue;
      const path = join(this.root, file);
      try {
        const parsed = parseTenantFile(JSON.parse(readFileSync(path, 'utf8')));
        const state: TenantState = { groups: new Map(), fingerprints: new Map(), savedAt: parsed.savedAt };
        for (const g of parsed.groups) {
          const k = groupKey(g.namespace, g.group);
          state.groups.set(k, g);
          state.fingerprints.set(k, fingerprint(g.rules));
        }
        this.tenants.set(decodeURIComponent(file.slice(0, -'.json'.length)), state);
      } catch (err) {
        this.opts.logger.warn({ file: path, err: (err as Error).message }, 'ruler: alert state file ignored');
      }
    }
  }

  /**
   * The saved rules of a group and when they were saved (≈ when the ruler went down), unless the
   * state is older than the outage tolerance at `now`.
   */
  restore(tenant: string, ns: string, group: string, now: number): { savedAt: number; rules: SavedRule[] } {
    const t = this.tenants.get(tenant);
    if (!t || now - t.savedAt > this.opts.outageToleranceMs) return { savedAt: now, rules: [] };
    return { savedAt: t.savedAt, rules: t.groups.get(groupKey(ns, group))?.rules ?? [] };
  }

  /** A group's state after an evaluation at `now`; writes the tenant's file if it changed or the heartbeat is due. */
  record(tenant: string, ns: string, group: string, rules: SavedRule[], now: number): void {
    const t = this.tenant(tenant);
    const k = groupKey(ns, group);
    const fp = fingerprint(rules);
    const changed = t.fingerprints.get(k) !== fp;
    const hasAlerts = rules.some((r) => r.alerts.length > 0);
    if (!hasAlerts && !t.groups.has(k)) return;
    if (hasAlerts) t.groups.set(k, { namespace: ns, group, rules });
    else t.groups.delete(k);
    t.fingerprints.set(k, fp);
    if (changed || (hasAlerts && now - t.savedAt >= this.opts.heartbeatMs)) this.write(tenant, t, now);
  }

  /** Drops a deleted group's state. */
  forget(tenant: string, ns: string, group: string, now: number): void {
    const t = this.tenants.get(tenant);
    const k = groupKey(ns, group);
    if (!t?.groups.has(k)) return;
    t.groups.delete(k);
    t.fingerprints.delete(k);
    this.write(tenant, t, now);
  }

  /** Drops the state of groups that no longer exist (removed while the ruler was down). */
  prune(exists: (tenant: string, ns: string, group: string) => boolean, now: number): void {
    for (const [tenant, t] of this.tenants) {
      let removed = false;
      for (const [k, g] of t.groups) {
        if (exists(tenant, g.namespace, g.group)) continue;
        t.groups.delete(k);
        t.fingerprints.delete(k);
        removed = true;
      }
      if (removed) this.write(tenant, t, t.savedAt === 0 ? now : t.savedAt);
    }
  }

  /** Writes every tenant that has alerts with `savedAt = now` (shutdown). */
  flush(now: number): void {
    for (const [tenant, t] of this.tenants) if (t.groups.size > 0) this.write(tenant, t, now);
  }

  private tenant(tenant: string): TenantState {
    let t = this.tenants.get(tenant);
    if (!t) this.tenants.set(tenant, (t = { groups: new Map(), fingerprints: new Map(), savedAt: 0 }));
    return t;
  }

  private write(tenant: string, t: TenantState, now: number): void {
    t.savedAt = now;
    const body = { version: FILE_VERSION, savedAt: now, groups: [...t.groups.values()] };
    mkdirSync(this.root, { recursive: true });
    atomicWrite(join(this.root, `${encodeFileName(tenant)}.json`), JSON.stringify(body));
    syncDir(this.root);
  }
}

/** Validates a state file's shape; throws naming what is wrong. */
function parseTenantFile(v: unknown): { savedAt: number; groups: SavedGroup[] } {
  const o = v as { version?: unknown; savedAt?: unknown; groups?: unknown };
  if (typeof o !== 'object' || o === null || o.version !== FILE_VERSION) throw new Error(`want an object with version ${FILE_VERSION}`);
  if (typeof o.savedAt !== 'number' || !Array.isArray(o.groups)) throw new Error('want numeric savedAt and a groups array');
  for (const g of o.groups as SavedGroup[]) {
    if (typeof g?.namespace !== 'string' || typeof g.group !== 'string' || !Array.isArray(g.rules)) throw new Error('a group lacks namespace, group or rules');
    for (const r of g.rules) {
      if (typeof r?.name !== 'string' || typeof r.expr !== 'string' || typeof r.labels !== 'string' || !Array.isArray(r.alerts)) {
        throw new Error(`rule in group ${g.group} lacks name, expr, labels or alerts`);
      }
      for (const a of r.alerts) {
        if (typeof a?.labels !== 'object' || (a.state !== 'pending' && a.state !== 'firing') || typeof a.activeAt !== 'number' || typeof a.firedAt !== 'number') {
          throw new Error(`alert of rule ${r.name} has a bad labels, state, activeAt or firedAt`);
        }
      }
    }
  }
  return { savedAt: o.savedAt, groups: o.groups as SavedGroup[] };
}
