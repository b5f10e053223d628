/**
 * Delivery of alerts to Alertmanagers (v2 API, `POST /api/v2/alerts`) and to plain JSON webhooks.
 * Evaluation only enqueues; each target has its own bounded queue drained by one sender, which
 * retries a failed batch with exponential backoff and drops it (counted) after the last attempt.
 */
import type { RulerLogger } from './logger.js';
import type { RulerMetrics } from './metrics.js';

/** An alert as Alertmanager's v2 API takes it (`postableAlert`). */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
}

export interface NotifierOptions {
  alertmanagerUrls: readonly string[];
  webhookUrls: readonly string[];
  metrics: RulerMetrics;
  logger: RulerLogger;
  /** Attempts per batch, first one included (default 5). */
  maxAttempts?: number;
  /** First retry delay; doubles each attempt up to `maxBackoffMs` (defaults 250 ms, 10 s). */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Alerts waiting per target; the oldest are dropped past this (default 10,000). */
  queueCapacity?: number;
  timeoutMs?: number;
}

interface Queued {
  tenant: string;
  alert: PostableAlert;
}

const MAX_BATCH = 64;

abstract class Target {
  private queue: Queued[] = [];
  private running: Promise<void> | undefined;
  private stopped = false;
  private wake: (() => void) | undefined;

  constructor(
    readonly url: string,
    protected readonly opts: NotifierOptions,
  ) {}

  protected abstract body(tenant: string, alerts: PostableAlert[]): string;
  protected abstract endpoint(): string;

  enqueue(tenant: string, alerts: PostableAlert[]): void {
    if (this.stopped) return;
    for (const alert of alerts) this.queue.push({ tenant, alert });
    const cap = this.opts.queueCapacity ?? 10_000;
    if (this.queue.length > cap) {
      const dropped = this.queue.length - cap;
      this.queue.splice(0, dropped);
      this.opts.metrics.notificationsFailed.inc({ target: this.url }, dropped);
      this.opts.logger.warn({ target: this.url, dropped }, 'ruler: notification queue full, dropped the oldest alerts');
    }
    this.running ??= this.drain().finally(() => (this.running = undefined));
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0 && !this.stopped) {
      const tenant = (this.queue[0] as Queued).tenant;
      const batch: PostableAlert[] = [];
      while (batch.length < MAX_BATCH && this.queue[0]?.tenant === tenant) batch.push((this.queue.shift() as Queued).alert);
      await this.deliver(tenant, batch);
    }
  }

  private async deliver(tenant: string, batch: PostableAlert[]): Promise<void> {
    const attempts = this.opts.maxAttempts ?? 5;
    let delay = this.opts.backoffMs ?? 250;
    let lastError = '';
    for (let attempt = 1; attempt <= attempts && !this.stopped; attempt++) {
      try {
        const res = await fetch(this.endpoint(), {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-scope-orgid': tenant, 'user-agent': 'lode-ruler' },
          body: this.body(tenant, batch),
          signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
        });
        await res.arrayBuffer();
        if (res.ok) {
          this.opts.metrics.notifications.inc({ target: this.url }, batch.length);
          return;
        }
        lastError = `HTTP ${res.status}`;
        // A 4xx other than 429 will not get better by retrying.
        if (res.status >= 400 && res.status < 500 && res.status !== 429) break;
      } catch (err) {
        lastError = (err as Error).message;
      }
      if (attempt < attempts) await this.sleep(delay);
      delay = Math.min(delay * 2, this.opts.maxBackoffMs ?? 10_000);
    }
    this.opts.metrics.notificationsFailed.inc({ target: this.url }, batch.length);
    this.opts.logger.warn({ target: this.url, alerts: batch.length, err: lastError }, 'ruler: could not deliver alerts');
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** Waits for the batch in flight; whatever is still queued is dropped. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.running;
  }

  idle(): Promise<void> {
    return this.running ?? Promise.resolve();
  }
}

class AlertmanagerTarget extends Target {
  protected endpoint(): string {
    const base = this.url.replace(/\/+$/, '');
    return base.endsWith('/api/v2/alerts') ? base : `${base}/api/v2/alerts`;
  }

  protected body(_tenant: string, alerts: PostableAlert[]): string {
    return JSON.stringify(alerts);
  }
}

/** Webhooks get Alertmanager's webhook payload (version 4), so existing receivers understand it. */
class WebhookTarget extends Target {
  protected endpoint(): string {
    return this.url;
  }

  protected body(tenant: string, alerts: PostableAlert[]): string {
    const now = Date.now();
    const withStatus = alerts.map((a) => ({ status: Date.parse(a.endsAt) <= now ? 'resolved' : 'firing', ...a }));
    return JSON.stringify({
      version: '4',
      receiver: 'lode',
      status: withStatus.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
      tenant,
      alerts: withStatus,
      groupLabels: {},
      commonLabels: common(alerts.map((a) => a.labels)),
      commonAnnotations: common(alerts.map((a) => a.annotations)),
      externalURL: '',
    });
  }
}

function common(maps: Record<string, string>[]): Record<string, string> {
  const [first, ...rest] = maps;
  if (!first) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(first)) if (rest.every((m) => m[k] === v)) out[k] = v;
  return out;
}

export class Notifier {
  private readonly targets: Target[];

  constructor(opts: NotifierOptions) {
    this.targets = [
      ...opts.alertmanagerUrls.map((u) => new AlertmanagerTarget(u, opts)),
      ...opts.webhookUrls.map((u) => new WebhookTarget(u, opts)),
    ];
  }

  send(tenant: string, alerts: PostableAlert[]): void {
    if (alerts.length === 0) return;
    for (const t of this.targets) t.enqueue(tenant, alerts);
  }

  /** Resolves once every queue is empty (tests and shutdown). */
  async idle(): Promise<void> {
    await Promise.all(this.targets.map((t) => t.idle()));
  }

  async stop(): Promise<void> {
    await Promise.all(this.targets.map((t) => t.stop()));
  }
}
