/**
 * The ruler: LogQL alerting and recording rules per tenant, Loki's config API, Prometheus'
 * state API, Alertmanager/webhook notifications and remote-write of recorded samples.
 */
export { createRuler, type Ruler, type RulerOptions } from './ruler.js';
export { RECORD_LABEL } from './group.js';
export type { RulerLogger } from './logger.js';
