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
 * Layout: u8 version (1), u8 gram length (4), u8 hash count k, then the bit array.
 */

const FILTER_VERSION = 1;
const GRAM = 4;
const HEADER = 3;
/**
 * 5 bits per distinct gram with k = 3 gives ~9% false positives per gram. A needle is rejected
 * when any of its absent grams misses, so a needle with a few grams absent from the chunk is
 * rejected with probability ~1 - 0.09^absent. Measured on generated logs: see README-figures in
 * the report; the filter is ~this fraction of distinct grams, not of raw bytes.
 */
const BITS_PER_GRAM = 5;
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

function bitOf(i: number, h1: number, h2: number, bitCount: number): number {
  return ((h1 + Math.imul(i, h2)) >>> 0) % bitCount;
}

/**
 * Scratch set of distinct grams, reused across builds (builds are synchronous; each worker thread
 * has its own module instance). A slot is occupied when its stamp equals the current generation,
 * so the set is emptied by bumping the generation instead of clearing memory.
 */
let tableKeys = new Uint32Array(1 << 14);
let tableStamps = new Uint32Array(1 << 14);
let generation = 0;
let distinct = new Uint32Array(1 << 13);
let distinctCount = 0;

function resetSet(): void {
  generation++;
  if (generation === 0xffffffff) {
    tableStamps.fill(0);
    generation = 1;
  }
  distinctCount = 0;
}

function slotOf(gram: number, mask: number): number {
  return (Math.imul(gram, 0x9e3779b1) >>> 0) & mask;
}

function growSet(): void {
  const size = tableKeys.length * 2;
  tableKeys = new Uint32Array(size);
  tableStamps = new Uint32Array(size);
  generation = 1;
  const mask = size - 1;
  for (let i = 0; i < distinctCount; i++) {
    const gram = distinct[i]!;
    let slot = slotOf(gram, mask);
    while (tableStamps[slot] === 1) slot = (slot + 1) & mask;
    tableKeys[slot] = gram;
    tableStamps[slot] = 1;
  }
}

function addGram(gram: number): void {
  const mask = tableKeys.length - 1;
  let slot = slotOf(gram, mask);
  const gen = generation;
  while (tableStamps[slot] === gen) {
    if (tableKeys[slot] === gram) return;
    slot = (slot + 1) & mask;
  }
  tableKeys[slot] = gram;
  tableStamps[slot] = gen;
  if (distinctCount === distinct.length) {
    const next = new Uint32Array(distinct.length * 2);
    next.set(distinct);
    distinct = next;
  }
  distinct[distinctCount++] = gram;
  if (distinctCount * 2 > tableKeys.length) growSet();
}

/**
 * Builds the filter of the lines stored back to back in `lines`; line i is
 * `lines[offsets[i] .. offsets[i+1])`. Grams never span two lines.
 */
export function buildFilter(lines: Uint8Array, offsets: Uint32Array, count: number): Buffer {
  resetSet();
  for (let i = 0; i < count; i++) {
    const start = offsets[i]!;
    const end = offsets[i + 1]!;
    if (end - start < GRAM) continue;
    let gram = (LOWER[lines[start]!]! << 16) | (LOWER[lines[start + 1]!]! << 8) | LOWER[lines[start + 2]!]!;
    for (let p = start + GRAM - 1; p < end; p++) {
      gram = ((gram << 8) | LOWER[lines[p]!]!) >>> 0;
      addGram(gram);
    }
  }
  const bitCount = Math.max(64, Math.ceil((distinctCount * BITS_PER_GRAM) / 8) * 8);
  const filter = Buffer.alloc(HEADER + bitCount / 8);
  filter[0] = FILTER_VERSION;
  filter[1] = GRAM;
  filter[2] = HASHES;
  for (let d = 0; d < distinctCount; d++) {
    const gram = distinct[d]!;
    const h1 = hash1(gram);
    const h2 = hash2(gram);
    for (let i = 0; i < HASHES; i++) {
      const bit = bitOf(i, h1, h2, bitCount);
      filter[HEADER + (bit >>> 3)]! |= 1 << (bit & 7);
    }
  }
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
