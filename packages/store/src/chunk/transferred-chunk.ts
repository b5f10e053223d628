/**
 * A chunk a decoder worker decoded, rebuilt on the main thread from the columns it transferred:
 * the same DecodedChunk the synchronous `decodeChunk` returns, accessor for accessor.
 */
import type { Labels } from '../model.js';
import type { MetadataColumns } from './decoder-messages.js';
import type { DecodedChunk } from './types.js';

const EMPTY_METADATA: Labels = Object.freeze({});

export class TransferredChunk implements DecodedChunk {
  readonly hasMetadata: boolean;
  private readonly lines: Buffer;

  constructor(
    readonly length: number,
    readonly timestamps: BigInt64Array,
    /** Line i's bytes are [lineOffsets[i], lineOffsets[i+1]) of the lines. */
    private readonly lineOffsets: Uint32Array,
    lines: Uint8Array,
    private readonly meta: MetadataColumns | undefined,
  ) {
    this.hasMetadata = meta !== undefined;
    this.lines = Buffer.from(lines.buffer, lines.byteOffset, lines.byteLength);
  }

  private check(i: number): void {
    if (!(i >= 0 && i < this.length && Number.isInteger(i))) {
      throw new RangeError(`entry index ${i} is outside the chunk's 0..${this.length - 1}`);
    }
  }

  ts(i: number): bigint {
    this.check(i);
    return this.timestamps[i]!;
  }

  lineLength(i: number): number {
    this.check(i);
    return this.lineOffsets[i + 1]! - this.lineOffsets[i]!;
  }

  linesBytes(lo: number, hi: number): number {
    if (!(lo >= 0 && lo <= hi && hi <= this.length)) throw new RangeError(`entry range ${lo}..${hi} is outside the chunk's 0..${this.length}`);
    return this.lineOffsets[hi]! - this.lineOffsets[lo]!;
  }

  lowerBound(t: bigint): number {
    const ts = this.timestamps;
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ts[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  lineBytes(i: number): Buffer {
    this.check(i);
    return this.lines.subarray(this.lineOffsets[i]!, this.lineOffsets[i + 1]!);
  }

  linesBlock(): { bytes: Buffer; offsets: Uint32Array } {
    return { bytes: this.lines, offsets: this.lineOffsets };
  }

  line(i: number): string {
    this.check(i);
    return this.lines.toString('utf8', this.lineOffsets[i]!, this.lineOffsets[i + 1]!);
  }

  metadata(i: number): Labels {
    this.check(i);
    const m = this.meta;
    if (m === undefined) return EMPTY_METADATA;
    const start = m.starts[i]!;
    const end = m.starts[i + 1]!;
    if (start === end) return EMPTY_METADATA;
    const result: Record<string, string> = {};
    for (let p = start; p < end; p += 2) {
      const name = m.strings[m.refs[p]!]!;
      const value = m.strings[m.refs[p + 1]!]!;
      // A plain assignment to "__proto__" would set the prototype instead of adding a key.
      if (name === '__proto__') Object.defineProperty(result, name, { value, enumerable: true, writable: true, configurable: true });
      else result[name] = value;
    }
    return Object.freeze(result);
  }
}
