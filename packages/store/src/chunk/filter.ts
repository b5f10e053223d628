/**
 * The content filter: a bloom filter over every 4-byte window ("4-gram") of each line, with ASCII
 * A–Z lowered to a–z, so a `|= "needle"` query can skip a chunk when some 4-gram of the needle is
 * in no line. 4-grams rather than 3-grams because logs are full of hex ids: a chunk with a few
 * thousand trace ids holds nearly every hex 3-gram (16^3 = 4096) but only part of the 65536 hex
 * 4-grams, so only 4-grams can rule out an id.
 *
 * A 4-gram is exactly a uint32, so distinct grams are found with a typed open-addressing set
 * (no strings, no per-gram allocation) and only distinct ones go into the bloom filter, which is
 * sized at BITS_PER_GRAM bits per distinct gram.
 *
 * Because grams are lowered, the filter answers for ASCII-case-insensitive containment, which
 * also covers exact matching; `caseInsensitive` makes it safe for Unicode case folding as well.
 *
 * Layout: u8 version (1), u8 gram length (4), u8 hash count k, then the bit array (at least 64
 * bits; all zero when every line is shorter than a gram).
 */

const FILTER_VERSION = 1;
const GRAM = 4;
const HEADER = 3;
/**
 * 4 bits per distinct gram with k = 3 hashes: ~15% false positives per gram, but a needle is
 * rejected as soon as any of its absent grams misses, so rare tokens are rejected almost always.
 * Measured on ~256 KiB chunks of generated mixed logs: the filter is ~16% of the compressed chunk
 * and says "maybe" for <0.5% of chunks lacking a trace id, a random 8-hex id or an unseen word
 * (5 bits/gram: 20% of the chunk, ~0.1%; 3 bits/gram: 12%, up to 0.7%).
 */
const BITS_PER_GRAM = 4;
const HASHES = 3;

/** ASCII upper-case letters lowered; every other byte unchanged. */
const LOWER = new Uint8Array(256);
for (let b = 0; b < 256; b++) LOWER[b] = b >= 0x41 && b <= 0x5a ? b + 0x20 : b;

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Bit positions come from double hashing: h1 + i·h2 (h2 odd), reduced modulo the bit count. */
function hash1(gram: number): number {
  return fmix32(gram);
}

function hash2(gram: number): number {
  return (fmix32(gram ^ 0x5bd1e995) | 1) >>> 0;
}

/**
 * `bitCount` and the sum are both unsigned 32-bit here; saying so (`>>> 0`) lets V8 take an integer
 * remainder instead of a floating-point one (a call into C per bit: measured 3.5x slower).
 */
function bitOf(i: number, h1: number, h2: number, bitCount: number): number {
  return (((h1 + Math.imul(i, h2)) >>> 0) % (bitCount >>> 0)) >>> 0;
}

/**
 * Scratch set of distinct raw grams (bytes as they are, not lowered: lowering costs a table lookup
 * per byte, ~12% of the build, and is done per distinct gram instead), reused across builds
 * (builds are synchronous; each worker thread has its own module instance). Open addressing over
 * an Int32Array where 0 marks an empty slot; grams are stored XORed with NO_GRAM (bytes FF FF FF
 * FF), so the key of every other gram, the all-zero one included, is non-zero and the hot loop
 * needs no special case. FF is never part of UTF-8, so lines never hold that gram; bytes that do
 * are still covered (see buildFilter). The distinct keys are also listed as they are found, so
 * the bit-setting pass walks only them (walking the sparse table costs 5x: a mispredicted branch
 * per empty slot). Both only ever grow, so after the first chunks a build allocates nothing but
 * the filter.
 */
const NO_GRAM = -1;
let tableBits = 14;
let table = new Int32Array(1 << tableBits);
/** Holds up to half the table's size: the load factor stays at most 1/2. */
let distinct = new Int32Array(1 << (tableBits - 1));

