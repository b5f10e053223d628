/**
 * `lode serve`: the composition root. Opens the store, starts every listener on it, logs one
 * `listening` line per bound address, and on SIGINT/SIGTERM drains in-flight requests, stops
 * the listeners and flushes the store before exiting.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Store, type LimitsFor, type StoreHooks, type StoreOptions } from '@lode/store';
import {
  startFileInputs,
  startOtlpGrpc,
  startOtlpHttp,
  startSyslog,
  tenantOf,
  type Closable,
  type IngestOptions,
} from '@lode/otlp-receiver';
import { attachTail, createRuler, selectorMatchers, type QueryApiOptions, type Ruler } from '@lode/query';
import { limitsResolver, loadServeConfig, type ServeConfig } from '../config/load.js';
import { serveUsage } from '../config/usage.js';
import { VERSION } from '../version.js';
import { createApp } from './app.js';
import { listenHttp } from './http-listener.js';
import { createLogger, type Logger } from './logger.js';
import { createMetrics, type ServeMetrics } from './metrics.js';

function storeOptions(config: ServeConfig, limits: LimitsFor, hooks: StoreHooks): StoreOptions {
  return {
    dir: config.data,
    durability: config.durability,
    batchIntervalMs: config.wal_batch_interval,
    limits,
    chunkTargetBytes: config.chunk_target_size,
    maxChunkAgeMs: config.chunk_max_age,
    chunkCompressionLevel: config.chunk_compression_level,
    chunkEncoding: config.chunk_encoding,
    encodeWorkers: config.encode_workers,
    decodeWorkers: config.decode_workers,
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

/** Store events go to /metrics and, when something is wrong, to the log as well. */
function storeHooks(metrics: ServeMetrics, logger: Logger): StoreHooks {
  const m = metrics.storeHooks;
  return {
    ...m,
    onWalCorrupt: (info) => {
      m.onWalCorrupt?.(info);
      logger.warn({ corruption: info }, 'WAL: skipped a corrupt record during replay');
    },
    onCorruptChunk: (info) => {
      m.onCorruptChunk?.(info);
      logger.warn({ tenant: info.tenant, stream: info.stream, minTs: String(info.minTs), err: info.error }, 'store: skipped a corrupt chunk');
    },
    onBackgroundError: (err) => {
      m.onBackgroundError?.(err);
      logger.error({ err }, 'store: background job failed (retried on the next round)');
    },
  };
}

function createServeRuler(config: ServeConfig, query: QueryApiOptions, metrics: ServeMetrics, logger: Logger): Ruler {
  return createRuler({
    store: query.store,
    limits: query.limits,
    dataDir: config.data,
    ...(config.ruler_rules_dir ? { rulesDir: config.ruler_rules_dir } : {}),
    alertmanagerUrls: config.ruler_alertmanager_url,
    webhookUrls: config.ruler_webhook_url,
    ...(config.ruler_remote_write_url ? { remoteWriteUrl: config.ruler_remote_write_url } : {}),
    evaluationIntervalMs: config.ruler_evaluation_interval,
    resendDelayMs: config.ruler_resend_delay,
    forOutageToleranceMs: config.ruler_for_outage_tolerance,
    forGracePeriodMs: config.ruler_for_grace_period,
    externalUrl: config.ruler_external_url,
    logger: logger.child({ component: 'ruler' }),
    registry: metrics.registry,
    resolveTenant: query.resolveTenant,
  });
}

type Starter = [name: string, start: () => Promise<Closable>];

/** The listeners besides HTTP that this configuration enables (port 0 disables one). */
function otherListeners(config: ServeConfig, ingest: IngestOptions): Starter[] {
  const syslog = { tenant: config.syslog_tenant, labels: config.syslog_labels };
  const starters: Array<Starter | false> = [
    config.otlp_http_listen.port !== 0 && ['otlp_http', () => startOtlpHttp({ ...ingest, listen: config.otlp_http_listen })],
    config.otlp_grpc_listen.port !== 0 && ['otlp_grpc', () => startOtlpGrpc({ ...ingest, listen: config.otlp_grpc_listen })],
    config.syslog_listen.port !== 0 && ['syslog', () => startSyslog({ ...ingest, ...syslog, listen: config.syslog_listen })],
    config.syslog_tls_cert !== '' &&
      config.syslog_tls_listen.port !== 0 && [
        'syslog_tls',
        () =>
          startSyslog({
            ...ingest,
            ...syslog,
            listen: config.syslog_tls_listen,
            tls: { certFile: config.syslog_tls_cert, keyFile: config.syslog_tls_key },
          }),
      ],
    config.inputs.files.length > 0 && ['files', () => startFileInputs({ ...ingest, inputs: config.inputs.files, stateDir: join(config.data, 'inputs') })],
  ];
  return starters.filter((s): s is Starter => s !== false);
}

function signalled(logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    const stop = (signal: string) => {
      logger.info({ signal }, 'shutting down: draining requests and flushing the store');
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

export async function serveCommand(argv: string[]): Promise<number> {
  const { config, help } = loadServeConfig(argv);
  if (help) {
    process.stdout.write(serveUsage());
    return 0;
  }
  const logger = createLogger(config.log_level);
  mkdirSync(config.data, { recursive: true });
  const limits = limitsResolver(config);
  let store: Store | undefined;
  const metrics = createMetrics(() => store?.metrics());
  store = await Store.open(storeOptions(config, limits, storeHooks(metrics, logger)));
  const openStore = store;
  logger.info({ data: config.data, durability: config.durability, version: VERSION }, 'store opened');

  const tenancy = { multiTenant: config.multi_tenant, apiKeys: config.api_keys };
  const ingest: IngestOptions = { store: openStore, limits, ...tenancy, logger, registry: metrics.registry, maxInflightBytes: config.max_inflight_bytes };
  const query: QueryApiOptions = {
    store: openStore,
    limits,
    resolveTenant: (headers, access) => tenantOf(headers, tenancy, access),
    avgOverTimeSharding: config.avg_over_time_sharding,
    version: VERSION,
    onQuery: metrics.observeQuery,
  };
  const ruler = createServeRuler(config, query, metrics, logger);

  // Closed in reverse order: the ruler first, then listeners (draining), then the store.
  const closers: Array<() => Promise<void>> = [];
  const announce = (listener: string, address: string) => logger.info({ listener, address }, 'listening');
  try {
    if (config.http_listen.port !== 0) {
      const app = createApp({ ingest, query, ruler, registry: metrics.registry, logger, requireKeyForMetrics: config.api_keys.length > 0 });
      const http = await listenHttp(config.http_listen, app.callback());
      const tail = attachTail(http.server, query);
      closers.push(() => {
        tail.close();
        return http.close();
      });
      announce('http', http.address);
    }
    for (const [name, start] of otherListeners(config, ingest)) {
      const listener = await start();
      closers.push(() => listener.close());
      announce(name, listener.address);
    }
    await ruler.start();
    closers.push(() => ruler.stop());
  } catch (err) {
    logger.error({ err }, 'could not start a listener');
    await Promise.allSettled(closers.reverse().map((close) => close()));
    await openStore.close();
    return 1;
  }

  await signalled(logger);
  for (const close of closers.reverse()) await close().catch((err: unknown) => logger.error({ err }, 'error while stopping'));
  await openStore.close();
  logger.info('stopped');
  return 0;
}
