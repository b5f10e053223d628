import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { BodyError, readRawBody } from './body.js';

/** Serves `readRawBody` with `limit`, answering the body's hex or the error status. */
async function withServer(limit: number, run: (port: number) => Promise<void>): Promise<void> {
  const server = http.createServer((req, res) => {
    readRawBody(req, limit).then(
      (body) => res.end(body.toString('hex')),
      (e: BodyError) => {
        res.statusCode = e.status;
        res.end();
      },
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    await run((server.address() as AddressInfo).port);
  } finally {
    await new Promise((r) => server.close(r));
  }
}

/** Sends `parts` as separate writes, with a Content-Length header or chunked. */
function send(port: number, parts: Buffer[], contentLength: boolean): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const total = parts.reduce((n, p) => n + p.length, 0);
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', headers: contentLength ? { 'content-length': total } : {} }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, text }));
    });
    req.on('error', reject);
    let i = 0;
    const next = () => {
      if (i === parts.length) return req.end();
      req.write(parts[i++]!);
      setImmediate(next);
    };
    next();
  });
}

test('readRawBody: a body sent in many writes arrives whole, with or without Content-Length', async () => {
  const parts = Array.from({ length: 20 }, (_, i) => Buffer.alloc(5000 + i, i + 1));
  const whole = Buffer.concat(parts).toString('hex');
  await withServer(1 << 20, async (port) => {
    assert.deepEqual(await send(port, parts, true), { status: 200, text: whole });
    assert.deepEqual(await send(port, parts, false), { status: 200, text: whole });
    assert.deepEqual(await send(port, [Buffer.alloc(0)], true), { status: 200, text: '' });
  });
});

test('readRawBody: bodies over the limit are 413, declared or not', async () => {
  const parts = [Buffer.alloc(600, 1), Buffer.alloc(600, 2)];
  await withServer(1000, async (port) => {
    assert.equal((await send(port, parts, true)).status, 413);
    assert.equal((await send(port, parts, false)).status, 413);
  });
});
