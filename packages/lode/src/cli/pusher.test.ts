/** Pusher retry rules against a plain HTTP endpoint that answers what each case needs. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pusher, retryAfterMs } from './pusher.js';

async function endpoint(answers: Array<{ status: number; headers?: Record<string, string>; body?: string }>): Promise<{ addr: string; bodies: string[]; server: Server }> {
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      bodies.push(body);
      const a = answers.shift() ?? { status: 204 };
      res.writeHead(a.status, a.headers).end(a.body ?? '');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { addr: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies, server };
}

test('retries 429 and 503 honouring Retry-After, then succeeds', async () => {
  const e = await endpoint([{ status: 503, headers: { 'Retry-After': '0' } }, { status: 429, headers: { 'Retry-After': '0' } }]);
  const retries: string[] = [];
  const p = new Pusher({ addr: e.addr }, { labels: { app: 'x' }, maxRetries: 3, onRetry: (why, ms) => retries.push(`${why} ${ms}`) });
  assert.equal(await p.push([['1', 'a'], ['2', 'b']]), true);
  e.server.close();
  assert.deepEqual(retries, ['server answered 503 0', 'server answered 429 0']);
  assert.equal(e.bodies.length, 3);
  assert.deepEqual(JSON.parse(e.bodies[2]!), { streams: [{ stream: { app: 'x' }, values: [['1', 'a'], ['2', 'b']] }] });
  assert.deepEqual(p.stats, { lines: 2, bytes: 2, batches: 1, retries: 2, failedBatches: 0, failedLines: 0 });
});

test('a 400 is not retried and is reported with the server text', async () => {
  const e = await endpoint([{ status: 400, body: 'line too long' }]);
  const rejected: string[] = [];
  const p = new Pusher({ addr: e.addr }, { labels: { app: 'x' }, maxRetries: 3, onRejected: (err, n) => rejected.push(`${n}: ${err.message}`) });
  assert.equal(await p.push([['1', 'a']]), false);
  e.server.close();
  assert.deepEqual(rejected, ['1: server answered 400: line too long']);
  assert.equal(e.bodies.length, 1);
});

test('gives up after maxRetries', async () => {
  const e = await endpoint([{ status: 503, headers: { 'Retry-After': '0' } }, { status: 503, headers: { 'Retry-After': '0' } }]);
  const p = new Pusher({ addr: e.addr }, { labels: { app: 'x' }, maxRetries: 1 });
  assert.equal(await p.push([['1', 'a']]), false);
  e.server.close();
  assert.equal(p.stats.failedLines, 1);
});

test('stamps are strictly increasing', () => {
  const p = new Pusher({ addr: 'http://127.0.0.1:1' }, { labels: { a: 'b' }, maxRetries: 0 });
  let last = 0n;
  for (let i = 0; i < 1000; i++) {
    const t = p.stamp();
    assert.ok(t > last);
    last = t;
  }
});

test('Retry-After as seconds or HTTP date', () => {
  assert.equal(retryAfterMs('3'), 3000);
  assert.equal(retryAfterMs(null), undefined);
  assert.equal(retryAfterMs('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT')), 10_000);
  assert.equal(retryAfterMs('soon'), undefined);
});
