/**
 * The ruler: keeps one GroupRunner per (tenant, namespace, group) in line with the rule store,
 * and serves the config and state APIs. Reloading a changed group keeps its alerts' state.
 */
import Router from '@koa/router';
import type { LimitsFor, LogStore } from '@lode/store';
import type { Registry } from 'prom-client';
import type { TenantResolver } from '../http/context.js';
import { AlertStateStore } from './alert-state.js';
import { mountConfigApi } from './config-api.js';
import { GroupRunner, type GroupContext } from './group.js';
import { silentLogger, type RulerLogger } from './logger.js';
import { rulerMetrics } from './metrics.js';
import { Notifier } from './notifier.js';
import { RemoteWriter } from './remote-write.js';
import { compileGroup, encodeGroup } from './rulefmt.js';
import { RuleStore } from './rule-store.js';
import { mountStateApi } from './state-api.js';

export interface RulerOptions {
  store: LogStore;
  limits: LimitsFor;
  /** lode's data directory; API-managed rules live in `<dataDir>/rules/<tenant>/<namespace>.yaml`. */
  dataDir: string;
  /** Operator-provided rules, `<rulesDir>/<tenant>/<namespace>.yaml`, read at start. */
  rulesDir?: string;
  alertmanagerUrls?: readonly string[];
  webhookUrls?: readonly string[];
  /** Prometheus remote-write endpoint for recorded samples, e.g. http://prom:9090/api/v1/write. */
  remoteWriteUrl?: string;
  /** Interval of groups that name none (default 1 min, Loki's). */
  evaluationIntervalMs?: number;
  /** How often a still-firing alert is re-sent (default 1 min, Loki's `resend_delay`). */
  resendDelayMs?: number;
  /** Base URL for alerts' generatorURL (lode's or Grafana's address); empty leaves it out. */
  externalUrl?: string;
  logger?: RulerLogger;
  registry: Registry;
  resolveTenant: TenantResolver;
  /** Notification retry tuning (tests). */
  notifierBackoffMs?: number;
  notifierMaxAttempts?: number;
  /**
   * Saved alert state older than this is not restored at start (Prometheus'
   * `for_outage_tolerance`, default 1 h). State lives in `<dataDir>/rules-state/`.
   */
  forOutageToleranceMs?: number;
  /**
   * A restored pending alert fires no sooner than this after the restart, and rules whose `for`
   * is shorter are not restored (Prometheus' and Loki's `for_grace_period`, default 10 min).
   */
  forGracePeriodMs?: number;
  /** The clock (unix ms) for evaluation timestamps and schedules; tests inject one. */
  now?: () => number;
}

export interface Ruler {
  /** Config API (both prefixes) and state API routes. */
  router: Router;
  /** Loads the rules and starts evaluating; rule files that do not validate are logged and skipped. */
  start(): Promise<void>;
  /** Stops evaluation, waits for evaluations in flight and pending deliveries' current attempt. */
  stop(): Promise<void>;
  /** Evaluates every group of a tenant once, now (tests, and `lode` tooling). */
  evaluateNow(tenant: string): Promise<void>;
  /** Resolves once queued notifications and remote writes are delivered or dropped. */
  flush(): Promise<void>;
}

const key = (tenant: string, ns: string, group: string): string => JSON.stringify([tenant, ns, group]);

