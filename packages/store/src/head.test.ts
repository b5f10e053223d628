import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HeadBlock } from './head.js';
import { inTimeOrder } from './chunk/reorder.js';
import type { Entry } from './model.js';

/** The entries as the encoder encodes them (after putting them in time order): (ts, line) in column order. */
function columnEntries(block: HeadBlock): [bigint, string][] {
  const input = block.encoderInput();
  const c = input.order ? inTimeOrder(input.columns, input.order) : input.columns;
  const out: [bigint, string][] = [];
  for (let k = 0; k < c.ts.length; k++) out.push([c.ts[k]!, Buffer.from(c.lines.subarray(c.offsets[k]!, c.offsets[k + 1]!)).toString()]);
  return out;
}

/** A stable sort by timestamp, the order blocks promise. */
function byTime(entries: Entry[]): [bigint, string][] {
  return entries
    .map((e, i) => ({ e, i }))
    .sort((a, b) => (a.e.ts < b.e.ts ? -1 : a.e.ts > b.e.ts ? 1 : a.i - b.i))
    .map(({ e }) => [e.ts, e.line]);
}

test('a block pushed out of order gives its columns in time order, equal timestamps in arrival order', () => {
  let seed = 21;
  const next = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  const bases = [1_763_700_000_000_000_000n, -5_000_000_000n, 0n, (1n << 62n) - 10_000_000_000n];
  for (const base of bases) {
    // Runs of increasing timestamps arriving in shuffled order, as concurrent pushes leave them.
    const runs: Entry[][] = [];
    for (let r = 0; r < 30; r++) {
      const start = base + BigInt(next(2_000_000));
      runs.push(Array.from({ length: 1 + next(60) }, (_, i) => ({ ts: start + BigInt(i * next(3)), line: `r${r} e${i} ${'ü'.repeat(next(3))}` })));
    }
    const block = new HeadBlock(0);
    const all: Entry[] = [];
    for (const run of runs) {
      block.add(run, 1n, 0);
      all.push(...run);
    }
    assert.deepEqual(columnEntries(block), byTime(all), `base ${base}`);
  }
});

test('a block spanning centuries still sorts exactly (no 53-bit shortcut)', () => {
  const block = new HeadBlock(0);
  const entries: Entry[] = [
    { ts: 9_000_000_000_000_000_000n, line: 'far future' },
    { ts: -9_000_000_000_000_000_000n, line: 'far past' },
    { ts: 1n, line: 'one' },
    { ts: 1n, line: 'one again' },
    { ts: 0n, line: 'zero' },
  ];
  block.add(entries, 1n, 0);
  assert.deepEqual(columnEntries(block), byTime(entries));
  assert.deepEqual([...block.sortedOrder(3)!], [1, 2, 0]);
});
