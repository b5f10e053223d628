/**
 * Loki's query HTTP API as a Koa router: every endpoint accepts GET parameters and POST form
 * bodies alike, answers Loki's JSON shapes, and reports errors as plain text with Loki's status
 * codes and messages.
 */
import Router from '@koa/router';
import compress from 'koa-compress';
import type { Context } from 'koa';
import { evaluateInstant, evaluateRange, QueryError } from '../engine/index.js';
import { formatExpr, parseExpr, ParseError } from '../logql/index.js';
import type { QueryApiOptions } from './context.js';
import { detectedFieldValues, detectedFields, detectedLabels } from './detected.js';
import { indexStats, labelNames, labelValues, series, volume, volumeRange } from './metadata.js';
import {
  BadRequest,
  boundsParams,
  directionParam,
  durationParam,
  limitParam,
  mergeParams,
  nowNs,
  param,
  timeParam,
  type Params,
} from './params.js';
import { patterns } from './patterns.js';
import { serveEventStream, wantsEventStream } from './tail-sse.js';
import { readTenants, TenantError } from './tenants.js';

const MAX_FORM_BYTES = 1024 * 1024;
const ONE_HOUR_NS = 3600n * 1_000_000_000n;
const MAX_POINTS = 11_000n;

async function readForm(ctx: Context): Promise<URLSearchParams> {
  if (ctx.method !== 'POST' || !ctx.is('application/x-www-form-urlencoded')) return new URLSearchParams();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) throw new BadRequest('form body too large: send at most 1 MiB of parameters');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

async function requestParams(ctx: Context): Promise<Params> {
  return mergeParams(new URLSearchParams(ctx.querystring), await readForm(ctx));
}

function requireQuery(params: Params): string {
  const q = param(params, 'query');
  if (q === undefined) throw new BadRequest('query parameter is required: a LogQL expression');
  return q;
}

/** Loki's default step: ⌊(end − start) / 250⌋ seconds, at least one second. */
function defaultStep(start: bigint, end: bigint): bigint {
  const secs = (end - start) / 1_000_000_000n / 250n;
  return (secs > 1n ? secs : 1n) * 1_000_000_000n;
}

function querySignal(ctx: Context, timeoutMs: number): AbortSignal {
  const clientGone = new AbortController();
  ctx.req.once('close', () => {
    if (!ctx.res.writableEnded) clientGone.abort();
  });
  return AbortSignal.any([clientGone.signal, AbortSignal.timeout(timeoutMs)]);
}

/** Serialises once: an object body would be stringified by koa-compress (to learn its length) and again by Koa. */
function success(ctx: Context, data: unknown): void {
  ctx.type = 'application/json';
  ctx.body = JSON.stringify({ status: 'success', data });
}

