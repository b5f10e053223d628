/**
 * Live tail over WebSocket (`GET /loki/api/v1/tail`, as Loki and logcli use it). The upgrade is
 * taken over from the HTTP server so the Koa app never sees it; parameters, tenancy and errors are
 * checked before upgrading, so a bad request gets an ordinary HTTP error answer.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { QueryApiOptions } from './context.js';
import { BadRequest, mergeParams } from './params.js';
import { tailRequest } from './tail-request.js';
import { TailSession, type TailFrame } from './tail-session.js';
import { readTenants, TenantError } from './tenants.js';

export const TAIL_PATH = '/loki/api/v1/tail';
const TAIL_PATHS = new Set([TAIL_PATH, '/api/prom/tail']);
/** Bytes queued on a socket beyond which new entries are dropped rather than buffered. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

function refuse(socket: Duplex, status: number, message: string): void {
  const reason = status === 400 ? 'Bad Request' : status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : 'Error';
  const body = Buffer.from(message, 'utf8');
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${message}`,
  );
}

/** Handles WebSocket upgrades for the tail path on `server`; other upgrades are left alone (closed if nobody else takes them). */
export function attachTail(server: Server, opts: QueryApiOptions): { close(): void } {
  const wss = new WebSocketServer({ noServer: true });
  const sessions = new Set<TailSession>();

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!TAIL_PATHS.has(url.pathname)) {
      if (server.listenerCount('upgrade') === 1) refuse(socket, 404, 'not found');
      return;
    }
    let tenants: string[];
    let request;
    try {
      tenants = readTenants(req.headers, opts.resolveTenant);
      request = tailRequest(mergeParams(url.searchParams), opts.limits(tenants[0]!));
    } catch (err) {
      if (err instanceof BadRequest || err instanceof TenantError) return refuse(socket, err.status, err.message);
      throw err;
    }
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      const session = new TailSession(opts.store, tenants, request, {
        send: (frame: TailFrame) => ws.send(JSON.stringify(frame)),
        congested: () => ws.bufferedAmount > MAX_BUFFERED_BYTES,
      });
      sessions.add(session);
      const end = () => {
        session.close();
        sessions.delete(session);
      };
      ws.on('close', end);
      ws.on('error', end);
      // Loki's clients send nothing; anything they do send is ignored.
      ws.on('message', () => undefined);
      session.start();
    });
  };
  server.on('upgrade', onUpgrade);
  return {
    close() {
      server.off('upgrade', onUpgrade);
      for (const s of sessions) s.close();
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
  };
}
