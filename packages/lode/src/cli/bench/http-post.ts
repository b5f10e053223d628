/**
 * A lean POST for `lode bench ingest`: `node:http(s)` over a keep-alive agent. fetch (undici)
 * costs the load generator several times more CPU per request, and on a small machine the
 * generator's CPU is taken from the server it measures.
 */
import http from 'node:http';
import https from 'node:https';
import { headersOf, urlOf, type Connection } from '../client.js';
import { ServerError } from '../errors.js';

export interface PostAnswer {
  status: number;
  retryAfter: string | null;
  text: string;
}

export type Poster = (path: string, body: Buffer | string, headers: Record<string, string>) => Promise<PostAnswer>;

export function keepAlivePoster(conn: Connection, sockets: number): Poster {
  const secure = new URL(conn.addr).protocol === 'https:';
  const agent = secure ? new https.Agent({ keepAlive: true, maxSockets: sockets }) : new http.Agent({ keepAlive: true, maxSockets: sockets });
  const request = secure ? https.request : http.request;
  return (path, body, headers) =>
    new Promise((resolve, reject) => {
      const req = request(
        urlOf(conn, path),
        { method: 'POST', agent, headers: { ...headersOf(conn), ...headers, 'Content-Length': Buffer.byteLength(body) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, retryAfter: (res.headers['retry-after'] as string | undefined) ?? null, text: Buffer.concat(chunks).toString('utf8').trim() }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', (err: NodeJS.ErrnoException) => reject(new ServerError(`cannot reach lode at ${conn.addr}: ${err.code ?? err.message}`)));
      req.end(body);
    });
}
