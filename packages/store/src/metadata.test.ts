import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Store } from './store.js';
import { compileMatchers, parseSelector } from './matchers.js';
import { formatSelector } from './labels.js';
import type { ChunkSummary, IndexStats, Labels, Matcher, TimeRange } from './model.js';
import { ALL, BASE_NS, tempDir } from './test-util.js';

const SEC = 1_000_000_000n;
const HOUR_NS = 3600n * SEC;

interface Model {
  labels: Labels;
  minTs: bigint;
  maxTs: bigint;
}

/** What the store should answer, computed over every stream the test pushed (span semantics). */
function expected(model: Model[], matchers: Matcher[], r: TimeRange): Model[] {
  const pred = compileMatchers(matchers);
  return model.filter((m) => m.minTs < r.to && m.maxTs >= r.from && pred(m.labels));
}

function statsOf(summaries: Iterable<ChunkSummary>): IndexStats {
  const out: IndexStats = { streams: 0, chunks: 0, entries: 0, bytes: 0 };
  const streams = new Set<string>();
  for (const c of summaries) {
    streams.add(c.stream.id);
    out.chunks++;
    out.entries += c.entries;
    out.bytes += c.bytes;
  }
  out.streams = streams.size;
  return out;
}

const SELECTORS = [
  '{}',
  '{app="a1"}',
  '{app=~"a[12]"}',
  '{app!="a1"}',
  '{app!~"a[01]"}',
  '{team=""}',
  '{team!=""}',
  '{team=~".*"}',
  '{team=~"t.+"}',
  '{team!~"t1"}',
  '{app=~"a.*", env="prod"}',
  '{env="prod", team="t0"}',
  '{nope=~".+"}',
  '{nope!="x"}',
  '{app="missing"}',
];

test('label names, values and series follow the matchers and the time range (brute force)', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const store = await Store.open({ dir, maintenanceIntervalMs: 0 });
    // Label sets repeat (odd i and i + 12 share one), so some streams get data at two distant times.
    const streams = new Map<string, Model>();
    const push = async (from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const labels: Record<string, string> = { app: `a${i % 4}`, env: i % 3 === 0 ? 'prod' : 'dev' };
        if (i % 2 === 0) labels.team = `t${i % 5}`;
        const t0 = BASE_NS + BigInt(i) * 10n * SEC;
        await store.append('t', [{ labels, entries: [{ ts: t0, line: `a ${i}` }, { ts: t0 + 5n * SEC, line: `b ${i}` }] }]);
        const known = streams.get(formatSelector(labels));
        if (known) known.maxTs = t0 + 5n * SEC;
        else streams.set(formatSelector(labels), { labels, minTs: t0, maxTs: t0 + 5n * SEC });
      }
    };
    await push(0, 20);
    await store.flush();
    await push(20, 40);
    const model = [...streams.values()];
    const ranges: TimeRange[] = [
      ALL,
      { from: BASE_NS + 100n * SEC, to: BASE_NS + 200n * SEC },
      { from: BASE_NS + 103n * SEC, to: BASE_NS + 104n * SEC },
      { from: BASE_NS + 395n * SEC, to: BASE_NS + 396n * SEC },
      { from: BASE_NS + 1000n * SEC, to: BASE_NS + 2000n * SEC },
      { from: BASE_NS + 200n * SEC, to: BASE_NS + 100n * SEC },
    ];
    for (const r of ranges) {
      for (const text of SELECTORS) {
        const matchers = text === '{}' ? [] : parseSelector(text);
        const q = { ...r, matchers };
        const want = r.from < r.to ? expected(model, matchers, r) : [];
        const where = `${text} over [${r.from - BASE_NS}, ${r.to - BASE_NS})`;
        assert.deepEqual(store.labelNames('t', q), [...new Set(want.flatMap((m) => Object.keys(m.labels)))].sort(), `labels ${where}`);
        for (const name of ['app', 'team', 'nope']) {
          const values = [...new Set(want.flatMap((m) => (m.labels[name] === undefined ? [] : [m.labels[name]])))].sort();
          assert.deepEqual(store.labelValues('t', name, q), values, `label/${name}/values ${where}`);
        }
        const series = want.map((m) => formatSelector(m.labels)).sort();
        assert.deepEqual(store.series('t', r, [matchers]).map(formatSelector), series, `series ${where}`);
        assert.deepEqual(store.streams('t', q).map((s) => formatSelector(s.labels)).sort(), series, `streams ${where}`);
      }
    }
    // Several matcher sets: the union, each series once.
    const union = store.series('t', ALL, [parseSelector('{app="a1"}'), parseSelector('{env="prod"}'), parseSelector('{app="a1"}')]);
    const want = expected(model, [], ALL).filter((m) => m.labels.app === 'a1' || m.labels.env === 'prod');
    assert.deepEqual(union.map(formatSelector), want.map((m) => formatSelector(m.labels)).sort());
    await store.close();
  } finally {
    cleanup();
  }
});

