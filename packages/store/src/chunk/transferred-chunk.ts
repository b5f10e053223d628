/**
 * A chunk a decoder worker decoded, rebuilt on the main thread from the columns it transferred:
 * the same DecodedChunk the synchronous `decodeChunk` returns, accessor for accessor.
 */
import type { Labels } from '../model.js';
import type { MetadataColumns } from './decoder-messages.js';
import { ChunkIndex } from './decode.js';
import type { DecodedChunk } from './types.js';

const EMPTY_METADATA: Labels = Object.freeze({});

export class TransferredChunk extends ChunkIndex implements DecodedChunk {
  private readonly lines: Buffer;

  constructor(
    length: number,
    timestamps: BigInt64Array,
    /** Line i's bytes are [lineOffsets[i], lineOffsets[i+1]) of the lines. */
    lineOffsets: Uint32Array,
    lines: Uint8Array,
    private readonly meta: MetadataColumns | undefined,
  ) {
    super(length, timestamps, lineOffsets, meta !== undefined);
    this.lines = Buffer.from(lines.buffer, lines.byteOffset, lines.byteLength);
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
