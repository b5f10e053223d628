/**
 * `lode serve`: the composition root. Opens the store, starts every listener on it, logs one
 * `listening` line per bound address, and on SIGINT/SIGTERM drains in-flight requests, stops
 * the listeners and flushes the store before exiting.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Koa from 'koa';
import { Store, type StoreOptions } from '@lode/store';
import {
  ingestRoutes,
  startFileInputs,
  startOtlpGrpc,
  startOtlpHttp,
  startSyslog,
  tenantOf,
  type Closable,
} from '@lode/otlp-receiver';
import { attachTail, createRuler, queryRouter, selectorMatchers, type QueryApiOptions, type Ruler } from '@lode/query';
import { limitsResolver, loadServeConfig, type ServeConfig } from '../config/load.js';
import { serveUsage } from '../config/usage.js';
import { listenHttp } from './http-listener.js';
import { createLogger, type Logger } from './logger.js';
import { createMetrics } from './metrics.js';
import { VERSION } from '../version.js';

function storeOptions(config: ServeConfig, hooks: StoreOptions['hooks']): StoreOptions {
  return {
    dir: config.data,
    durability: config.durability,
    batchIntervalMs: config.wal_batch_interval,
    limits: limitsResolver(config),
    chunkTargetBytes: config.chunk_target_size,
    maxChunkAgeMs: config.chunk_max_age,
    chunkCompressionLevel: config.chunk_compression_level,
    encodeWorkers: config.encode_workers,
    retention: {
      periodMs: config.limits.retention_period,
      tenants: Object.fromEntries(
        Object.entries(config.overrides)
          .filter(([, o]) => o.retention_period !== undefined)
          .map(([t, o]) => [t, o.retention_period!]),
      ),
      streams: config.retention_stream.map((r) => ({
        ...(r.tenant === undefined ? {} : { tenant: r.tenant }),
        matchers: selectorMatchers(r.selector),
        periodMs: r.period,
      })),
      maxBytes: config.retention_max_disk_bytes,
    },
    hooks,
  };
}

function koaApp(config: ServeConfig, queryOpts: QueryApiOptions, ruler: Ruler, logger: Logger, metrics: ReturnType<typeof createMetrics>): Koa {
  const app = new Koa();
  app.silent = true;
  app.on('error', (err: Error) => logger.error({ err }, 'request failed'));
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
      ctx.type = metrics.registry.contentType;
      ctx.body = await metrics.registry.metrics();
      return;
    }
    await next();
  });
  const ingest = ingestRoutes({
    store: queryOpts.store,
    limits: queryOpts.limits,
    multiTenant: config.multi_tenant,
    apiKeys: config.api_keys,
    logger,
    registry: metrics.registry,
    maxInflightBytes: config.max_inflight_bytes,
  });
  app.use(ingest.routes()).use(ingest.allowedMethods());
  app.use(ruler.router.routes()).use(ruler.router.allowedMethods());
  const query = queryRouter(queryOpts);
  app.use(query.routes()).use(query.allowedMethods());
  return app;
}

export async function serveCommand(argv: string[]): Promise<number> {
  const { config, help } = loadServeConfig(argv);
  if (help) {
    process.stdout.write(serveUsage());
    return 0;
  }
  const logger = createLogger(config.log_level);
  mkdirSync(config.data, { recursive: true });
  let store: Store | undefined;
  const metrics = createMetrics(() => store?.metrics());
  store = await Store.open(storeOptions(config, metrics.storeHooks));
  const openStore = store;
  logger.info({ data: config.data, durability: config.durability, version: VERSION }, 'store opened');

  const ingestOpts = {
    store: openStore,
    limits: limitsResolver(config),
    multiTenant: config.multi_tenant,
    apiKeys: config.api_keys,
    logger,
    registry: metrics.registry,
    maxInflightBytes: config.max_inflight_bytes,
  };
  const rules = { multiTenant: config.multi_tenant, apiKeys: config.api_keys };
  const queryOpts: QueryApiOptions = {
    store: openStore,
    limits: ingestOpts.limits,
    resolveTenant: (headers, access) => tenantOf(headers, rules, access),
    version: VERSION,
    onQuery: metrics.observeQuery,
  };
  const ruler = createRuler({
    store: openStore,
    limits: ingestOpts.limits,
    dataDir: config.data,
    ...(config.ruler_rules_dir ? { rulesDir: config.ruler_rules_dir } : {}),
    alertmanagerUrls: config.ruler_alertmanager_url,
    webhookUrls: config.ruler_webhook_url,
    ...(config.ruler_remote_write_url ? { remoteWriteUrl: config.ruler_remote_write_url } : {}),
    evaluationIntervalMs: config.ruler_evaluation_interval,
    resendDelayMs: config.ruler_resend_delay,
    externalUrl: config.ruler_external_url,
    logger: logger.child({ component: 'ruler' }),
    registry: metrics.registry,
    resolveTenant: queryOpts.resolveTenant,
  });
  const closers: Array<{ name: string; close: () => Promise<void> }> = [];
  const announce = (listener: string, address: string) => logger.info({ listener, address }, 'listening');
  try {
    if (config.http_listen.port !== 0) {
      const app = koaApp(config, queryOpts, ruler, logger, metrics);
      const http = await listenHttp(config.http_listen, app.callback());
      const tail = attachTail(http.server, queryOpts);
      closers.push({
        name: 'http',
        close: () => {
          tail.close();
          return http.close();
        },
      });
      announce('http', http.address);
    }
    const started: Array<[string, Promise<Closable>] | undefined> = [
      config.otlp_http_listen.port !== 0 ? ['otlp_http', startOtlpHttp({ ...ingestOpts, listen: config.otlp_http_listen })] : undefined,
      config.otlp_grpc_listen.port !== 0 ? ['otlp_grpc', startOtlpGrpc({ ...ingestOpts, listen: config.otlp_grpc_listen })] : undefined,
      config.syslog_listen.port !== 0
        ? ['syslog', startSyslog({ ...ingestOpts, listen: config.syslog_listen, tenant: config.syslog_tenant, labels: config.syslog_labels })]
        : undefined,
      config.syslog_tls_cert && config.syslog_tls_listen.port !== 0
        ? [
            'syslog_tls',
            startSyslog({
              ...ingestOpts,
              listen: config.syslog_tls_listen,
              tenant: config.syslog_tenant,
              labels: config.syslog_labels,
              tls: { certFile: config.syslog_tls_cert, keyFile: config.syslog_tls_key },
            }),
          ]
        : undefined,
      config.inputs.files.length > 0
        ? ['files', startFileInputs({ ...ingestOpts, inputs: config.inputs.files, stateDir: join(config.data, 'inputs') })]
        : undefined,
    ];
    for (const entry of started) {
      if (!entry) continue;
      const listener = await entry[1];
      closers.push({ name: entry[0], close: () => listener.close() });
      announce(entry[0], listener.address);
    }
    await ruler.start();
    closers.push({ name: 'ruler', close: () => ruler.stop() });
  } catch (err) {
    logger.error({ err }, 'could not start a listener');
    await Promise.allSettled(closers.map((c) => c.close()));
    await openStore.close();
    return 1;
  }

  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info({ signal }, 'shutting down: draining requests and flushing the store');
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await Promise.allSettled(closers.reverse().map((c) => c.close()));
  await openStore.close();
  logger.info('stopped');
  return 0;
}
