import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import type { IngestOptions } from '../core/types.js';
import { ingestRoutes } from '../http/routes.js';

/** Serves the 3100 ingest routes on a free port; returns the base URL and a closer. */
export async function serveIngestRoutes(options: IngestOptions): Promise<{ url: string; close: () => Promise<void> }> {
  const app = new Koa();
  const router = ingestRoutes(options);
  app.use(router.routes()).use(router.allowedMethods());
  const server = http.createServer(app.callback());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
