import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import Router from '@koa/router';
import { formatAddress, parseListen, type ListenAddress } from '../core/listen.js';
import { sharedIngester } from '../core/shared.js';
import type { Closable, IngestOptions } from '../core/types.js';
import { otlpHttpHandler } from './http-handler.js';

/** Starts the OTLP/HTTP receiver (`POST /v1/logs`, default port 4318). */
export async function startOtlpHttp(opts: IngestOptions & { listen: string | ListenAddress }): Promise<Closable> {
  const ingester = sharedIngester(opts);
  const { host, port } = parseListen(opts.listen);
  const app = new Koa();
  const router = new Router();
  router.post('/v1/logs', otlpHttpHandler(ingester));
  app.use(router.routes()).use(router.allowedMethods());
  app.on('error', (err: Error) => ingester.logger.warn({ err }, 'OTLP/HTTP request error'));
  const server = http.createServer(app.callback());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    address: formatAddress(server.address() as AddressInfo),
    close: () => closeHttpServer(server),
  };
}

/** Stops accepting, lets requests in progress finish, then drops idle keep-alive connections. */
export function closeHttpServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
