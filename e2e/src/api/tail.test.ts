/**
 * Live tail against a real `lode serve`: a WebSocket client and an SSE client, each connected
 * before the lines are pushed, receive every line pushed afterwards, in order, none twice.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { WebSocket } from 'ws';
import { startServer, type LodeServer } from '../support/server.js';
import { pushJson, qs } from './client.js';

let lode: LodeServer;
before(async () => {
  lode = await startServer();
});
after(() => lode.close());

interface Frame {
  streams: { stream: Record<string, string>; values: [string, string][] }[];
}

const COUNT = 50;
const expected = Array.from({ length: COUNT }, (_, i) => `tail line ${i}`);

async function pushLines(): Promise<void> {
  const base = BigInt(Date.now()) * 1_000_000n;
  // Several requests, so frames from several appends are involved.
  for (let batch = 0; batch < 5; batch++) {
    const values = expected.slice(batch * 10, batch * 10 + 10).map((l, i): [string, string] => [String(base + BigInt(batch * 10 + i)), l]);
    await pushJson(lode.addr, [{ stream: { app: 'tailed' }, values }]);
  }
}

function linesOf(f: Frame): string[] {
  return f.streams.flatMap((s) => s.values.map(([, l]) => l));
}

async function waitFor(done: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

const query = qs({ query: '{app="tailed"}' });

test('a WebSocket client receives pushed lines in order, none twice', async () => {
  const wsLines: string[] = [];
  const ws = new WebSocket(`${lode.addr.replace('http', 'ws')}/loki/api/v1/tail?${query}`);
  ws.on('message', (d) => wsLines.push(...linesOf(JSON.parse(d.toString()) as Frame)));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  await pushLines();
  await waitFor(() => wsLines.length >= COUNT);
  ws.close();
  assert.deepEqual(wsLines.slice(-COUNT), expected);
  assert.equal(wsLines.length, COUNT);
});

test('an SSE client receives pushed lines in order, none twice', async () => {
  const sseLines: string[] = [];
  const ac = new AbortController();
  // start= now: what earlier tests pushed is not replayed.
  const res = await fetch(`${lode.addr}/loki/api/v1/tail?${query}&start=${BigInt(Date.now()) * 1_000_000n}`, { headers: { Accept: 'text/event-stream' }, signal: ac.signal });
  assert.equal(res.status, 200);
  const reader = res.body!.getReader();
  const reading = (async () => {
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buf += Buffer.from(value).toString('utf8');
      let cut;
      while ((cut = buf.indexOf('\n\n')) >= 0) {
        for (const line of buf.slice(0, cut).split('\n')) if (line.startsWith('data: ')) sseLines.push(...linesOf(JSON.parse(line.slice(6)) as Frame));
        buf = buf.slice(cut + 2);
      }
    }
  })();
  await pushLines();
  await waitFor(() => sseLines.length >= COUNT);
  ac.abort();
  await reading.catch(() => undefined);
  assert.deepEqual(sseLines, expected);
});
