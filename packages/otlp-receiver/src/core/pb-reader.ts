import { DecodeError } from './decoded.js';

/** Protobuf wire types this reader understands (groups, 3 and 4, are long deprecated). */
export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
export const WIRE_FIXED32 = 5;

/** Buffer's own UTF-8 decoder without `toString()`'s argument handling (one call per string field). */
const utf8Slice = (Buffer.prototype as unknown as { utf8Slice(this: Buffer, start: number, end: number): string }).utf8Slice;

/**
 * A minimal protobuf wire-format reader over a Buffer, for the two hot ingest messages (Loki's
 * `PushRequest`, OTLP's `ExportLogsServiceRequest`): decoders walk fields in place and build
 * only the values they keep, instead of a generic message object tree per entry. Every read is
 * bounds-checked against `end`; malformed input throws a `DecodeError` naming the byte offset.
 */
export class PbReader {
  pos: number;

  constructor(
    readonly buf: Buffer,
    pos = 0,
    /** Exclusive end of the message being read (a sub-message's end when nested). */
    public end = buf.length,
  ) {
    this.pos = pos;
  }

  more(): boolean {
    return this.pos < this.end;
  }

  fail(what: string): never {
    throw new DecodeError(`${what} at byte ${this.pos}`);
  }

  /** A varint as an unsigned 32-bit number (longer values keep their low 32 bits, as protobuf does for int32/uint32). */
  uint32(): number {
    const buf = this.buf;
    let value = 0;
    let shift = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.fail('truncated varint');
      const b = buf[this.pos++]!;
      if (shift < 32) value |= (b & 0x7f) << shift;
      shift += 7;
      if (b < 0x80) return value >>> 0;
    }
    return this.fail('varint longer than 10 bytes');
  }

  /** A varint as a signed 32-bit number (int32 fields, where negatives take 10 bytes). */
  int32(): number {
    return this.uint32() | 0;
  }

  /** A varint as a signed 64-bit BigInt (int64 fields). */
  int64(): bigint {
    return BigInt.asIntN(64, this.uint64());
  }

  /**
   * A varint of up to 7 bytes (below 2^49) as a number, or -1 with nothing read when it is longer
   * (then read it with `int64`/`uint64`): timestamps' seconds fit, and stay clear of BigInts.
   */
  smallUint(): number {
    const buf = this.buf;
    let value = 0;
    let mul = 1;
    const start = this.pos;
    for (let i = 0; i < 7; i++) {
      if (this.pos >= this.end) this.fail('truncated varint');
      const b = buf[this.pos++]!;
      value += (b & 0x7f) * mul;
      if (b < 0x80) return value;
      mul *= 128;
    }
    this.pos = start;
    return -1;
  }

  /** A varint as an unsigned 64-bit BigInt. */
  uint64(): bigint {
    const buf = this.buf;
    // Fast path: up to 7 bytes (49 bits) fit a double exactly.
    let small = 0;
    let mul = 1;
    const start = this.pos;
    for (let i = 0; i < 7; i++) {
      if (this.pos >= this.end) this.fail('truncated varint');
      const b = buf[this.pos++]!;
      small += (b & 0x7f) * mul;
      if (b < 0x80) return BigInt(small);
      mul *= 128;
    }
    this.pos = start;
    let value = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.fail('truncated varint');
      const b = buf[this.pos++]!;
      value |= BigInt(b & 0x7f) << shift;
      shift += 7n;
      if (b < 0x80) return BigInt.asUintN(64, value);
    }
    return this.fail('varint longer than 10 bytes');
  }

  bool(): boolean {
    return this.uint32() !== 0;
  }

  fixed32(): number {
    if (this.end - this.pos < 4) this.fail('truncated fixed32');
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  fixed64(): bigint {
    if (this.end - this.pos < 8) this.fail('truncated fixed64');
    const v = this.buf.readBigUInt64LE(this.pos);
    this.pos += 8;
    return v;
  }

  double(): number {
    if (this.end - this.pos < 8) this.fail('truncated double');
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  /** Reads a length prefix and returns the end of the delimited field; `pos` is at its first byte. */
  delimited(): number {
    const len = this.uint32();
    const end = this.pos + len;
    if (end > this.end) this.fail(`length ${len} runs past the end of the message`);
    return end;
  }

  string(): string {
    const end = this.delimited();
    const s = utf8Slice.call(this.buf, this.pos, end);
    this.pos = end;
    return s;
  }

  /** The bytes of a length-delimited field as a view (no copy). */
  bytes(): Buffer {
    const end = this.delimited();
    const b = this.buf.subarray(this.pos, end);
    this.pos = end;
    return b;
  }

  /** Skips one field's value of the given wire type. */
  skip(wireType: number): void {
    switch (wireType) {
      case WIRE_VARINT:
        this.uint32();
        return;
      case WIRE_FIXED64:
        if (this.end - this.pos < 8) this.fail('truncated fixed64');
        this.pos += 8;
        return;
      case WIRE_LEN:
        this.pos = this.delimited();
        return;
      case WIRE_FIXED32:
        if (this.end - this.pos < 4) this.fail('truncated fixed32');
        this.pos += 4;
        return;
      default:
        this.fail(`unsupported wire type ${wireType}`);
    }
  }
}
