/**
 * A minimal protobuf writer for the bench's request bodies. Sizes of nested messages are
 * computed before writing (callers know them from string byte lengths), so every length prefix
 * is canonical and nothing is copied twice. The generator runs on the measured machine, so it
 * must stay far cheaper than the server's decoding of the same bytes.
 */
export function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

/** Bytes of a length-delimited field with a one-byte tag: tag + length prefix + payload. */
export function fieldSize(payload: number): number {
  return 1 + varintSize(payload) + payload;
}

export class ProtoWriter {
  readonly buf: Buffer;
  pos = 0;

  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }

  /** A non-negative integer below 2^53. */
  varint(n: number): this {
    const buf = this.buf;
    while (n >= 0x80) {
      buf[this.pos++] = (n & 0x7f) | 0x80;
      n = Math.floor(n / 128);
    }
    buf[this.pos++] = n;
    return this;
  }

  /** A one-byte tag (field numbers below 16). */
  tag(field: number, wireType: number): this {
    this.buf[this.pos++] = (field << 3) | wireType;
    return this;
  }

  /** Tag and length of a length-delimited field whose payload follows. */
  open(field: number, payloadBytes: number): this {
    return this.tag(field, 2).varint(payloadBytes);
  }

  /** A string field; `bytes` is its UTF-8 length (known to the caller from sizing). */
  string(field: number, s: string, bytes: number): this {
    this.open(field, bytes);
    this.pos += this.buf.write(s, this.pos, bytes, 'utf8');
    return this;
  }

  fixed64(field: number, v: bigint): this {
    this.tag(field, 1);
    this.buf.writeBigUInt64LE(v, this.pos);
    this.pos += 8;
    return this;
  }

  /** The written bytes; throws when sizing and writing disagreed (a bug, not bad input). */
  finish(): Buffer {
    if (this.pos !== this.buf.length) throw new Error(`protobuf sizing error: wrote ${this.pos} of ${this.buf.length} bytes`);
    return this.buf;
  }
}
