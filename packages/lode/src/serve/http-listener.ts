/**
 * A Node HTTP server around a request handler that can be drained: `close()` stops accepting,
 * lets in-flight requests finish (up to a grace period), then cuts what is left.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ListenAddress } from '../config/values.js';

export interface HttpListener {
  readonly server: Server;
  readonly address: string;
  close(graceMs?: number): Promise<void>;
}

export async function listenHttp(
  listen: ListenAddress,
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<HttpListener> {
  const server = createServer({ keepAliveTimeout: 65_000 }, handler);
  // Timeouts stay generous: pushes of big batches and long queries are normal traffic here.
  server.requestTimeout = 5 * 60_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address() as AddressInfo;
  const host = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
  return {
    server,
    address: `${host}:${bound.port}`,
    close: (graceMs = 10_000) =>
      new Promise<void>((resolve) => {
        const force = setTimeout(() => server.closeAllConnections(), graceMs);
        force.unref();
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}
