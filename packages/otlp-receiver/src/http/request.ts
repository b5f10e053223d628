import type { IncomingMessage } from 'node:http';
import type { Ingester } from '../core/ingester.js';
import { BodyError, decodeContentEncoding, readRawBody } from './body.js';
import { BodyPool } from './body-pool.js';

/** Retry hint when the in-flight budget is exhausted. */
export const OVERLOAD_RETRY_SECONDS = 1;

export type BodyResult = { ok: true; body: Buffer; release: () => void } | { ok: false; status: number; message: string; retryAfter?: number };

/**
 * Reads and decompresses a request body inside the in-flight budget. On success the caller owns
 * a reservation of the decoded size and the body, and must call `release()` once the push is
 * answered; the body's memory is reused after that.
 */
export async function readBudgetedBody(ingester: Ingester, req: IncomingMessage, opts: { snappyIsPayload?: boolean } = {}): Promise<BodyResult> {
  if (ingester.budget.full) {
    req.resume();
    return { ok: false, status: 503, message: 'server overloaded: too many bytes in flight, retry later', retryAfter: OVERLOAD_RETRY_SECONDS };
  }
  const limit = ingester.maxBodyBytes;
  let raw: Buffer | undefined;
  let body: Buffer;
  try {
    raw = await readRawBody(req, limit, BODIES);
    const encoding = req.headers['content-encoding'];
    // Loki's protobuf payload is itself a snappy block; `Content-Encoding: snappy` then names that, not an extra layer.
    const skip = opts.snappyIsPayload && encoding?.trim().toLowerCase() === 'snappy';
    body = skip ? raw : await decodeContentEncoding(raw, encoding, limit);
  } catch (e) {
    if (raw) BODIES.release(raw);
    if (e instanceof BodyError) return { ok: false, status: e.status, message: e.message };
    throw e;
  }
  if (body !== raw) BODIES.release(raw);
  const size = body.length;
  if (!ingester.budget.tryAcquire(size)) {
    BODIES.release(body);
    return { ok: false, status: 503, message: 'server overloaded: too many bytes in flight, retry later', retryAfter: OVERLOAD_RETRY_SECONDS };
  }
  let released = false;
  return {
    ok: true,
    body,
    release: () => {
      if (released) return;
      released = true;
      ingester.budget.release(size);
      BODIES.release(body);
    },
  };
}

/**
 * Raw request bodies of every HTTP ingest route. `release()` gives a body back, so a handler
 * must not keep the body (or views of it) past its answer; decoders copy what they keep.
 */
const BODIES = new BodyPool();

/** The media type of a request without parameters, lower-cased (`application/json`). */
export function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}
