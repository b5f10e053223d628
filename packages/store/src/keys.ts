/**
 * Binary LMDB keys, ordered so that range scans do the work:
 *   stream      tenant | id
 *   chunk       tenant | id | minTs | seq      (chunks, chunk index and filters share the key)
 *   posting     tenant | name | value | id
 * `tenant` is a 1-byte length + bytes (tenant ids are ≤ 150 ASCII characters); ids are 8 bytes
 * big-endian; timestamps are 8 bytes big-endian with the sign bit flipped so signed order holds.
 */
const SIGN = 1n << 63n;
const U64 = (1n << 64n) - 1n;

export function tenantPrefix(tenant: string): Buffer {
  const bytes = Buffer.from(tenant, 'utf8');
  const out = Buffer.allocUnsafe(1 + bytes.length);
  out[0] = bytes.length;
  bytes.copy(out, 1);
  return out;
}

export function streamKey(tenant: string, id: bigint): Buffer {
  const p = tenantPrefix(tenant);
  const out = Buffer.allocUnsafe(p.length + 8);
  p.copy(out, 0);
  out.writeBigUInt64BE(id, p.length);
  return out;
}

export function writeSortableTs(buf: Buffer, ts: bigint, at: number): void {
  buf.writeBigUInt64BE((BigInt.asUintN(64, ts) ^ SIGN) & U64, at);
}

export function readSortableTs(buf: Buffer, at: number): bigint {
  return BigInt.asIntN(64, buf.readBigUInt64BE(at) ^ SIGN);
}

export function chunkKey(tenant: string, id: bigint, minTs: bigint, seq: bigint): Buffer {
  const p = tenantPrefix(tenant);
  const out = Buffer.allocUnsafe(p.length + 24);
  p.copy(out, 0);
  out.writeBigUInt64BE(id, p.length);
  writeSortableTs(out, minTs, p.length + 8);
  out.writeBigUInt64BE(seq, p.length + 16);
  return out;
}

export interface ChunkKeyParts {
  id: bigint;
  minTs: bigint;
  seq: bigint;
}

export function parseChunkKey(key: Buffer): ChunkKeyParts {
  const at = 1 + key[0];
  return { id: key.readBigUInt64BE(at), minTs: readSortableTs(key, at + 8), seq: key.readBigUInt64BE(at + 16) };
}

export function tenantOfKey(key: Buffer): string {
  return key.toString('utf8', 1, 1 + key[0]);
}

/** [start, end) bounds of a stream's chunks whose minTs is in [fromTs, toTs). */
export function chunkRange(tenant: string, id: bigint, fromTs: bigint, toTs: bigint): { start: Buffer; end: Buffer } {
  return { start: chunkKey(tenant, id, fromTs, 0n), end: chunkKey(tenant, id, toTs, 0n) };
}

/** Bounds of everything under a key prefix. */
export function prefixRange(prefix: Buffer): { start: Buffer; end: Buffer } {
  const end = Buffer.from(prefix);
  let i = end.length - 1;
  while (i >= 0 && end[i] === 0xff) i--;
  if (i < 0) return { start: prefix, end: Buffer.alloc(prefix.length + 1, 0xff) };
  end[i]++;
  return { start: prefix, end: end.subarray(0, i + 1) };
}

export function postingKey(tenant: string, name: string, value: string, id: bigint): Buffer {
  const p = tenantPrefix(tenant);
  const n = Buffer.from(name, 'utf8');
  const v = Buffer.from(value, 'utf8');
  const out = Buffer.allocUnsafe(p.length + 2 + n.length + 4 + v.length + 8);
  let at = p.copy(out, 0);
  out.writeUInt16BE(n.length, at);
  at += 2 + n.copy(out, at + 2);
  out.writeUInt32BE(v.length, at);
  at += 4 + v.copy(out, at + 4);
  out.writeBigUInt64BE(id, at);
  return out;
}

/** Chunk index value: maxTs | entries | line bytes | stored (compressed) bytes. */
export interface ChunkMeta {
  minTs: bigint;
  maxTs: bigint;
  entries: number;
  bytes: number;
  storedBytes: number;
}

export function encodeChunkMeta(m: Omit<ChunkMeta, 'minTs'>): Buffer {
  const out = Buffer.allocUnsafe(20);
  out.writeBigInt64BE(m.maxTs, 0);
  out.writeUInt32BE(m.entries, 8);
  out.writeUInt32BE(m.bytes, 12);
  out.writeUInt32BE(m.storedBytes, 16);
  return out;
}

export function decodeChunkMeta(minTs: bigint, v: Buffer): ChunkMeta {
  return { minTs, maxTs: v.readBigInt64BE(0), entries: v.readUInt32BE(8), bytes: v.readUInt32BE(12), storedBytes: v.readUInt32BE(16) };
}