export function queryRouter(opts: QueryApiOptions): Router {
  const router = new Router();
  const { store } = opts;
  // Only answers of matched routes are compressed, and only when the client asks (Accept-Encoding).
  router.use(compress({ threshold: 1024, br: false }));

  /** Runs a handler with tenants resolved and Loki-style error answers. */
  const handle =
    (endpoint: string, fn: (ctx: Context, tenants: string[], params: Params) => Promise<void> | void) =>
    async (ctx: Context): Promise<void> => {
      const started = process.hrtime.bigint();
      let tenant = '';
      try {
        const tenants = readTenants(ctx.headers, opts.resolveTenant);
        tenant = tenants.join('|');
        await fn(ctx, tenants, await requestParams(ctx));
      } catch (err) {
        if (err instanceof BadRequest || err instanceof TenantError || err instanceof QueryError) {
          ctx.status = err.status;
          ctx.type = 'text/plain';
          ctx.body = err.message;
        } else if (err instanceof ParseError) {
          ctx.status = 400;
          ctx.type = 'text/plain';
          ctx.body = err.message;
        } else {
          throw err;
        }
      } finally {
        opts.onQuery?.({ endpoint, tenant, status: ctx.status, seconds: Number(process.hrtime.bigint() - started) / 1e9 });
      }
    };

  const rangeQuery = handle('query_range', async (ctx, tenants, params) => {
    const limits = opts.limits(tenants[0]!);
    const query = requireQuery(params);
    const { start, end } = boundsParams(params, ONE_HOUR_NS);
    const step = durationParam(params, 'step') ?? defaultStep(start, end);
    if (step <= 0n) throw new BadRequest('zero or negative query resolution step widths are not accepted. Try a positive integer');
    if ((end - start) / step > MAX_POINTS) {
      throw new BadRequest('exceeded maximum resolution of 11,000 points per time series. Try increasing the value of the step parameter');
    }
    const limit = limitParam(params, 100);
    const result = await evaluateRange(store, {
      tenant: tenants,
      query,
      start,
      end,
      step,
      interval: durationParam(params, 'interval'),
      limit,
      direction: directionParam(params),
      limits,
      categorizeLabels: categorize(ctx),
      avgOverTimeSharding: opts.avgOverTimeSharding,
      signal: querySignal(ctx, limits.query_timeout),
    });
    success(ctx, result);
  });

  const instantQuery = handle('query', async (ctx, tenants, params) => {
    const limits = opts.limits(tenants[0]!);
    const query = requireQuery(params);
    const time = timeParam(params, 'time', nowNs());
    const result = await evaluateInstant(store, {
      tenant: tenants,
      query,
      start: time,
      end: time,
      limit: limitParam(params, 100),
      direction: directionParam(params),
      limits,
      categorizeLabels: categorize(ctx),
      avgOverTimeSharding: opts.avgOverTimeSharding,
      signal: querySignal(ctx, limits.query_timeout),
    });
    success(ctx, result);
  });

  for (const prefix of ['/loki/api/v1', '/api/prom']) {
    router.all(`${prefix}/query_range`, rangeQuery);
    router.all(`${prefix}/query`, instantQuery);
    router.all(
      `${prefix}/labels`,
      handle('labels', (ctx, tenants, params) => success(ctx, labelNames(store, tenants, params))),
    );
    router.all(
      `${prefix}/label`,
      handle('labels', (ctx, tenants, params) => success(ctx, labelNames(store, tenants, params))),
    );
    router.all(
      `${prefix}/label/:name/values`,
      handle('label_values', (ctx, tenants, params) => success(ctx, labelValues(store, tenants, ctx.params.name!, params))),
    );
    router.all(
      `${prefix}/series`,
      handle('series', (ctx, tenants, params) => success(ctx, series(store, tenants, params))),
    );
  }
  router.all(
    '/loki/api/v1/index/stats',
    handle('index_stats', (ctx, tenants, params) => {
      ctx.body = indexStats(store, tenants, params);
    }),
  );
  router.all(
    '/loki/api/v1/index/volume',
    handle('index_volume', (ctx, tenants, params) => success(ctx, volume(store, tenants, params))),
  );
  router.all(
    '/loki/api/v1/index/volume_range',
    handle('index_volume_range', (ctx, tenants, params) => success(ctx, volumeRange(store, tenants, params))),
  );
  router.all(
    '/loki/api/v1/format_query',
    handle('format_query', (ctx, _tenants, params) => success(ctx, formatExpr(parseExpr(requireQuery(params))))),
  );
  for (const prefix of ['/loki/api/v1', '/api/prom']) {
    router.get(
      `${prefix}/tail`,
      handle('tail', (ctx, tenants, params) => {
        if (wantsEventStream(ctx)) return serveEventStream(ctx, opts, tenants, params);
        // What Loki's WebSocket upgrader answers to a plain GET.
        throw new BadRequest("websocket: the client is not using the websocket protocol: 'upgrade' token not found in 'Connection' header");
      }),
    );
  }
  router.all(
    '/loki/api/v1/detected_labels',
    handle('detected_labels', (ctx, tenants, params) => {
      ctx.body = detectedLabels(store, tenants, params);
    }),
  );
  router.all(
    '/loki/api/v1/detected_fields',
    handle('detected_fields', (ctx, tenants, params) => {
      ctx.body = detectedFields(store, tenants, params);
    }),
  );
  router.all(
    '/loki/api/v1/detected_field/:name/values',
    handle('detected_field_values', (ctx, tenants, params) => {
      ctx.body = detectedFieldValues(store, tenants, ctx.params.name!, params);
    }),
  );
  router.all(
    '/loki/api/v1/patterns',
    handle('patterns', (ctx, tenants, params) => success(ctx, patterns(store, tenants, params))),
  );
  router.get('/loki/api/v1/status/buildinfo', (ctx) => {
    ctx.body = {
      version: opts.version,
      revision: '',
      branch: '',
      buildUser: '',
      buildDate: '',
      goVersion: `node${process.versions.node}`,
    };
  });
  return router;
}

function categorize(ctx: Context): boolean {
  const flags = ctx.get('X-Loki-Response-Encoding-Flags');
  return flags.split(',').some((f) => f.trim() === 'categorize-labels');
}

