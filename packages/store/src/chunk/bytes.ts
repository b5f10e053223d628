/**
 * Byte-level building blocks of the chunk body: a growable writer and a bounds-checked reader of
 * unsigned LEB128 varints. The reader throws ChunkCorruptError on every out-of-range read, so the
 * decoder can trust nothing in the body without checking each access itself.
 */
import { ChunkCorruptError } from './errors.js';

const TWO_POW_32 = 0x1_0000_0000;
const MAX_UINT64 = (1n << 64n) - 1n;

export class ByteWriter {
  buf: Buffer;
  pos = 0;

  constructor(initialSize: number) {
    this.buf = Buffer.allocUnsafe(Math.max(64, initialSize));
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** Unsigned varint of a safe integer (0 … 2^53-1). */
  uint(v: number): void {
    this.ensure(8);
    const buf = this.buf;
    let pos = this.pos;
    while (v >= TWO_POW_32) {
      buf[pos++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    while (v > 0x7f) {
      buf[pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[pos++] = v;
    this.pos = pos;
  }

  /** Unsigned varint of a 64-bit value (0 … 2^64-1). */
  bigUint(v: bigint): void {
    if (v <= BigInt(Number.MAX_SAFE_INTEGER)) {
      this.uint(Number(v));
      return;
    }
    this.ensure(10);
    while (v > 0x7fn) {
      this.buf[this.pos++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.pos++] = Number(v);
  }

  /** UTF-8 bytes of `s`, without a length; returns how many bytes were written. */
  utf8(s: string): number {
    // A UTF-16 code unit never needs more than 3 UTF-8 bytes, so this room is always enough.
    this.ensure(s.length * 3);
    const n = this.buf.write(s, this.pos, 'utf8');
    this.pos += n;
    return n;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** The written bytes (a view, valid until the next write). */
  view(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

export class ByteReader {
  pos: number;

  constructor(
    readonly buf: Buffer,
    start: number,
    readonly end: number,
  ) {
    this.pos = start;
  }

  /** Unsigned varint that must fit a safe integer. */
  uint(): number {
    const buf = this.buf;
    let pos = this.pos;
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 8; i++) {
      if (pos >= this.end) throw new ChunkCorruptError('chunk body ends inside a number');
      const b = buf[pos++]!;
      result += (b & 0x7f) * mul;
      if (b < 0x80) {
        if (result > Number.MAX_SAFE_INTEGER) break;
        this.pos = pos;
        return result;
      }
      mul *= 128;
    }
    throw new ChunkCorruptError('chunk body holds a number that is too large');
  }

  /** Unsigned varint of up to 64 bits. */
  bigUint(): bigint {
    const buf = this.buf;
    let pos = this.pos;
    // Fast path: up to 7 bytes (49 bits) are exact in a double.
    let low = 0;
    let mul = 1;
    for (let i = 0; i < 7; i++) {
      if (pos >= this.end) throw new ChunkCorruptError('chunk body ends inside a number');
      const b = buf[pos++]!;
      low += (b & 0x7f) * mul;
      if (b < 0x80) {
        this.pos = pos;
        return BigInt(low);
      }
      mul *= 128;
    }
    let result = BigInt(low);
    let shift = 49n;
    for (let i = 7; i < 10; i++) {
      if (pos >= this.end) throw new ChunkCorruptError('chunk body ends inside a number');
      const b = buf[pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) {
        if (result > MAX_UINT64) break;
        this.pos = pos;
        return result;
      }
      shift += 7n;
    }
    throw new ChunkCorruptError('chunk body holds a number wider than 64 bits');
  }

  /** Advances over `n` bytes and returns where they start. */
  skip(n: number): number {
    const start = this.pos;
    if (n > this.end - start) throw new ChunkCorruptError('chunk body is shorter than its contents say');
    this.pos = start + n;
    return start;
  }
}
