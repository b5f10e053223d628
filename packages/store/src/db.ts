/**
 * The LMDB environment of a data dir and its named sub-databases. Values that are read on hot
 * paths (chunk index, chunks, filters) are raw binary; the stream record is JSON (read at open
 * and written once per flush, so clarity wins over speed there).
 */
import { open, type Database, type RootDatabase } from 'lmdb';

/** What LMDB keeps per stream. Timestamps and LSNs as decimal strings (JSON has no bigint). */
export interface StreamRecord {
  labels: Record<string, string>;
  flushedLsn: string;
  /** Time span of the stream's chunks; absent when it has none. */
  minTs?: string;
  maxTs?: string;
}

export interface Dbs {
  env: RootDatabase;
  streams: Database<StreamRecord, Buffer>;
  chunkIndex: Database<Buffer, Buffer>;
  chunks: Database<Buffer, Buffer>;
  filters: Database<Buffer, Buffer>;
  postings: Database<Buffer, Buffer>;
  meta: Database<unknown, string>;
}

export function openDbs(path: string, mapSize: number): Dbs {
  const env = open({ path, mapSize, maxDbs: 12, compression: false });
  const binary = { keyEncoding: 'binary', encoding: 'binary' } as const;
  return {
    env,
    streams: env.openDB<StreamRecord, Buffer>({ name: 'streams', keyEncoding: 'binary', encoding: 'json' }),
    chunkIndex: env.openDB<Buffer, Buffer>({ name: 'chunk_index', ...binary }),
    chunks: env.openDB<Buffer, Buffer>({ name: 'chunks', ...binary }),
    filters: env.openDB<Buffer, Buffer>({ name: 'filters', ...binary }),
    postings: env.openDB<Buffer, Buffer>({ name: 'postings', ...binary }),
    meta: env.openDB<unknown, string>({ name: 'meta', encoding: 'json' }),
  };
}

/** A one-byte value: LMDB needs some value for keys that carry all the information. */
export const PRESENT = Buffer.from([1]);
