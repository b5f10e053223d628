// Segment files: naming, listing, and making directory changes durable.
import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** A segment is named by the LSN of its first record, zero-padded so names sort like LSNs. */
const NAME = /^(\d{20})\.wal$/;

export interface SegmentFile {
  firstLsn: bigint;
  path: string;
  bytes: number;
}

export function segmentName(firstLsn: bigint): string {
  return `${firstLsn.toString().padStart(20, '0')}.wal`;
}

/** The segment files of `dir` in LSN order (other files are ignored). Sizes are filled in by the caller. */
export async function listSegments(dir: string): Promise<SegmentFile[]> {
  const found: SegmentFile[] = [];
  for (const name of await readdir(dir)) {
    const m = NAME.exec(name);
    if (m) found.push({ firstLsn: BigInt(m[1]!), path: join(dir, name), bytes: 0 });
  }
  return found.sort((a, b) => (a.firstLsn < b.firstLsn ? -1 : a.firstLsn > b.firstLsn ? 1 : 0));
}

/** fsync the directory so created, renamed or deleted entries survive a crash. */
export async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
