import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeChunk, filterMayContain, type RawEntry } from './index.js';
import { buildFilter } from './filter.js';

function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['GET', 'POST', 'user', 'Login', 'failed', 'OK', 'timeout', 'Données', 'ÉTÉ', 'straße', 'KELVIN', 'ſtop', 'ﬃ'];

function lines(rnd: () => number, count: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const parts: string[] = [];
    const n = 1 + Math.floor(rnd() * 8);
    for (let p = 0; p < n; p++) {
      const w = WORDS[Math.floor(rnd() * WORDS.length)]!;
      parts.push(rnd() < 0.5 ? w : `${w}=${Math.floor(rnd() * 1e6).toString(16)}`);
    }
    out.push(parts.join(rnd() < 0.5 ? ' ' : '\t'));
  }
  return out;
}

function filterOf(texts: string[]): Buffer {
  const entries: RawEntry[] = texts.map((line, i) => ({ ts: BigInt(i), line }));
  return encodeChunk(entries).filter;
}

function swapCase(s: string, rnd: () => number): string {
  let out = '';
  for (const ch of s) out += rnd() < 0.5 ? ch.toUpperCase() : ch.toLowerCase();
  return out;
}

describe('content filter', () => {
  it('never says no for a substring of a line, in any ASCII case', () => {
    const rnd = random(3);
    for (let round = 0; round < 20; round++) {
      const texts = lines(rnd, 200);
      const filter = filterOf(texts);
      for (let n = 0; n < 500; n++) {
        const line = texts[Math.floor(rnd() * texts.length)]!;
        const start = Math.floor(rnd() * line.length);
        const needle = line.slice(start, start + 1 + Math.floor(rnd() * 30));
        assert.ok(filterMayContain(filter, needle), `missed ${JSON.stringify(needle)}`);
        assert.ok(filterMayContain(filter, needle, { caseInsensitive: true }));
        const asciiSwapped = needle.replace(/[a-z]/gi, (c) => (rnd() < 0.5 ? c.toUpperCase() : c.toLowerCase()));
        assert.ok(filterMayContain(filter, asciiSwapped), `missed ASCII case variant ${JSON.stringify(asciiSwapped)}`);
      }
    }
  });

  it('with caseInsensitive, never says no for a needle matching under Unicode case folding', () => {
    const rnd = random(5);
    const texts = lines(rnd, 300);
    const filter = filterOf(texts);
    for (let n = 0; n < 3000; n++) {
      const line = texts[Math.floor(rnd() * texts.length)]!;
      const start = Math.floor(rnd() * line.length);
      const needle = swapCase(line.slice(start, start + 1 + Math.floor(rnd() * 30)), rnd);
      // Only needles a case-insensitive regex really finds count; toUpperCase can change lengths.
      const re = new RegExp(needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'iu');
      if (!texts.some((t) => re.test(t))) continue;
      assert.ok(filterMayContain(filter, needle, { caseInsensitive: true }), `missed ${JSON.stringify(needle)}`);
    }
    // Simple case folding maps these non-ASCII letters onto ASCII k and s.
    const exotic = filterOf(['temperature 300 K and ſpeed']);
    assert.ok(filterMayContain(exotic, '300 k and', { caseInsensitive: true }));
    assert.ok(filterMayContain(exotic, 'SPEED', { caseInsensitive: true }));
    assert.equal(filterMayContain(exotic, 'ANDY WARHOL SPEED', { caseInsensitive: true }), false);
  });

  it('says no for needles that are in no line', () => {
    const filter = filterOf(['level=info msg="user logged in" user=alice', 'level=error msg="disk full" device=sda1']);
    for (const needle of ['bob_the_builder', 'segfault', 'user=carol', 'disk empty', 'ALICE IN WONDERLAND']) {
      assert.equal(filterMayContain(filter, needle), false, needle);
    }
    assert.ok(filterMayContain(filter, 'USER=ALICE'));
    assert.ok(filterMayContain(filter, 'disk full'));
  });

  it('does not join grams across lines', () => {
    const filter = filterOf(['abcd', 'efgh']);
    assert.equal(filterMayContain(filter, 'cdef'), false);
    assert.equal(filterMayContain(filter, 'bcde'), false);
  });

  it('says maybe for needles shorter than a gram and for filters it cannot read', () => {
    const filter = filterOf(['nothing to see']);
    for (const needle of ['', 'x', 'zz', 'zzz', '€']) assert.ok(filterMayContain(filter, needle));
    assert.equal(filterMayContain(filter, 'zzzz'), false);
    for (const bad of [Buffer.alloc(0), Buffer.from([9, 4, 3, 0, 0, 0, 0, 0, 0, 0, 0]), Buffer.from([1, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0])]) {
      assert.ok(filterMayContain(bad, 'zzzz'));
    }
  });

  it('says no for every needle of 4+ bytes when all lines are shorter than a gram', () => {
    const filter = filterOf(['a', 'bc', '', 'def']);
    assert.equal(filterMayContain(filter, 'defg'), false);
    assert.ok(filterMayContain(filter, 'def'));
  });

  it('gives the same filter whatever was built before (the scratch set grows between builds)', () => {
    const rnd = random(11);
    const small = lines(rnd, 50);
    const big = lines(rnd, 20000);
    const first = filterOf(small);
    filterOf(big);
    assert.deepEqual(filterOf(small), first);
    const again = filterOf(big);
    filterOf(small);
    assert.deepEqual(filterOf(big), again);
  });

  it('indexes the all-zero gram (NUL bytes) and upper-case runs like any other', () => {
    const filter = filterOf(['bin\u0000\u0000\u0000\u0000ary', 'AAAA']);
    assert.ok(filterMayContain(filter, '\u0000\u0000\u0000\u0000'));
    assert.ok(filterMayContain(filter, 'n\u0000\u0000\u0000'));
    assert.ok(filterMayContain(filter, 'aaaa'));
    assert.equal(filterMayContain(filterOf(['no nul bytes here']), '\u0000\u0000\u0000\u0000'), false);
  });

  it('is byte for byte the filter a plain reference build gives (format and sizing unchanged)', () => {
    const rnd = random(17);
    for (const count of [1, 30, 3000]) {
      const texts = lines(rnd, count);
      const { bytes, offsets } = packed(texts);
      assert.deepEqual(buildFilter(bytes, offsets, texts.length), referenceFilter(bytes, offsets));
    }
  });

  it('covers every gram of a line longer than the scratch set (it grows inside the line)', () => {
    const rnd = random(23);
    const hex = Array.from({ length: 300_000 }, () => Math.floor(rnd() * 16).toString(16)).join('');
    const filter = filterOf(['short', hex]);
    const { bytes, offsets } = packed(['short', hex]);
    for (let n = 0; n < 2000; n++) {
      const at = Math.floor(rnd() * (hex.length - 12));
      assert.ok(filterMayContain(filter, hex.slice(at, at + 12)));
    }
    assert.deepEqual(filter, referenceFilter(bytes, offsets));
  });

  it('covers the FF FF FF FF gram, which the scratch set cannot hold, in raw bytes', () => {
    const bytes = Buffer.from([0x61, 0xff, 0xff, 0xff, 0xff, 0x62]);
    const filter = buildFilter(bytes, Uint32Array.of(0, bytes.length), 1);
    assert.ok(filterMayContainBytes(filter, Buffer.from([0xff, 0xff, 0xff, 0xff])));
    assert.ok(filterMayContainBytes(filter, Buffer.from([0x61, 0xff, 0xff, 0xff])));
    assert.ok(filterMayContainBytes(filter, Buffer.from([0xff, 0xff, 0xff, 0x62])));
  });
});

