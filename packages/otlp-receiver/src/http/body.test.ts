import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { BodyError, readRawBody } from './body.js';
import { BodyPool } from './body-pool.js';

/** Serves `readRawBody` with `limit`, answering the body's hex or the error status. */
async function withServer(limit: number, run: (port: number) => Promise<void>, pool?: BodyPool): Promise<void> {
  const server = http.createServer((req, res) => {
    readRawBody(req, limit, pool).then(
      (body) => {
        res.end(body.toString('hex'));
        pool?.release(body);
      },
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

test('readRawBody with a pool: reused buffers never mix bodies; refused and cut-off bodies give theirs back', async () => {
  const pool = new BodyPool(1 << 20, 4 << 20);
  await withServer(
    300_000,
    async (port) => {
      for (let round = 0; round < 6; round++) {
        const parts = [Buffer.alloc(70_000 + round * 9_000, round + 1), Buffer.alloc(50_000, 0xf0 - round)];
        const whole = Buffer.concat(parts).toString('hex');
        const answers = await Promise.all([send(port, parts, true), send(port, parts.slice().reverse(), true)]);
        assert.deepEqual(answers[0], { status: 200, text: whole });
        assert.deepEqual(answers[1], { status: 200, text: Buffer.concat(parts.slice().reverse()).toString('hex') });
        assert.equal((await send(port, [Buffer.alloc(200_000), Buffer.alloc(200_000)], true)).status, 413);
      }
    },
    pool,
  );
  const a = pool.acquire(100_000);
  const b = pool.acquire(100_000);
  assert.notEqual(a.buffer, b.buffer, 'a lent buffer is not lent again');
  assert.equal(a.length, 100_000);
});

test('BodyPool: only its own buffers come back, once; big bodies are not kept', () => {
  const pool = new BodyPool(256 * 1024, 512 * 1024);
  const a = pool.acquire(100_000);
  pool.release(a);
  pool.release(a);
  const b = pool.acquire(90_000);
  const c = pool.acquire(90_000);
  assert.equal(b.buffer, a.buffer, 'reused');
  assert.notEqual(c.buffer, a.buffer, 'released twice, lent once');
  pool.release(Buffer.alloc(100_000));
  const big = pool.acquire(300_000);
  pool.release(big);
  assert.notEqual(pool.acquire(300_000).buffer, big.buffer);
});
