import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { silentLogger } from './logger.js';
import { rulerMetrics } from './metrics.js';
import { RemoteWriter, type RemoteSeries } from './remote-write.js';

const samples = (n: number): RemoteSeries[] =>
  Array.from({ length: n }, (_, i) => ({ labels: { __name__: 'r', i: String(i) }, value: i, timestampMs: 1_700_000_000_000 + i }));

async function metric(registry: Registry, name: string, url: string): Promise<number> {
  const line = (await registry.metrics()).split('\n').find((l) => l.startsWith(`${name}{url="${url}"}`));
  return line === undefined ? NaN : Number(line.split(' ').at(-1));
}

describe('remote-write queue metrics', () => {
  let server: Server;
  let base = '';
  let requests = 0;
  before(async () => {
    // /ok accepts, /refuse answers 400 (refused for good), /busy answers 503 (retried).
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        requests++;
        res.writeHead(req.url === '/ok' ? 204 : req.url === '/refuse' ? 400 : 503).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  it('counts sent samples and empties the queue', async () => {
    const registry = new Registry();
    const url = `${base}/ok`;
    const w = new RemoteWriter(url, silentLogger, rulerMetrics(registry));
    w.write(samples(3));
    assert.equal(await metric(registry, 'lode_ruler_remote_write_queue_length', url), 3);
    await w.idle();
    assert.equal(await metric(registry, 'lode_ruler_remote_write_samples_sent_total', url), 3);
    assert.equal(await metric(registry, 'lode_ruler_remote_write_queue_length', url), 0);
    await w.stop();
  });

  it('counts samples the endpoint refused, without retrying a 4xx', async () => {
    const registry = new Registry();
    const url = `${base}/refuse`;
    const w = new RemoteWriter(url, silentLogger, rulerMetrics(registry), { backoffMs: 1 });
    const before = requests;
    w.write(samples(2));
    await w.idle();
    assert.equal(requests - before, 1);
    assert.equal(await metric(registry, 'lode_ruler_remote_write_samples_failed_total', url), 2);
    assert.equal(await metric(registry, 'lode_ruler_remote_write_samples_sent_total', url), 0);
    await w.stop();
  });

  it('retries a 5xx, then counts the samples failed', async () => {
    const registry = new Registry();
    const url = `${base}/busy`;
    const w = new RemoteWriter(url, silentLogger, rulerMetrics(registry), { backoffMs: 1, maxAttempts: 3 });
    const before = requests;
    w.write(samples(4));
    await w.idle();
    assert.equal(requests - before, 3);
    assert.equal(await metric(registry, 'lode_ruler_remote_write_samples_failed_total', url), 4);
    await w.stop();
  });

  it('counts the oldest samples dropped when the queue overflows', async () => {
    const registry = new Registry();
    const url = `${base}/ok`;
    const w = new RemoteWriter(url, silentLogger, rulerMetrics(registry), { capacity: 2 });
    w.write(samples(5));
    assert.equal(await metric(registry, 'lode_ruler_remote_write_samples_dropped_total', url), 3);
    assert.equal(await metric(registry, 'lode_ruler_remote_write_queue_length', url), 2);
    await w.idle();
    assert.equal(await metric(registry, 'lode_ruler_remote_write_samples_sent_total', url), 2);
    await w.stop();
  });
});