export function createRuler(opts: RulerOptions): Ruler {
  const logger = opts.logger ?? silentLogger;
  const metrics = rulerMetrics(opts.registry);
  const rules = new RuleStore(opts.dataDir, opts.rulesDir);
  const notifier = new Notifier({
    alertmanagerUrls: opts.alertmanagerUrls ?? [],
    webhookUrls: opts.webhookUrls ?? [],
    metrics,
    logger,
    backoffMs: opts.notifierBackoffMs,
    maxAttempts: opts.notifierMaxAttempts,
  });
  const remoteWriter = opts.remoteWriteUrl ? new RemoteWriter(opts.remoteWriteUrl, logger, metrics) : undefined;
  const outageToleranceMs = opts.forOutageToleranceMs ?? 3_600_000;
  const gracePeriodMs = opts.forGracePeriodMs ?? 600_000;
  // The heartbeat keeps `savedAt` within a minute of a crash: it is the downtime a restore subtracts from `for`.
  const alertState = new AlertStateStore(opts.dataDir, { outageToleranceMs, heartbeatMs: Math.max(1000, Math.min(outageToleranceMs / 10, 60_000)), logger });
  const now = opts.now ?? Date.now;
  const ctx: GroupContext = {
    store: opts.store,
    limits: opts.limits,
    notifier,
    remoteWriter,
    alertState,
    metrics,
    logger,
    resendDelayMs: opts.resendDelayMs ?? 60_000,
    externalUrl: opts.externalUrl ?? '',
    now,
  };
  const defaultInterval = opts.evaluationIntervalMs ?? 60_000;
  const runners = new Map<string, GroupRunner>();
  let running = false;

  /** Brings a tenant's runners in line with its stored groups. */
  function sync(tenant: string): void {
    const wanted = new Set<string>();
    for (const [ns, groups] of rules.list(tenant)) {
      for (const def of groups) {
        const k = key(tenant, ns, def.name);
        wanted.add(k);
        const old = runners.get(k);
        const intervalMs = def.intervalMs ?? defaultInterval;
        if (old && old.intervalMs === intervalMs && JSON.stringify(encodeGroup(old.def)) === JSON.stringify(encodeGroup(def))) continue;
        const runner = new GroupRunner(tenant, ns, def, compileGroup(def), intervalMs, ctx);
        if (old) {
          runner.inherit(old);
          void old.stop();
        } else {
          const at = now();
          const saved = alertState.restore(tenant, ns, def.name, at);
          const restored = runner.restore(saved.rules, { downAt: saved.savedAt, now: at, gracePeriodMs });
          if (restored > 0) logger.info({ tenant, namespace: ns, group: def.name, rules: restored }, 'ruler: restored alert state');
        }
        runners.set(k, runner);
        if (running) runner.start();
      }
    }
    for (const [k, r] of runners) {
      if (r.tenant === tenant && !wanted.has(k)) {
        void r.stop();
        runners.delete(k);
        forgetState(r);
      }
    }
  }

  function forgetState(r: GroupRunner): void {
    try {
      alertState.forget(r.tenant, r.namespace, r.def.name, now());
    } catch (err) {
      logger.error({ tenant: r.tenant, namespace: r.namespace, group: r.def.name, err: (err as Error).message }, 'ruler: cannot save alert state');
    }
  }

  function groupsOf(tenant: string): GroupRunner[] {
    return [...runners.values()]
      .filter((r) => r.tenant === tenant)
      .sort((a, b) => (a.namespace === b.namespace ? cmp(a.def.name, b.def.name) : cmp(a.namespace, b.namespace)));
  }

  const router = new Router();
  const configOpts = { rules, resolveTenant: opts.resolveTenant, onChange: sync };
  mountConfigApi(router, '/loki/api/v1/rules', configOpts);
  mountConfigApi(router, '/api/prom/rules', configOpts);
  mountStateApi(router, { resolveTenant: opts.resolveTenant, groups: groupsOf });

  return {
    router,
    async start() {
      for (const p of rules.load()) logger.error({ file: p.file, err: p.message }, 'ruler: rule file skipped');
      alertState.load();
      running = true;
      for (const tenant of rules.tenantIds()) sync(tenant);
      try {
        alertState.prune((tenant, ns, group) => runners.has(key(tenant, ns, group)), now());
      } catch (err) {
        logger.error({ err: (err as Error).message }, 'ruler: cannot save alert state');
      }
      logger.info({ groups: runners.size }, 'ruler: started');
    },
    async stop() {
      running = false;
      await Promise.all([...runners.values()].map((r) => r.stop()));
      try {
        alertState.flush(now());
      } catch (err) {
        logger.error({ err: (err as Error).message }, 'ruler: cannot save alert state');
      }
      await notifier.stop();
      await remoteWriter?.stop();
    },
    async evaluateNow(tenant) {
      for (const r of groupsOf(tenant)) await r.evaluate(now());
    },
    async flush() {
      await notifier.idle();
      await remoteWriter?.idle();
    },
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