function packed(texts: string[]): { bytes: Buffer; offsets: Uint32Array } {
  const parts = texts.map((t) => Buffer.from(t, 'utf8'));
  const offsets = new Uint32Array(parts.length + 1);
  for (let i = 0; i < parts.length; i++) offsets[i + 1] = offsets[i]! + parts[i]!.length;
  return { bytes: Buffer.concat(parts), offsets };
}

/** The filter format written the obvious way: a Set of raw grams sizes it, each lowered gram sets k bits. */
function referenceFilter(bytes: Buffer, offsets: Uint32Array): Buffer {
  const raw = new Set<number>();
  for (let i = 0; i + 1 < offsets.length; i++) {
    for (let p = offsets[i]!; p + 4 <= offsets[i + 1]!; p++) raw.add(bytes.readUInt32BE(p));
  }
  const bitCount = Math.max(64, Math.ceil((raw.size * 4) / 8) * 8);
  const filter = Buffer.alloc(3 + bitCount / 8);
  filter.set([1, 4, 3]);
  const lower = (b: number) => (b >= 0x41 && b <= 0x5a ? b + 0x20 : b);
  for (const g of raw) {
    const gram = ((lower(g >>> 24) << 24) | (lower((g >>> 16) & 0xff) << 16) | (lower((g >>> 8) & 0xff) << 8) | lower(g & 0xff)) >>> 0;
    for (const bit of referenceBits(gram, bitCount)) filter[3 + (bit >>> 3)]! |= 1 << (bit & 7);
  }
  return filter;
}

function referenceBits(gram: number, bitCount: number): number[] {
  const fmix = (h: number) => {
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    return (h ^ (h >>> 16)) >>> 0;
  };
  const h1 = fmix(gram);
  const h2 = (fmix(gram ^ 0x5bd1e995) | 1) >>> 0;
  return [0, 1, 2].map((i) => Number((BigInt(h1) + BigInt(i) * BigInt(h2)) % 2n ** 32n % BigInt(bitCount)));
}

/** `filterMayContain` for a needle of raw bytes (it takes strings, and FF is no UTF-8). */
function filterMayContainBytes(filter: Buffer, needle: Buffer): boolean {
  const bitCount = (filter.length - 3) * 8;
  for (let p = 0; p + 4 <= needle.length; p++) {
    for (const bit of referenceBits(needle.readUInt32BE(p), bitCount)) if ((filter[3 + (bit >>> 3)]! & (1 << (bit & 7))) === 0) return false;
  }
  return true;
}
