/**
 * Counting range aggregations read chunk by chunk (`chunk-counting.ts`): on generated datasets
 * (several streams, equal timestamps, entries on window edges, out-of-order pushes, data partly
 * flushed to chunks and partly in the head) their results must equal both a brute-force count
 * over every pushed entry and the engine's generic path (the same store without `chunks`).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_LIMITS, Store, type Entry, type Labels, type Limits, type LogStore } from '@lode/store';
import { evaluateInstant, evaluateRange, type QueryParams, type QueryResult } from './index.js';
import { mulberry32 } from '@lode/store';

const S = 1_000_000_000n;
const MS = 1_000_000n;
const BASE = 1_767_225_600n * S; // 2026-01-01T00:00:00Z, a multiple of every step used here
const SPAN_S = 300;
const limits: Limits = { ...DEFAULT_LIMITS, reject_old_samples: false, max_query_series: 100_000 };


interface Pushed {
  labels: Labels;
  ts: bigint;
  line: string;
  metadata: Labels;
}

const STREAMS: Labels[] = [
  { app: 'a', pod: '1' },
  { app: 'a', pod: '2' },
  { app: 'b', pod: '1' },
  { app: 'b', pod: '3', env: 'x' },
  { app: 'c' },
];
const LEVELS = ['info', 'warn', 'error', 'debug'];
const CODES = ['200', '404', '500', '503', '201'];
const WORDS = ['ok', 'done', 'grüße', '日本語', 'retry later', 'x'];

function generate(seed: number): Pushed[] {
  const r = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const n = 300 + Math.floor(r() * 500);
  const out: Pushed[] = [];
  for (let i = 0; i < n; i++) {
    const labels = pick(STREAMS);
    const same = out.length > 0 && r() < 0.12 ? out.filter((p) => p.labels === labels).at(-1) : undefined;
    // Whole seconds land exactly on window edges (steps, ranges and offsets are whole seconds).
    const ts = same ? same.ts : BASE + BigInt(Math.floor(r() * SPAN_S)) * S + (r() < 0.5 ? 0n : BigInt(Math.floor(r() * 1000)) * MS + BigInt(Math.floor(r() * 3)));
    const line = `level=${pick(LEVELS)} x=${Math.floor(r() * 120)} status=${pick(CODES)} msg="${pick(WORDS)}"`;
    const metadata: Labels = labels.app === 'b' && r() < 0.4 ? { team: pick(['red', 'blue']) } : {};
    out.push({ labels, ts, line, metadata });
  }
  return out;
}

/** Pushes in three phases — flushed, flushed again with older (out-of-order) entries, left in the head. */
async function load(store: Store, data: Pushed[], seed: number): Promise<void> {
  const r = mulberry32(seed ^ 0x5bd1e995);
  const shuffled = [...data];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j] as Pushed, shuffled[i] as Pushed];
  }
  // Phase one sorted per stream (chunks spanning many windows), the rest as it comes.
  const third = Math.floor(shuffled.length / 3);
  const phases = [shuffled.slice(0, third).sort((x, y) => (x.ts < y.ts ? -1 : x.ts > y.ts ? 1 : 0)), shuffled.slice(third, 2 * third), shuffled.slice(2 * third)];
  for (let p = 0; p < phases.length; p++) {
    const batch = phases[p] as Pushed[];
    for (let i = 0; i < batch.length; i += 37) {
      const byStream = new Map<Labels, Entry[]>();
      for (const e of batch.slice(i, i + 37)) {
        const list = byStream.get(e.labels) ?? [];
        list.push({ ts: e.ts, line: e.line, ...(Object.keys(e.metadata).length ? { metadata: e.metadata } : {}) });
        byStream.set(e.labels, list);
      }
      const res = await store.append('t', [...byStream].map(([labels, entries]) => ({ labels, entries })));
      assert.deepEqual(res.rejected, [], 'every generated entry is accepted');
    }
    if (p < 2) await store.flush();
  }
}

