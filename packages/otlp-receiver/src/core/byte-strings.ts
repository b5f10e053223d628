/**
 * Buffer's own string makers without `toString()`'s encoding dispatch (the same native calls;
 * undocumented but long-standing, used by msgpackr and lmdb-js). Decoders call them per field.
 */
interface SliceMethods {
  latin1Slice(this: Buffer, start: number, end: number): string;
  utf8Slice(this: Buffer, start: number, end: number): string;
}

const methods = Buffer.prototype as unknown as SliceMethods;
const latin1Slice = methods.latin1Slice;
const utf8Slice = methods.utf8Slice;

/** Bytes [start, end) known to be 7-bit ASCII as a string: a plain copy, no UTF-8 decoding. */
export function asciiString(buf: Buffer, start: number, end: number): string {
  return latin1Slice.call(buf, start, end);
}

/** Bytes [start, end) decoded as UTF-8 (invalid sequences become U+FFFD, as `toString` does). */
export function utf8String(buf: Buffer, start: number, end: number): string {
  return utf8Slice.call(buf, start, end);
}
