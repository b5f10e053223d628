/**
 * A minimal protobuf writer for the bench's request bodies. Sizes of nested messages are
 * computed before writing (callers know them from string byte lengths), so every length prefix
 * is canonical and nothing is copied twice. The generator runs on the measured machine, so it
 * must stay far cheaper than the server's decoding of the same bytes.
 */
export function varintSize(n: number): number {
  // Comparisons rather than a division per 7 bits: the bench sizes every entry's fields twice.
  if (n < 0x80) return 1;
  if (n < 0x4000) return 2;
  if (n < 0x20_0000) return 3;
  if (n < 0x1000_0000) return 4;
  let size = 5;
  for (let rest = Math.floor(n / 0x8_0000_0000); rest >= 1; rest = Math.floor(rest / 128)) size++;
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

  /** Bytes written as they are (a field prepared elsewhere). */
  raw(src: Uint8Array): this {
    this.buf.set(src, this.pos);
    this.pos += src.length;
    return this;
  }

  /** A bytes field (or a string field given as its UTF-8 bytes). */
  bytes(field: number, src: Uint8Array): this {
    this.open(field, src.length);
    this.buf.set(src, this.pos);
    this.pos += src.length;
    return this;
  }

  /** A fixed64 field holding `seconds`·10^9 + `nanos` (unix nanoseconds), without a BigInt. */
  fixed64Nanos(field: number, seconds: number, nanos: number): this {
    this.tag(field, 1);
    const [lo, hi] = unixNanosWords(seconds, nanos);
    this.buf.writeUInt32LE(lo, this.pos);
    this.buf.writeUInt32LE(hi, this.pos + 4);
    this.pos += 8;
    return this;
  }

  /** The written bytes; throws when sizing and writing disagreed (a bug, not bad input). */
  finish(): Buffer {
    if (this.pos !== this.buf.length) throw new Error(`protobuf sizing error: wrote ${this.pos} of ${this.buf.length} bytes`);
    return this.buf;
  }
}

const TWO_16 = 0x1_0000;
const TWO_32 = 0x1_0000_0000;

/**
 * The low and high 32 bits of `seconds`·10^9 + `nanos` for 0 ≤ seconds < 2^32, 0 ≤ nanos < 10^9,
 * by splitting seconds into 16-bit halves so every product stays an exact double (< 2^53).
 */
export function unixNanosWords(seconds: number, nanos: number): [number, number] {
  const high = Math.floor(seconds / TWO_16) * 1e9;
  const low = (seconds % TWO_16) * 1e9 + nanos;
  // total = high·2^16 + low = (high / 2^16 whole)·2^32 + rest
  const rest = (high % TWO_16) * TWO_16 + low;
  return [rest % TWO_32, Math.floor(high / TWO_16) + Math.floor(rest / TWO_32)];
}
