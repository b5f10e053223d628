/** Helpers shared by the store's tests (not exported from the package). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Entry, Labels, StoredEntry } from './model.js';

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'lode-store-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Recent timestamps (ns) so default limits (reject_old_samples) accept them. */
export const BASE_NS = BigInt(Date.now()) * 1_000_000n - 3_600_000_000_000n;

export function entriesAt(offsetsSec: number[], prefix = 'line'): Entry[] {
  return offsetsSec.map((s, i) => ({ ts: BASE_NS + BigInt(s) * 1_000_000_000n, line: `${prefix} ${i} at ${s}` }));
}

export const ALL = { from: 0n, to: (1n << 62n) };

export function lines(it: Iterable<StoredEntry>): string[] {
  return [...it].map((e) => e.line);
}

export function sel(labels: Labels) {
  return Object.entries(labels).map(([name, value]) => ({ name, op: '=' as const, value }));
}
