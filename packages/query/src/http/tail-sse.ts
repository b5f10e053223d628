/**
 * Live tail as Server-Sent Events on the tail path, for clients behind proxies that break
 * WebSockets (`Accept: text/event-stream`). Each event carries one Loki tail frame as `data` and,
 * as `id`, the newest timestamp sent so far; a reconnecting client sends it back as
 * `Last-Event-ID` and resumes right after it.
 */
import type { Context } from 'koa';
import type { QueryApiOptions } from './context.js';
import { BadRequest, type Params } from './params.js';
import { tailRequest } from './tail-request.js';
import { TailSession, type TailFrame } from './tail-session.js';

const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
const KEEPALIVE_MS = 15_000;

export function wantsEventStream(ctx: Context): boolean {
  return (ctx.get('Accept') ?? '').includes('text/event-stream');
}

function resumeFrom(ctx: Context): bigint | undefined {
  const id = ctx.get('Last-Event-ID');
  if (id === '') return undefined;
  if (!/^\d{1,19}$/.test(id)) throw new BadRequest(`invalid Last-Event-ID "${id}": expected the nanosecond timestamp of the last event received`);
  return BigInt(id) + 1n;
}

/** Takes over the response and streams until the client goes away. */
export function serveEventStream(ctx: Context, opts: QueryApiOptions, tenants: string[], params: Params): void {
  const request = tailRequest(params, opts.limits(tenants[0]!));
  const resume = resumeFrom(ctx);
  if (resume !== undefined) request.start = resume;
  const res = ctx.res;
  ctx.respond = false;
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  res.write(': tailing\n\n');
  let lastId = resume !== undefined ? resume - 1n : undefined;
  const session = new TailSession(opts.store, tenants, request, {
    send(frame: TailFrame) {
      for (const s of frame.streams) {
        for (const [ts] of s.values) {
          const t = BigInt(ts);
          if (lastId === undefined || t > lastId) lastId = t;
        }
      }
      const id = lastId === undefined ? '' : `id: ${lastId}\n`;
      res.write(`${id}data: ${JSON.stringify(frame)}\n\n`);
    },
    congested: () => res.writableLength > MAX_BUFFERED_BYTES,
  });
  const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
  keepalive.unref();
  const end = () => {
    clearInterval(keepalive);
    session.close();
  };
  ctx.req.once('close', end);
  res.once('close', end);
  res.once('error', end);
  session.start();
}
