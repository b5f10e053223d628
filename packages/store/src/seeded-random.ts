/**
 * mulberry32: a tiny deterministic PRNG. Benchmarks (`lode bench`, bench/) and property tests use
 * it so the same seed gives the same data on any machine and a failure names a reproducible seed.
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
