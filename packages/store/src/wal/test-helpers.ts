// Shared by the WAL tests: temp dirs and replaying a directory into memory.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wal, type WalCorruption, type WalOptions, type ReplayReport } from './wal.js';

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'lode-wal-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A recognisable payload: record i of `size` bytes. */
export function payload(i: number, size = 64): Buffer {
  const b = Buffer.alloc(size);
  for (let j = 0; j < size; j++) b[j] = (i * 31 + j * 7) & 0xff;
  return b;
}

export interface Replayed {
  wal: Wal;
  records: { lsn: bigint; payload: Buffer }[];
  report: ReplayReport;
  corruptions: WalCorruption[];
}

/** Opens the WAL, replays it and returns what it saw; the WAL stays open. */
export async function openAndReplay(opts: WalOptions): Promise<Replayed> {
  const corruptions: WalCorruption[] = [];
  const wal = await Wal.open({ ...opts, onCorrupt: (c) => corruptions.push(c) });
  const records: Replayed['records'] = [];
  const report = await wal.replay((lsn, p) => records.push({ lsn, payload: p }));
  return { wal, records, report, corruptions };
}

/** Appends records 0..n-1 one batch at a time (each awaited), so each becomes its own write. */
export async function appendSequential(wal: Wal, from: number, n: number, size = 64): Promise<bigint[]> {
  const lsns: bigint[] = [];
  for (let i = from; i < from + n; i++) {
    const a = wal.append(payload(i, size));
    await a.durable;
    lsns.push(a.lsn);
  }
  return lsns;
}
