/**
 * The ruler's own metrics, registered on the server's prom-client registry. Reuses metrics
 * already registered under the same name, so two rulers (tests) can share a registry.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface RulerMetrics {
  evaluations: Counter<'tenant' | 'rule_group'>;
  failures: Counter<'tenant' | 'rule_group'>;
  duration: Histogram<'tenant' | 'rule_group'>;
  notifications: Counter<'target'>;
  notificationsFailed: Counter<'target'>;
  /** Remote write, per endpoint URL. */
  remoteWriteSent: Counter<'url'>;
  remoteWriteFailed: Counter<'url'>;
  remoteWriteDropped: Counter<'url'>;
  remoteWriteQueue: Gauge<'url'>;
}

function existing<T>(registry: Registry, name: string): T | undefined {
  return registry.getSingleMetric(name) as T | undefined;
}

export function rulerMetrics(registry: Registry): RulerMetrics {
  const groupLabels = ['tenant', 'rule_group'] as const;
  return {
    evaluations:
      existing(registry, 'lode_ruler_evaluations_total') ??
      new Counter({ name: 'lode_ruler_evaluations_total', help: 'Rule evaluations.', labelNames: groupLabels, registers: [registry] }),
    failures:
      existing(registry, 'lode_ruler_evaluation_failures_total') ??
      new Counter({ name: 'lode_ruler_evaluation_failures_total', help: 'Rule evaluations that failed.', labelNames: groupLabels, registers: [registry] }),
    duration:
      existing(registry, 'lode_ruler_evaluation_duration_seconds') ??
      new Histogram({
        name: 'lode_ruler_evaluation_duration_seconds',
        help: 'Time to evaluate one rule group.',
        labelNames: groupLabels,
        buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10],
        registers: [registry],
      }),
    notifications:
      existing(registry, 'lode_ruler_notifications_total') ??
      new Counter({ name: 'lode_ruler_notifications_total', help: 'Alerts delivered to Alertmanagers and webhooks.', labelNames: ['target'], registers: [registry] }),
    notificationsFailed:
      existing(registry, 'lode_ruler_notifications_failed_total') ??
      new Counter({
        name: 'lode_ruler_notifications_failed_total',
        help: 'Alerts dropped after every delivery attempt failed (or the queue overflowed).',
        labelNames: ['target'],
        registers: [registry],
      }),
    remoteWriteSent:
      existing(registry, 'lode_ruler_remote_write_samples_sent_total') ??
      new Counter({ name: 'lode_ruler_remote_write_samples_sent_total', help: 'Samples the remote-write endpoint accepted.', labelNames: ['url'], registers: [registry] }),
    remoteWriteFailed:
      existing(registry, 'lode_ruler_remote_write_samples_failed_total') ??
      new Counter({
        name: 'lode_ruler_remote_write_samples_failed_total',
        help: 'Samples given up on: refused by the endpoint (4xx) or every attempt failed.',
        labelNames: ['url'],
        registers: [registry],
      }),
    remoteWriteDropped:
      existing(registry, 'lode_ruler_remote_write_samples_dropped_total') ??
      new Counter({
        name: 'lode_ruler_remote_write_samples_dropped_total',
        help: 'Samples dropped unsent because the queue was full (or the ruler stopped).',
        labelNames: ['url'],
        registers: [registry],
      }),
    remoteWriteQueue:
      existing(registry, 'lode_ruler_remote_write_queue_length') ??
      new Gauge({ name: 'lode_ruler_remote_write_queue_length', help: 'Samples waiting to be remote-written (including the batch being sent).', labelNames: ['url'], registers: [registry] }),
  };
}
