import Router from '@koa/router';
import { sharedIngester } from '../core/shared.js';
import type { IngestOptions } from '../core/types.js';
import { lokiPushHandler } from '../loki/push-handler.js';
import { otlpHttpHandler } from '../otlp/http-handler.js';

/**
 * The ingest routes of the main HTTP port (3100): Loki push (and its legacy path) and OTLP logs.
 * They read the raw body themselves, so no body parser may run before them.
 */
export function ingestRoutes(opts: IngestOptions): Router {
  const ingester = sharedIngester(opts);
  const router = new Router();
  const push = lokiPushHandler(ingester);
  router.post('/loki/api/v1/push', push);
  router.post('/api/prom/push', push);
  router.post('/otlp/v1/logs', otlpHttpHandler(ingester));
  return router;
}
