import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Store } from './store.js';
import { DEFAULT_LIMITS } from './limits.js';
import { ALL, BASE_NS, entriesAt, lines, sel, tempDir } from './test-util.js';

test('append is visible at once and survives close and reopen', async () => {
  const { dir, cleanup } = tempDir();
  try {
    let store = await Store.open({ dir });
    const res = await store.append('t1', [{ labels: { app: 'api', env: 'prod' }, entries: entriesAt([1, 2, 3]) }]);
    assert.deepEqual(res, { accepted: 3, rejected: [] });
    assert.deepEqual(lines(store.entries('t1', { ...ALL, matchers: sel({ app: 'api' }), direction: 'forward' })), [
      'line 0 at 1',
      'line 1 at 2',
      'line 2 at 3',
    ]);
    // A clean close flushes the head: the reopened store serves the chunk (replay after a
    // crash is covered by crash.test.ts).
    await store.close();
    store = await Store.open({ dir });
    const got = [...store.entries('t1', { ...ALL, matchers: sel({ app: 'api' }), direction: 'backward' })];
    assert.deepEqual(got.map((e) => e.line), ['line 2 at 3', 'line 1 at 2', 'line 0 at 1']);
    assert.deepEqual(got[0].stream.labels, { app: 'api', env: 'prod' });
    assert.match(got[0].stream.id, /^[0-9a-f]{16}$/);
    assert.equal(store.metrics().chunks, 1);
    await store.close();
  } finally {
    cleanup();
  }
});

test('entries merge streams in time order across head and chunks, with [from, to) and line hints', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const store = await Store.open({ dir, chunkTargetBytes: 64 });
    await store.append('t', [
      { labels: { app: 'a' }, entries: entriesAt([1, 3, 5, 7, 9], 'a') },
      { labels: { app: 'b' }, entries: entriesAt([2, 4, 6, 8], 'b') },
    ]);
    await store.flush();
    await store.append('t', [{ labels: { app: 'b' }, entries: entriesAt([10], 'b-head') }]);
    const q = { from: BASE_NS + 2_000_000_000n, to: BASE_NS + 10_000_000_000n, matchers: [{ name: 'app', op: '=~' as const, value: 'a|b' }] };
    assert.deepEqual(lines(store.entries('t', { ...q, direction: 'forward' })), [
      'b 0 at 2', 'a 1 at 3', 'b 1 at 4', 'a 2 at 5', 'b 2 at 6', 'a 3 at 7', 'b 3 at 8', 'a 4 at 9',
    ]);
    assert.deepEqual(lines(store.entries('t', { ...ALL, matchers: q.matchers, direction: 'backward' })).slice(0, 3), [
      'b-head 0 at 10', 'a 4 at 9', 'b 3 at 8',
    ]);
    assert.deepEqual(lines(store.entries('t', { ...ALL, matchers: q.matchers, direction: 'forward', lineContains: ['at 4'] })), ['b 1 at 4']);
    const stats = store.indexStats('t', { ...ALL, matchers: q.matchers });
    assert.equal(stats.streams, 2);
    assert.equal(stats.entries, 10);
    assert.ok(stats.chunks >= 3);
    await store.close();
  } finally {
    cleanup();
  }
});

test('validation rejects per stream with Loki reasons; the rest is accepted', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const limits = { ...DEFAULT_LIMITS, max_line_size: 20, out_of_order_time_window: 10_000 };
    const store = await Store.open({ dir, limits: () => limits });
    const now = BigInt(Date.now()) * 1_000_000n;
    const res = await store.append('t', [
      { labels: {}, entries: entriesAt([1]) },
      { labels: { '1bad': 'x' }, entries: entriesAt([1]) },
      { labels: { app: 'ok' }, entries: [
        { ts: now, line: 'fine' },
        { ts: now - 60_000_000_000n, line: 'too far behind' },
        { ts: now, line: 'this line is much too long for the limit' },
        { ts: now + 3_600_000_000_000n, line: 'future' },
        { ts: now - 30n * 86_400_000_000_000n, line: 'ancient' },
        { ts: now - 5_000_000_000n, line: 'in window', metadata: { trace_id: 'abc' } },
        { ts: now, line: 'bad meta', metadata: { 'bad-name': 'x' } },
      ] },
    ]);
    assert.equal(res.accepted, 2);
    const reasons = Object.fromEntries(res.rejected.map((r) => [r.reason + ':' + r.stream, r]));
    assert.equal(reasons['invalid_labels:{}'].message, 'error at least one label pair is required per stream');
    assert.match(reasons['invalid_labels:{1bad="x"}'].message, /invalid label name "1bad"/);
    assert.match(reasons['too_far_behind:{app="ok"}'].message, /entry too far behind/);
    assert.match(reasons['line_too_long:{app="ok"}'].message, /max entry size '20' bytes exceeded for stream '\{app="ok"\}'/);
    assert.match(reasons['too_far_in_future:{app="ok"}'].message, /timestamp too new/);
    assert.match(reasons['greater_than_max_sample_age:{app="ok"}'].message, /timestamp too old/);
    assert.equal(reasons['invalid_metadata:{app="ok"}'].count, 1);
    const got = [...store.entries('t', { ...ALL, matchers: sel({ app: 'ok' }), direction: 'forward' })];
    assert.deepEqual(got.map((e) => [e.line, e.metadata]), [['in window', { trace_id: 'abc' }], ['fine', {}]]);
    const long = await store.append('t', [{ labels: { app: 'x', name: 'y'.repeat(3000) }, entries: entriesAt([1]) }]);
    assert.match(long.rejected[0].message, /has label value too long/);
    await store.close();
  } finally {
    cleanup();
  }
});