test('index stats equal a count of chunk summaries across head, chunks, partial ranges, compaction, retention and reopen', async () => {
  const { dir, cleanup } = tempDir();
  const now = BigInt(Date.now()) * 1_000_000n;
  const opts = { dir, maintenanceIntervalMs: 0, chunkTargetBytes: 2048, retention: { periodMs: 48 * 3600_000 } };
  const selectors = ['{app=~".+"}', '{app="a1"}', '{app!="a1"}', '{env="prod"}', '{app="none"}'];
  const ranges: TimeRange[] = [
    ALL,
    { from: now - 3n * HOUR_NS, to: now },
    { from: now - 100n * HOUR_NS, to: now - 2n * HOUR_NS },
    { from: now - 2n * HOUR_NS + 30n * SEC, to: now - 2n * HOUR_NS + 90n * SEC },
    { from: now - 1000n * HOUR_NS, to: now - 500n * HOUR_NS },
  ];
  const check = (store: Store, when: string) => {
    for (const text of selectors) {
      for (const r of ranges) {
        const q = { ...r, matchers: parseSelector(text) };
        assert.deepEqual(store.indexStats('t', q), statsOf(store.chunkSummaries('t', q)), `${when}: ${text} over [${r.from}, ${r.to})`);
      }
    }
  };
  try {
    let store = await Store.open(opts);
    let pushed = 0;
    const push = async (hoursAgo: bigint, count: number) => {
      for (let i = 0; i < 4; i++) {
        const entries = Array.from({ length: count }, (_, k) => ({ ts: now - hoursAgo * HOUR_NS + BigInt(k) * SEC, line: `stream ${i} entry ${k} ${'x'.repeat(40)}` }));
        await store.append('t', [{ labels: { app: `a${i}`, env: i % 2 ? 'prod' : 'dev' }, entries }]);
        pushed += count;
      }
    };
    // Entries older than the 2 h default head period must still be accepted: the store takes
    // them as long as reject_old_samples allows (a week by default).
    await push(100n, 30);
    await store.flush();
    await push(2n, 120);
    check(store, 'head and chunks');
    assert.equal(store.indexStats('t', { ...ALL, matchers: parseSelector('{app=~".+"}') }).entries, pushed);
    await store.flush();
    for (let k = 0; k < 5; k++) {
      await push(1n, 1);
      await store.flush();
    }
    check(store, 'flushed');
    await store.maintain();
    check(store, 'after compaction and retention');
    const afterRetention = store.indexStats('t', { ...ALL, matchers: parseSelector('{app=~".+"}') });
    assert.equal(afterRetention.entries, pushed - 4 * 30, 'the 100 h old chunks are gone (their 29 s span once made the retention scan wrap around and find nothing)');
    await store.close();
    store = await Store.open(opts);
    check(store, 'reopened');
    assert.deepEqual(store.indexStats('t', { ...ALL, matchers: parseSelector('{app=~".+"}') }), afterRetention);
    await store.close();
  } finally {
    cleanup();
  }
});

test('label values disappear with retention and come back with new data', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const now = BigInt(Date.now()) * 1_000_000n;
    const store = await Store.open({ dir, maintenanceIntervalMs: 0, retention: { periodMs: 24 * 3600_000 } });
    await store.append('t', [
      { labels: { app: 'old', zone: 'z1' }, entries: [{ ts: now - 50n * HOUR_NS, line: 'x' }] },
      { labels: { app: 'new' }, entries: [{ ts: now - HOUR_NS, line: 'y' }] },
    ]);
    await store.flush();
    const all = { ...ALL, matchers: [] };
    assert.deepEqual(store.labelValues('t', 'app', all), ['new', 'old']);
    assert.deepEqual(store.labelNames('t', all), ['app', 'zone']);
    await store.maintain();
    assert.deepEqual(store.labelValues('t', 'app', all), ['new']);
    assert.deepEqual(store.labelNames('t', all), ['app']);
    assert.deepEqual(store.labelValues('t', 'zone', all), []);
    assert.deepEqual(store.indexStats('t', { ...all, matchers: parseSelector('{app=~".+"}') }).streams, 1);
    await store.append('t', [{ labels: { app: 'old', zone: 'z1' }, entries: [{ ts: now, line: 'z' }] }]);
    assert.deepEqual(store.labelValues('t', 'app', all), ['new', 'old']);
    assert.deepEqual(store.labelValues('t', 'zone', all), ['z1']);
    assert.deepEqual(store.labelNames('t', all), ['app', 'zone']);
    await store.close();
  } finally {
    cleanup();
  }
});

test('metadata reads never cross tenants', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const store = await Store.open({ dir, maintenanceIntervalMs: 0 });
    await store.append('a', [{ labels: { app: 'one', only_a: 'x' }, entries: [{ ts: BASE_NS, line: 'a' }] }]);
    await store.append('b', [{ labels: { app: 'two' }, entries: [{ ts: BASE_NS, line: 'bb' }] }]);
    await store.flush();
    await store.append('b', [{ labels: { app: 'two' }, entries: [{ ts: BASE_NS + SEC, line: 'bbb' }] }]);
    const all = { ...ALL, matchers: [] };
    assert.deepEqual(store.labelNames('b', all), ['app']);
    assert.deepEqual(store.labelValues('b', 'app', all), ['two']);
    assert.deepEqual(store.labelValues('b', 'only_a', all), []);
    assert.deepEqual(store.series('b', ALL, [parseSelector('{app=~".+"}')]), [{ app: 'two' }]);
    assert.deepEqual(store.indexStats('b', { ...ALL, matchers: parseSelector('{app=~".+"}') }), { streams: 1, chunks: 2, entries: 2, bytes: 5 });
    assert.deepEqual(store.labelNames('c', all), []);
    assert.deepEqual(store.indexStats('c', { ...ALL, matchers: parseSelector('{app=~".+"}') }), { streams: 0, chunks: 0, entries: 0, bytes: 0 });
    await store.close();
  } finally {
    cleanup();
  }
});
