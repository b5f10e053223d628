/**
 * The Koa application on the main HTTP port (3100): `/ready`, `/metrics`, the ingest routes
 * (Loki push, OTLP), the ruler's APIs and Loki's query API.
 */
import Koa from 'koa';
import type { Registry } from 'prom-client';
import { ingestRoutes, type IngestOptions } from '@lode/otlp-receiver';
import { queryRouter, type QueryApiOptions, type Ruler } from '@lode/query';
import type { Logger } from './logger.js';

export interface AppParts {
  ingest: IngestOptions;
  query: QueryApiOptions;
  ruler: Ruler;
  registry: Registry;
  logger: Logger;
  /** With API keys configured, `/metrics` needs one too (any role); `/ready` never does. */
  requireKeyForMetrics: boolean;
}

export function createApp(parts: AppParts): Koa {
  const { logger, registry } = parts;
  const app = new Koa();
  app.silent = true;
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      logger.error({ err, path: ctx.path }, 'unhandled error in request');
      ctx.status = 500;
      ctx.type = 'text/plain';
      ctx.body = `internal error: ${(err as Error).message}`;
    }
  });
  app.use(async (ctx, next) => {
    if (ctx.path === '/ready') {
      ctx.body = 'ready\n';
      return;
    }
    if (ctx.path === '/metrics' && ctx.method === 'GET') {
      if (parts.requireKeyForMetrics) {
        const auth = parts.query.resolveTenant(ctx.headers, 'read');
        if (!auth.ok) {
          ctx.status = auth.status;
          ctx.type = 'text/plain';
          ctx.body = auth.message;
          return;
        }
      }
      ctx.type = registry.contentType;
      ctx.body = await registry.metrics();
      return;
    }
    await next();
  });
  const ingest = ingestRoutes(parts.ingest);
  const query = queryRouter(parts.query);
  app.use(ingest.routes()).use(ingest.allowedMethods());
  app.use(parts.ruler.router.routes()).use(parts.ruler.router.allowedMethods());
  app.use(query.routes()).use(query.allowedMethods());
  return app;
}
