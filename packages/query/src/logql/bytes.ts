/** Byte sizes as go-humanize's `ParseBytes` reads them (Loki's bytes literals: `5KB`, `1MiB`). */

const SIZES: Readonly<Record<string, number>> = {
  b: 1, '': 1,
  kib: 1024, ki: 1024, kb: 1000, k: 1000,
  mib: 1024 ** 2, mi: 1024 ** 2, mb: 1000 ** 2, m: 1000 ** 2,
  gib: 1024 ** 3, gi: 1024 ** 3, gb: 1000 ** 3, g: 1000 ** 3,
  tib: 1024 ** 4, ti: 1024 ** 4, tb: 1000 ** 4, t: 1000 ** 4,
  pib: 1024 ** 5, pi: 1024 ** 5, pb: 1000 ** 5, p: 1000 ** 5,
  eib: 1024 ** 6, ei: 1024 ** 6, eb: 1000 ** 6, e: 1000 ** 6,
};

/** Bytes (truncated to an integer as Go's uint64 conversion does), or undefined when invalid. */
export function parseHumanBytes(s: string): number | undefined {
  const m = /^[\p{Nd}.,]*/u.exec(s)![0];
  const num = m.replace(/,/g, '');
  if (!/^(\d+\.?\d*|\.\d+)$/.test(num)) return undefined;
  const mult = SIZES[s.slice(m.length).trim().toLowerCase()];
  if (mult === undefined) return undefined;
  const v = Number(num) * mult;
  if (v >= 2 ** 64) return undefined;
  return Math.trunc(v);
}
