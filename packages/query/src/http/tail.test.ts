import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { WebSocket } from 'ws';
import { startTestServer, type TestServer } from './test-server.js';
import { parseExpr, type LogQueryExpr } from '../logql/index.js';
import { TailSession, type TailFrame } from './tail-session.js';

const SECOND = 1_000_000_000n;
let srv: TestServer;

before(async () => {
  srv = await startTestServer();
});
after(() => srv.close());

function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

function lines(frames: TailFrame[]): string[] {
  return frames.flatMap((f) => f.streams.flatMap((s) => s.values.map(([, l]) => l)));
}

interface TailClient {
  ws: WebSocket;
  /** Frames received so far; `onFrame` sees every later one. */
  frames: TailFrame[];
  onFrame?: (f: TailFrame) => void;
}

/** Frames are recorded from the start: the backfill may arrive in the same packet as the upgrade answer. */
function openWs(query: string, extra = '', headers: Record<string, string> = {}): Promise<TailClient> {
  const ws = new WebSocket(`${srv.url.replace('http', 'ws')}/loki/api/v1/tail?query=${encodeURIComponent(query)}${extra}`, { headers });
  const client: TailClient = { ws, frames: [] };
  ws.on('message', (d) => {
    const f = JSON.parse(d.toString()) as TailFrame;
    client.frames.push(f);
    client.onFrame?.(f);
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(client));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

/** Resolves with every frame once `enough` holds, or fails after a few seconds. */
function until(c: TailClient, enough: (frames: TailFrame[]) => boolean): Promise<TailFrame[]> {
  return new Promise((resolve, reject) => {
    if (enough(c.frames)) return resolve(c.frames);
    const timer = setTimeout(() => reject(new Error(`timed out; got ${JSON.stringify(c.frames)}`)), 5000);
    c.onFrame = () => {
      if (!enough(c.frames)) return;
      clearTimeout(timer);
      resolve(c.frames);
    };
  });
}

test('WebSocket: backfill since start, then live lines in order, none twice, pipeline applied', async () => {
  const t = nowNs() - 5n * SECOND;
  await srv.push('fake', [{ labels: { app: 'ws' }, entries: [{ ts: t, line: 'old keep 0' }, { ts: t + 1n, line: 'old drop' }] }]);
  const c = await openWs('{app="ws"} |= "keep"', `&start=${t - SECOND}`);
  const got = until(c, (frames) => lines(frames).length >= 4);
  await new Promise((r) => setTimeout(r, 50));
  const now = nowNs();
  await srv.push('fake', [{ labels: { app: 'ws' }, entries: [{ ts: now, line: 'live keep 1' }, { ts: now + 1n, line: 'live drop' }] }]);
  await srv.push('fake', [{ labels: { app: 'ws' }, entries: [{ ts: now + 2n, line: 'live keep 2' }, { ts: now + 3n, line: 'live keep 3' }] }]);
  const frames = await got;
  assert.deepEqual(lines(frames), ['old keep 0', 'live keep 1', 'live keep 2', 'live keep 3']);
  assert.deepEqual(frames[0]!.streams[0]!.stream, { app: 'ws' });
  c.ws.close();
});

test('WebSocket: limit caps the backfill to the newest entries', async () => {
  const t = nowNs() - 10n * SECOND;
  await srv.push('fake', [{ labels: { app: 'lim' }, entries: [0n, 1n, 2n, 3n].map((i) => ({ ts: t + i, line: `l${i}` })) }]);
  const c = await openWs('{app="lim"}', `&start=${t}&limit=2`);
  assert.deepEqual(lines(await until(c, (f) => f.length > 0)), ['l2', 'l3']);
  c.ws.close();
});

test('WebSocket: bad parameters and metric queries are refused before the upgrade', async () => {
  await assert.rejects(openWs('{app="x"}', '&delay_for=6'), /HTTP 400/);
  await assert.rejects(openWs('rate({app="x"}[1m])'), /HTTP 400/);
  await assert.rejects(openWs('{app="x"}', '', { 'X-Scope-OrgID': 'forbidden' }), /HTTP 401/);
});

test('WebSocket: tenants are isolated', async () => {
  const c = await openWs('{app="iso"}', '', { 'X-Scope-OrgID': 'tenant-b' });
  await srv.push('tenant-a', [{ labels: { app: 'iso' }, entries: [{ ts: nowNs(), line: 'for a only' }] }]);
  await srv.push('tenant-b', [{ labels: { app: 'iso' }, entries: [{ ts: nowNs(), line: 'for b' }] }]);
  // tenant-b's own line arrives after tenant-a's was pushed, so a leak would show first.
  assert.deepEqual(lines(await until(c, (f) => f.length > 0)), ['for b']);
  c.ws.close();
});

test('WebSocket: delay_for holds entries back and sends them sorted', async () => {
  const c = await openWs('{app="delay"}', '&delay_for=1');
  const got = until(c, (f) => lines(f).length >= 2);
  await new Promise((r) => setTimeout(r, 50));
  const now = nowNs();
  await srv.push('fake', [{ labels: { app: 'delay' }, entries: [{ ts: now + 5n, line: 'second' }] }]);
  await srv.push('fake', [{ labels: { app: 'delay' }, entries: [{ ts: now, line: 'first' }] }]);
  assert.deepEqual(lines(await got), ['first', 'second']);
  c.ws.close();
});

async function readSse(path: string, headers: Record<string, string>, want: number, onOpen: () => Promise<void>): Promise<{ ids: string[]; frames: TailFrame[] }> {
  const ac = new AbortController();
  const res = await fetch(srv.url + path, { headers: { Accept: 'text/event-stream', ...headers }, signal: ac.signal });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
  const reader = res.body!.getReader();
  const ids: string[] = [];
  const frames: TailFrame[] = [];
  let buf = '';
  let opened = false;
  const deadline = Date.now() + 5000;
  while (lines(frames).length < want && Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += Buffer.from(value).toString('utf8');
    let cut;
    while ((cut = buf.indexOf('\n\n')) >= 0) {
      const event = buf.slice(0, cut);
      buf = buf.slice(cut + 2);
      for (const line of event.split('\n')) {
        if (line.startsWith('id: ')) ids.push(line.slice(4));
        if (line.startsWith('data: ')) frames.push(JSON.parse(line.slice(6)));
      }
      if (!opened) {
        opened = true;
        await onOpen();
      }
    }
  }
  ac.abort();
  return { ids, frames };
}

test('SSE: live lines in order, resumable with Last-Event-ID', async () => {
  const now = nowNs();
  const first = await readSse('/loki/api/v1/tail?query=' + encodeURIComponent('{app="sse"}'), {}, 2, async () => {
    await srv.push('fake', [{ labels: { app: 'sse' }, entries: [{ ts: now, line: 'a' }, { ts: now + 1n, line: 'b' }] }]);
  });
  assert.deepEqual(lines(first.frames), ['a', 'b']);
  const lastId = first.ids.at(-1)!;
  assert.equal(lastId, String(now + 1n));
  await srv.push('fake', [{ labels: { app: 'sse' }, entries: [{ ts: now + 2n, line: 'c' }] }]);
  const resumed = await readSse('/loki/api/v1/tail?query=' + encodeURIComponent('{app="sse"}'), { 'Last-Event-ID': lastId }, 2, async () => {
    await srv.push('fake', [{ labels: { app: 'sse' }, entries: [{ ts: now + 3n, line: 'd' }] }]);
  });
  assert.deepEqual(lines(resumed.frames), ['c', 'd']);
});

test('a plain GET on the tail path is a 400 as in Loki', async () => {
  const r = await fetch(srv.url + '/loki/api/v1/tail?query=' + encodeURIComponent('{app="x"}'));
  assert.equal(r.status, 400);
});

test('a congested client gets dropped_entries instead of an unbounded buffer', async () => {
  const sent: TailFrame[] = [];
  let congested = true;
  const session = new TailSession(srv.store, ['fake'], { expr: parseExpr('{app="slow"}') as LogQueryExpr, start: nowNs(), limit: 100, delayMs: 0 }, {
    send: (f) => sent.push(f),
    congested: () => congested,
  });
  session.start();
  const now = nowNs();
  await srv.push('fake', [{ labels: { app: 'slow' }, entries: [{ ts: now, line: 'lost' }] }]);
  assert.deepEqual(sent, []);
  congested = false;
  await srv.push('fake', [{ labels: { app: 'slow' }, entries: [{ ts: now + 1n, line: 'kept' }] }]);
  session.close();
  assert.deepEqual(sent, [{ streams: [{ stream: { app: 'slow' }, values: [[String(now + 1n), 'kept']] }], dropped_entries: [{ labels: { app: 'slow' }, timestamp: String(now) }] }]);
});