/** Fibonacci hashing: the top bits of key·φ spread every byte of the key over the table. */
const PHI = 0x9e3779b1;

/** Doubles the table and the list, keeping the first `count` keys (at most a few times per process). */
function growSet(count: number): void {
  tableBits++;
  const t = new Int32Array(1 << tableBits);
  const mask = t.length - 1;
  const shift = 32 - tableBits;
  for (let i = 0; i < count; i++) {
    const key = distinct[i]!;
    let slot = Math.imul(key, PHI) >>> shift;
    while (t[slot] !== 0) slot = (slot + 1) & mask;
    t[slot] = key;
  }
  table = t;
  const list = new Int32Array(1 << (tableBits - 1));
  list.set(distinct.subarray(0, count));
  distinct = list;
}

/** Grams probed between two checks of the set's load (a run adds at most that many). */
const RUN = 4096;

/**
 * Collects the keys of the distinct raw grams of the lines into `distinct[0 .. n)` and returns n.
 * The load is checked before each run of up to RUN grams, never per gram, so the per-byte loop
 * holds nothing but the probe: it is the hottest loop of chunk encoding (~92% of probes find a
 * repeat, most at the first slot). A gram is read as one big-endian 32-bit load (DataView),
 * ~20% faster than shifting it together byte by byte.
 */
function collectGrams(lines: Uint8Array, offsets: Uint32Array, count: number): number {
  const view = new DataView(lines.buffer, lines.byteOffset, lines.byteLength);
  table.fill(0);
  let t = table;
  let shift = 32 - tableBits;
  let mask = t.length - 1;
  let limit = t.length >>> 1;
  let list = distinct;
  let n = 0;
  for (let i = 0; i < count; i++) {
    // Grams start at start … last (inclusive); none when the line is shorter than a gram.
    const last = offsets[i + 1]! - GRAM;
    for (let q = offsets[i]!; q <= last; ) {
      const runEnd = Math.min(last + 1, q + RUN);
      while (n + (runEnd - q) > limit) {
        growSet(n);
        t = table;
        list = distinct;
        shift = 32 - tableBits;
        mask = t.length - 1;
        limit = t.length >>> 1;
      }
      for (; q < runEnd; q++) {
        // Signed int32 arithmetic: grams and keys are compared and hashed as bits, never as numbers.
        const key = view.getInt32(q) ^ NO_GRAM;
        let slot = Math.imul(key, PHI) >>> shift;
        let found = t[slot]!;
        if (found === key) continue;
        while (found !== 0) {
          slot = (slot + 1) & mask;
          found = t[slot]!;
          if (found === key) break;
        }
        if (found !== 0) continue;
        t[slot] = key;
        list[n++] = key;
      }
    }
  }
  return n;
}

/** A gram with ASCII A–Z lowered, as an unsigned 32-bit value (what the bit positions hash). */
function lowered(gram: number): number {
  return ((LOWER[gram >>> 24]! << 24) | (LOWER[(gram >>> 16) & 0xff]! << 16) | (LOWER[(gram >>> 8) & 0xff]! << 8) | LOWER[gram & 0xff]!) >>> 0;
}

function setBits(filter: Buffer, gram: number, bitCount: number): void {
  const h1 = hash1(gram);
  const h2 = hash2(gram);
  for (let i = 0; i < HASHES; i++) {
    const bit = bitOf(i, h1, h2, bitCount);
    filter[HEADER + (bit >>> 3)]! |= 1 << (bit & 7);
  }
}

/**
 * Builds the filter of the lines stored back to back in `lines`; line i is
 * `lines[offsets[i] .. offsets[i+1])`. Grams never span two lines. The bloom is sized by distinct
 * raw grams, so a word seen in two cases counts twice: a slightly larger filter, never a smaller one.
 */
