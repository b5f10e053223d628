/**
 * When a group evaluates. As Prometheus does, every group gets a fixed offset inside its
 * interval from a stable hash of its identity, and evaluates at `k·interval + offset` (unix
 * time): groups of the same interval spread out instead of all running at start, and a group
 * keeps its slots across restarts and reloads.
 */

const FNV64_OFFSET = 0xcbf29ce484222325n;
const FNV64_PRIME = 0x100000001b3n;
const MASK64 = 0xffffffffffffffffn;

/** FNV-1a, 64 bit, over the UTF-8 bytes (Prometheus hashes its group key with FNV-1a 64 too). */
export function fnv1a64(text: string): bigint {
  let h = FNV64_OFFSET;
  for (const b of Buffer.from(text, 'utf8')) {
    h ^= BigInt(b);
    h = (h * FNV64_PRIME) & MASK64;
  }
  return h;
}

/** The group's offset in [0, intervalMs); the NUL separator keeps `a`+`bc` apart from `ab`+`c`. */
export function evaluationOffset(tenant: string, namespace: string, group: string, intervalMs: number): number {
  if (intervalMs <= 0) return 0;
  return Number(fnv1a64(`${tenant}\u0000${namespace}\u0000${group}`) % BigInt(Math.floor(intervalMs)));
}

/** The first slot `k·intervalMs + offsetMs` strictly after `now` (unix ms). */
export function nextEvaluation(now: number, intervalMs: number, offsetMs: number): number {
  const base = now - offsetMs;
  return base - mod(base, intervalMs) + intervalMs + offsetMs;
}

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}