test('tenants are isolated in every API', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const store = await Store.open({ dir });
    await store.append('a', [{ labels: { app: 'one' }, entries: entriesAt([1]) }]);
    await store.append('b', [{ labels: { app: 'two' }, entries: entriesAt([1]) }]);
    const q = { ...ALL, matchers: [] };
    assert.deepEqual(store.labelValues('a', 'app', q), ['one']);
    assert.deepEqual(store.labelValues('b', 'app', q), ['two']);
    assert.deepEqual(store.series('a', ALL, [[{ name: 'app', op: '=~', value: '.+' }]]), [{ app: 'one' }]);
    assert.deepEqual(lines(store.entries('b', { ...q, direction: 'forward' })), ['line 0 at 1']);
    assert.equal(store.streams('c', q).length, 0);
    assert.deepEqual(store.labelNames('a', q), ['app']);
    await assert.rejects(store.append('bad/tenant', []), /unsupported characters/);
    await store.close();
  } finally {
    cleanup();
  }
});

test('label APIs honour matchers and the time range', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const store = await Store.open({ dir });
    await store.append('t', [
      { labels: { app: 'api', env: 'prod' }, entries: entriesAt([10]) },
      { labels: { app: 'web', env: 'dev', team: 'x' }, entries: entriesAt([100]) },
    ]);
    const early = { from: BASE_NS, to: BASE_NS + 50_000_000_000n };
    assert.deepEqual(store.labelNames('t', { ...early, matchers: [] }), ['app', 'env']);
    assert.deepEqual(store.labelValues('t', 'app', { ...ALL, matchers: [{ name: 'env', op: '!=', value: 'prod' }] }), ['web']);
    assert.deepEqual(store.labelValues('t', 'app', { ...ALL, matchers: [{ name: 'team', op: '=', value: '' }] }), ['api']);
    assert.deepEqual(
      store.series('t', ALL, [sel({ app: 'api' }), [{ name: 'app', op: '!~', value: 'a.*' }]]),
      [{ app: 'api', env: 'prod' }, { app: 'web', env: 'dev', team: 'x' }],
    );
    await store.close();
  } finally {
    cleanup();
  }
});

test('tail listeners get accepted batches after the ack', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const store = await Store.open({ dir });
    const seen: string[] = [];
    const stop = store.tail('t', (batches) => {
      for (const b of batches) for (const e of b.entries) seen.push(`${b.stream.labels.app}:${e.line}`);
    });
    await store.append('t', [{ labels: { app: 'x' }, entries: entriesAt([1]) }]);
    await store.append('other', [{ labels: { app: 'y' }, entries: entriesAt([1]) }]);
    stop();
    await store.append('t', [{ labels: { app: 'x' }, entries: entriesAt([2]) }]);
    assert.deepEqual(seen, ['x:line 0 at 1']);
    await store.close();
  } finally {
    cleanup();
  }
});

test('out-of-order entries inside the window are served sorted, from head and chunks', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const store = await Store.open({ dir });
    await store.append('t', [{ labels: { app: 'x' }, entries: entriesAt([5, 3, 4]) }]);
    await store.append('t', [{ labels: { app: 'x' }, entries: entriesAt([1], 'late') }]);
    const order = () => lines(store.entries('t', { ...ALL, matchers: sel({ app: 'x' }), direction: 'forward' }));
    const expected = ['late 0 at 1', 'line 1 at 3', 'line 2 at 4', 'line 0 at 5'];
    assert.deepEqual(order(), expected);
    await store.flush();
    assert.deepEqual(order(), expected);
    await store.close();
  } finally {
    cleanup();
  }
});

test('damaged chunk bytes in LMDB are skipped and reported, never fatal', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const corrupt: string[] = [];
    const store = await Store.open({ dir, chunkTargetBytes: 32, hooks: { onCorruptChunk: (c) => corrupt.push(c.stream) } });
    for (const e of entriesAt([1, 2, 3, 4, 5, 6], 'some longer line text')) await store.append('t', [{ labels: { app: 'x' }, entries: [e] }]);
    await store.flush();
    const keys = [...store.dbs.chunks.getKeys({})] as Buffer[];
    assert.ok(keys.length >= 2);
    const data = store.dbs.chunks.get(keys[0])!;
    const damaged = Buffer.from(data);
    for (let i = 8; i < damaged.length; i += 3) damaged[i] ^= 0x5a;
    await store.dbs.chunks.put(keys[0], damaged);
    const got = lines(store.entries('t', { ...ALL, matchers: sel({ app: 'x' }), direction: 'forward' }));
    assert.ok(got.length > 0 && got.length < 6);
    assert.deepEqual(corrupt, ['{app="x"}']);
    await store.close();
  } finally {
    cleanup();
  }
});