export function buildFilter(lines: Uint8Array, offsets: Uint32Array, count: number): Buffer {
  const n = collectGrams(lines, offsets, count);
  const bitCount = Math.max(64, Math.ceil((n * BITS_PER_GRAM) / 8) * 8);
  const filter = Buffer.alloc(HEADER + bitCount / 8);
  filter[0] = FILTER_VERSION;
  filter[1] = GRAM;
  filter[2] = HASHES;
  const list = distinct;
  for (let d = 0; d < n; d++) setBits(filter, lowered(list[d]! ^ NO_GRAM), bitCount);
  // The set cannot hold the FF FF FF FF gram (its key is the empty mark), so bytes with an FF
  // (never UTF-8; only a caller's raw bytes) get its bits unconditionally: a maybe, never a miss.
  if (lines.indexOf(0xff) !== -1) setBits(filter, NO_GRAM >>> 0, bitCount);
  return filter;
}

export interface FilterQueryOptions {
  /**
   * Answer for a case-insensitive match (a `(?i)` needle). The filter lowers ASCII only, so then
   * every needle window holding a non-ASCII byte, or k/s (which Unicode simple case folding also
   * matches with U+212A KELVIN SIGN and U+017F LONG S), is ignored instead of tested.
   */
  caseInsensitive?: boolean;
}

/** Windows that cannot be tested case-insensitively: non-ASCII bytes and k/s (see above). */
const FOLD_UNSAFE = new Uint8Array(256);
for (let b = 0x80; b < 256; b++) FOLD_UNSAFE[b] = 1;
for (const c of 'kKsS') FOLD_UNSAFE[c.charCodeAt(0)] = 1;

/** The needle's distinct testable grams, kept for the last needle asked about (queries repeat it per chunk). */
let lastNeedle: string | undefined;
let lastCaseInsensitive = false;
let lastGrams = new Uint32Array(0);

function needleGrams(literal: string, caseInsensitive: boolean): Uint32Array {
  if (literal === lastNeedle && caseInsensitive === lastCaseInsensitive) return lastGrams;
  const bytes = Buffer.from(literal, 'utf8');
  const grams = new Set<number>();
  windows: for (let p = 0; p + GRAM <= bytes.length; p++) {
    if (caseInsensitive) {
      for (let q = p; q < p + GRAM; q++) if (FOLD_UNSAFE[bytes[q]!]) continue windows;
    }
    grams.add(
      ((LOWER[bytes[p]!]! << 24) | (LOWER[bytes[p + 1]!]! << 16) | (LOWER[bytes[p + 2]!]! << 8) | LOWER[bytes[p + 3]!]!) >>> 0,
    );
  }
  lastNeedle = literal;
  lastCaseInsensitive = caseInsensitive;
  lastGrams = Uint32Array.from(grams);
  return lastGrams;
}

/**
 * False only when no line of the chunk can contain `literal` (compared with ASCII case ignored,
 * which covers exact matching too), so the chunk can be skipped for `|= literal`. Never a false
 * negative. Needles shorter than 4 UTF-8 bytes, and filters this version does not know, give true.
 */
export function filterMayContain(filter: Buffer, literal: string, options?: FilterQueryOptions): boolean {
  if (filter.length < HEADER + 8 || filter[0] !== FILTER_VERSION || filter[1] !== GRAM) return true;
  const hashes = filter[2]!;
  if (hashes < 1 || hashes > 16) return true;
  const grams = needleGrams(literal, options?.caseInsensitive === true);
  const bitCount = (filter.length - HEADER) * 8;
  for (let g = 0; g < grams.length; g++) {
    const gram = grams[g]!;
    const h1 = hash1(gram);
    const h2 = hash2(gram);
    for (let i = 0; i < hashes; i++) {
      const bit = bitOf(i, h1, h2, bitCount);
      if ((filter[HEADER + (bit >>> 3)]! & (1 << (bit & 7))) === 0) return false;
    }
  }
  return true;
}