/** The store as a `LogStore` without `chunks`: the engine then takes its generic, entry-by-entry path. */
function withoutChunks(store: Store): LogStore {
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'chunks') return undefined;
      const v: unknown = Reflect.get(target, prop, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

// ------------------------------------------------------------------ query model and brute force

type Op = 'count_over_time' | 'rate' | 'bytes_over_time' | 'bytes_rate' | 'absent_over_time';
interface Pipe {
  text: string;
  keep: (line: string) => boolean;
  /** Runs logfmt: the series gain the fields of the line as labels. */
  parses: boolean;
}
interface Grouping {
  text: (inner: string) => string;
  /** Series labels of an entry (`parsed`: the pipeline ran logfmt); undefined when the brute force does not model it. */
  labels: ((p: Pushed, parsed: boolean) => Labels) | undefined;
}

const SELECTORS: { text: string; match: (l: Labels) => boolean; equalities?: Labels }[] = [
  { text: '{app="a"}', match: (l) => l.app === 'a', equalities: { app: 'a' } },
  { text: '{app=~"a|b"}', match: (l) => l.app === 'a' || l.app === 'b' },
  { text: '{pod="1"}', match: (l) => l.pod === '1', equalities: { pod: '1' } },
  { text: '{app=~".+"}', match: () => true },
];

const logfmtField = (line: string, name: string): string => new RegExp(`(?:^| )${name}=([^ ]*)`).exec(line)?.[1] ?? '';
const logfmtX = (line: string): number => Number(logfmtField(line, 'x'));
const PIPES: Pipe[] = [
  { text: '', keep: () => true, parses: false },
  { text: '|= "status=5"', keep: (l) => l.includes('status=5'), parses: false },
  { text: '!= "info"', keep: (l) => !l.includes('info'), parses: false },
  { text: '|~ "status=5\\\\d\\\\d"', keep: (l) => /status=5\d\d/.test(l), parses: false },
  { text: '|~ "status=50[03]"', keep: (l) => /status=50[03]/.test(l), parses: false },
  { text: '|~ "level=(warn|error)"', keep: (l) => /level=(warn|error)/.test(l), parses: false },
  { text: '|~ "msg=\\"日"', keep: (l) => l.includes('msg="日'), parses: false },
  { text: '|= "grüße"', keep: (l) => l.includes('grüße'), parses: false },
  // Only found across two lines of a chunk (one ends with `"`, the next starts with `level=`).
  { text: '|= "\\"level="', keep: (l) => l.includes('"level='), parses: false },
  { text: '| logfmt', keep: () => true, parses: true },
  { text: '| logfmt | x > 50', keep: (l) => logfmtX(l) > 50, parses: true },
  { text: '| logfmt | status >= 500', keep: (l) => Number(logfmtField(l, 'status')) >= 500, parses: true },
  { text: '|~ "status=[45]0" | logfmt | x > 10', keep: (l) => /status=[45]0/.test(l) && logfmtX(l) > 10, parses: true },
];

const pickLabels = (l: Labels, names: string[]): Labels => Object.fromEntries(names.filter((n) => l[n] !== undefined).map((n) => [n, l[n] as string]));
/** The labels logfmt extracts from a generated line (`level`, `x`, `status`, `msg` unquoted). */
const logfmtLabels = (line: string): Labels => {
  const out: Record<string, string> = {};
  for (const m of line.matchAll(/(\w+)=("[^"]*"|\S*)/g)) out[m[1] as string] = (m[2] as string).replace(/^"(.*)"$/, '$1');
  return out;
};
const allLabels = (p: Pushed, parsed: boolean): Labels => ({ ...p.labels, ...p.metadata, ...(parsed ? logfmtLabels(p.line) : {}) });
const GROUPINGS: Grouping[] = [
  { text: (e) => e, labels: allLabels },
  { text: (e) => `sum by (app) (${e})`, labels: (p) => pickLabels(p.labels, ['app']) },
  { text: (e) => `sum by (app, pod) (${e})`, labels: (p) => pickLabels(p.labels, ['app', 'pod']) },
  { text: (e) => `sum(${e})`, labels: () => ({}) },
  { text: (e) => `sum by (team) (${e})`, labels: (p) => pickLabels(p.metadata, ['team']) },
  {
    text: (e) => `sum without (pod) (${e})`,
    labels: (p, parsed) => Object.fromEntries(Object.entries(allLabels(p, parsed)).filter(([k]) => k !== 'pod')),
  },
  { text: (e) => `count by (app) (${e})`, labels: undefined },
  // Grouped by a label the logfmt stage extracts (absent without the parser).
  { text: (e) => `sum by (level, app) (${e})`, labels: (p, parsed) => ({ ...pickLabels(p.labels, ['app']), ...(parsed ? { level: logfmtField(p.line, 'level') } : {}) }) },
];

interface Case {
  query: string;
  op: Op;
  selector: (typeof SELECTORS)[number];
  pipe: Pipe;
  grouping: Grouping;
  rangeS: number;
  offsetS: number;
  stepS: number;
  start: bigint;
  end: bigint;
  instant: boolean;
}

function randomCase(r: () => number): Case {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const op = pick<Op>(['count_over_time', 'rate', 'bytes_over_time', 'bytes_rate', 'absent_over_time']);
  const selector = pick(SELECTORS);
  const pipe = pick(PIPES);
  const grouping = pick(GROUPINGS);
  const rangeS = pick([1, 2, 3, 10, 30, 65, 300, 600]);
  const offsetS = pick([0, 0, 0, 5, 37]);
  const stepS = pick([1, 2, 5, 7, 15, 60, 600]);
  const instant = r() < 0.2;
  // Start and end on the step grid, so Loki's aligned grid is the plain one the brute force uses.
  const first = Math.floor((-60 + r() * (SPAN_S + 120)) / stepS);
  const points = 1 + Math.floor(r() * Math.min(150, (SPAN_S + 700) / stepS));
  const start = instant ? BASE + BigInt(Math.floor(-30 + r() * (SPAN_S + 60))) * S : BASE + BigInt(first * stepS) * S;
  const end = instant ? start : start + BigInt((points - 1) * stepS) * S;
  const range = `${selector.text}${pipe.text ? ' ' + pipe.text : ''} [${rangeS}s]${offsetS ? ` offset ${offsetS}s` : ''}`;
  const query = grouping.text(`${op}(${range})`);
  return { query, op, selector, pipe, grouping, rangeS, offsetS, stepS, start, end, instant };
}

const key = (l: Labels): string => JSON.stringify(Object.entries(l).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
const seconds = (t: bigint): number => Number(t / MS) / 1000;

/** Series → (time in seconds → value) as the engine answered. */
function normalize(r: QueryResult): Map<string, Map<number, number>> {
  const out = new Map<string, Map<number, number>>();
  if (r.resultType === 'matrix') for (const s of r.result) out.set(key(s.metric), new Map(s.values.map(([t, v]) => [t, Number(v)])));
  else if (r.resultType === 'vector') for (const s of r.result) out.set(key(s.metric), new Map([[s.value[0], Number(s.value[1])]]));
  else assert.fail(`unexpected result type ${r.resultType}`);
  return out;
}

/** Brute force over every pushed entry: windows (T − offset − range, T − offset]. */
function bruteForce(c: Case, data: Pushed[]): Map<string, Map<number, number>> | undefined {
  const labelsOf = c.grouping.labels;
  if (!labelsOf) return undefined;
  const kept = data.filter((p) => c.selector.match(p.labels) && c.pipe.keep(p.line));
  const out = new Map<string, Map<number, number>>();
  const step = BigInt(c.stepS) * S;
  const range = BigInt(c.rangeS) * S;
  if (c.op === 'absent_over_time') {
    // 1 where no entry is in the window, labelled by the selector's `=` matchers.
    if (c.grouping !== GROUPINGS[0]) return undefined;
    const series = new Map<number, number>();
    for (let t = c.start; t <= c.end; t += step) {
      const right = t - BigInt(c.offsetS) * S;
      if (!kept.some((p) => p.ts > right - range && p.ts <= right)) series.set(seconds(t), 1);
    }
    if (series.size > 0) out.set(key(c.selector.equalities ?? {}), series);
    return out;
  }
  for (let t = c.start; t <= c.end; t += step) {
    const right = t - BigInt(c.offsetS) * S;
    const sums = new Map<string, { n: number; bytes: number }>();
    for (const p of kept) {
      if (p.ts <= right - range || p.ts > right) continue;
      const k = key(labelsOf(p, c.pipe.parses));
      const s = sums.get(k) ?? { n: 0, bytes: 0 };
      s.n++;
      s.bytes += Buffer.byteLength(p.line);
      sums.set(k, s);
    }
    for (const [k, s] of sums) {
      const v = c.op === 'count_over_time' ? s.n : c.op === 'bytes_over_time' ? s.bytes : c.op === 'rate' ? s.n / c.rangeS : s.bytes / c.rangeS;
      const series = out.get(k) ?? new Map<number, number>();
      series.set(seconds(t), v);
      out.set(k, series);
    }
  }
  return out;
}

function assertSameValues(got: Map<string, Map<number, number>>, want: Map<string, Map<number, number>>, what: string): void {
  assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort(), `${what}: series`);
  for (const [k, w] of want) {
    const g = got.get(k) as Map<number, number>;
    assert.deepEqual([...g.keys()].sort(), [...w.keys()].sort(), `${what}: sample times of ${k}`);
    for (const [t, v] of w) {
      const gv = g.get(t) as number;
      assert.ok(Math.abs(gv - v) <= 1e-9 * Math.max(1, Math.abs(v)), `${what}: ${k} at ${t}: got ${gv}, want ${v}`);
    }
  }
}

const paramsOf = (c: Case): QueryParams => ({
  tenant: 't',
  query: c.query,
  start: c.start,
  end: c.end,
  step: BigInt(c.stepS) * S,
  limit: 100,
  direction: 'backward',
  limits,
});

/** The result with its series in label order: instant vectors list series in the order they were read. */
function sortedResult(r: QueryResult): unknown {
  if (r.resultType !== 'vector') return r.result;
  return [...r.result].sort((a, b) => (key(a.metric) < key(b.metric) ? -1 : key(a.metric) > key(b.metric) ? 1 : 0));
}

async function run(store: LogStore, c: Case): Promise<QueryResult> {
  return c.instant ? evaluateInstant(store, paramsOf(c)) : evaluateRange(store, paramsOf(c));
}

// ------------------------------------------------------------------------------------------ tests

describe('counting aggregations from chunks', () => {
  const SEEDS = [1, 2, 3, 4, 5, 6];
  const CASES_PER_SEED = 45;

  for (const seed of SEEDS) {
    it(`seed ${seed}: fast path = generic path = brute force`, async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lode-'));
      // Small target: heads are also cut while pushing, so chunks of many sizes overlap.
      const store = await Store.open({ dir, limits: () => limits, durability: 'none', chunkTargetBytes: 200 + seed * 300, encodeWorkers: 0 });
      try {
        const data = generate(seed);
        await load(store, data, seed);
        assert.ok(store.metrics().chunks > 1, 'the dataset is partly in chunks');
        assert.ok(store.metrics().headEntries > 0, 'the dataset is partly in the head');
        const generic = withoutChunks(store);
        const r = mulberry32(seed * 7919);
        let bruteChecked = 0;
        for (let i = 0; i < CASES_PER_SEED; i++) {
          const c = randomCase(r);
          const what = `seed ${seed} case ${i}: ${c.instant ? 'instant' : 'range'} ${c.query} start=${seconds(c.start - BASE)}s end=${seconds(c.end - BASE)}s step=${c.stepS}s`;
          const fast = await run(store, c);
          const slow = await run(generic, c);
          const want = bruteForce(c, data);
          if (want) {
            assertSameValues(normalize(slow), want, `${what} (generic path)`);
            assertSameValues(normalize(fast), want, `${what} (chunk path)`);
            bruteChecked++;
          }
          assert.deepEqual(sortedResult(fast), sortedResult(slow), `${what}: chunk path differs from the generic path`);
        }
        assert.ok(bruteChecked > CASES_PER_SEED / 3, 'most cases are checked against the brute force');
      } finally {
        await store.close();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

describe('counting aggregations: targeted shapes', () => {
  let dir: string;
  let store: Store;
  // One sorted stream flushed as a chunk per 10 s block: entries at 0.5 s … 9.5 s of each block,
  // plus one entry exactly on every 10 s edge.
  const data: Pushed[] = [];
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lode-'));
    store = await Store.open({ dir, limits: () => limits, durability: 'none', encodeWorkers: 0 });
    const labels = { app: 'edge' };
    for (let block = 0; block < 6; block++) {
      const entries: Entry[] = [];
      for (let k = 0; k < 10; k++) {
        const ts = BASE + BigInt(block * 10) * S + BigInt(k) * S + (k === 0 ? 0n : 500n * MS);
        const line = `b=${block} k=${k}${'.'.repeat(k)}`;
        entries.push({ ts, line });
        data.push({ labels, ts, line, metadata: {} });
      }
      await store.append('t', [{ labels, entries }]);
      await store.flush();
    }
    // Head: the same shape once more, pushed backwards (an unsorted block).
    const head: Entry[] = [];
    for (let k = 9; k >= 0; k--) {
      const ts = BASE + 60n * S + BigInt(k) * S + (k === 0 ? 0n : 500n * MS);
      const line = `head k=${k}`;
      head.push({ ts, line });
      data.push({ labels, ts, line, metadata: {} });
    }
    await store.append('t', [{ labels, entries: head }]);
  });
  after(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const shapes: { name: string; op: Op; rangeS: number; stepS: number; offsetS: number; pipe: Pipe }[] = [
    // Windows (T−10s, T] with T on the block edges: each chunk holds entry 0 of one window and
    // the rest of the next, so every chunk is cut at a window edge.
    { name: 'chunks cut at a right edge', op: 'count_over_time', rangeS: 10, stepS: 10, offsetS: 0, pipe: PIPES[0] as Pipe },
    // One 60 s window set per chunk: whole-chunk summaries.
    { name: 'chunks inside one window set (summaries)', op: 'bytes_over_time', rangeS: 60, stepS: 60, offsetS: 0, pipe: PIPES[0] as Pipe },
    { name: 'step > range leaves entries in no window', op: 'rate', rangeS: 2, stepS: 5, offsetS: 0, pipe: PIPES[0] as Pipe },
    { name: 'range ≫ step (overlapping windows)', op: 'bytes_rate', rangeS: 25, stepS: 1, offsetS: 3, pipe: PIPES[0] as Pipe },
    { name: 'pipeline path', op: 'count_over_time', rangeS: 10, stepS: 10, offsetS: 0, pipe: { text: '|~ "k=[0-4]"', keep: (l) => /k=[0-4]/.test(l), parses: false } },
  ];
  for (const sh of shapes) {
    it(sh.name, async () => {
      const c: Case = {
        query: `sum(${sh.op}({app="edge"}${sh.pipe.text ? ' ' + sh.pipe.text : ''} [${sh.rangeS}s]${sh.offsetS ? ` offset ${sh.offsetS}s` : ''}))`,
        op: sh.op,
        selector: { text: '{app="edge"}', match: () => true },
        pipe: sh.pipe,
        grouping: GROUPINGS[3] as Grouping,
        rangeS: sh.rangeS,
        offsetS: sh.offsetS,
        stepS: sh.stepS,
        start: BASE - 60n * S,
        end: BASE + 120n * S,
        instant: false,
      };
      const fast = await run(store, c);
      assertSameValues(normalize(fast), bruteForce(c, data) as Map<string, Map<number, number>>, sh.name);
      assert.deepEqual(fast.result, (await run(withoutChunks(store), c)).result, `${sh.name}: chunk path = generic path`);
    });
  }

  it('rules out chunks by a label the pipeline needs only when no metadata could supply it', async () => {
    const dir2 = fs.mkdtempSync(path.join(os.tmpdir(), 'lode-'));
    const s2 = await Store.open({ dir: dir2, limits: () => limits, durability: 'none', encodeWorkers: 0 });
    try {
      // No line holds `status`: one stream carries it as metadata, one not at all, one in its labels.
      const entries = (metadata: Labels | undefined): Entry[] =>
        Array.from({ length: 20 }, (_, k) => ({ ts: BASE + BigInt(k + 1) * S, line: `level=error code=${500 + k}`, ...(metadata ? { metadata } : {}) }));
      await s2.append('t', [
        { labels: { app: 'meta' }, entries: entries({ status: '503' }) },
        { labels: { app: 'none' }, entries: entries(undefined) },
        { labels: { app: 'stream', status: '502' }, entries: entries(undefined) },
      ]);
      await s2.flush();
      const params: QueryParams = {
        tenant: 't',
        query: 'sum by (app) (count_over_time({app=~".+"} | logfmt | status >= 500 [1m]))',
        start: BASE + 60n * S,
        end: BASE + 60n * S,
        step: 60n * S,
        limit: 100,
        direction: 'backward',
        limits,
      };
      const fast = await evaluateRange(s2, params);
      assert.deepEqual(sortedResult(fast), sortedResult(await evaluateRange(withoutChunks(s2), params)), 'chunk path = generic path');
      assert.ok(fast.resultType === 'matrix');
      const counts = Object.fromEntries(fast.result.map((r) => [r.metric.app, r.values[0]?.[1]]));
      assert.deepEqual(counts, { meta: '20', stream: '20' });
    } finally {
      await s2.close();
      fs.rmSync(dir2, { recursive: true, force: true });
    }
  });

  it('adds chunks that sit inside one window set from their summaries, without decoding them', async () => {
    const before = store.metrics().chunksDecoded;
    const r = await evaluateRange(store, {
      tenant: 't',
      // Grouped by stream labels only: metadata cannot split the stream, so summaries apply.
      query: 'sum by (app) (count_over_time({app="edge"}[60s] offset 500ms))',
      start: BASE + 60n * S,
      end: BASE + 120n * S,
      step: 60n * S,
      limit: 100,
      direction: 'backward',
      limits,
    });
    assert.ok(r.resultType === 'matrix');
    // (−0.5 s, 59.5 s]: all six chunks; (59.5 s, 119.5 s]: the head block.
    assert.deepEqual(r.result, [{ metric: { app: 'edge' }, values: [[seconds(BASE + 60n * S), '60'], [seconds(BASE + 120n * S), '10']] }]);
    assert.equal(store.metrics().chunksDecoded, before, 'no chunk was decoded');
  });
});
