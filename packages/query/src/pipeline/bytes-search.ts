/**
 * Substring search in a line's bytes, in JS: lines are short, and the native `Buffer.indexOf`
 * costs more per call than a Boyer-Moore-Horspool loop costs per line.
 */

export class BytesNeedle {
  readonly bytes: Buffer;
  /** How far the needle may move when a byte value ends the window. */
  private readonly shift = new Uint8Array(256);

  constructor(needle: string | Buffer) {
    this.bytes = typeof needle === 'string' ? Buffer.from(needle, 'utf8') : Buffer.from(needle);
    const m = Math.min(this.bytes.length, 255);
    this.shift.fill(Math.max(m, 1));
    for (let j = 0; j < m - 1; j++) this.shift[this.bytes[j]!] = m - 1 - j;
  }

  /** Whether the needle occurs in `b[start..end)` (an empty needle occurs everywhere). */
  in(b: Buffer, start = 0, end = b.length): boolean {
    return this.indexIn(b, start, end) >= 0;
  }

  /** Where the needle first occurs in `b[start..end)`, or -1 (an empty needle at `start`). */
  indexIn(b: Buffer, start: number, end: number): number {
    const lit = this.bytes;
    const m = lit.length;
    if (m === 0) return start <= end ? start : -1;
    if (m > 255) {
      const p = b.subarray(0, end).indexOf(lit, start);
      return p;
    }
    const last = lit[m - 1]!;
    const shift = this.shift;
    for (let i = start + m - 1; i < end; ) {
      const c = b[i]!;
      if (c === last) {
        let j = 1;
        while (j < m && b[i - j] === lit[m - 1 - j]) j++;
        if (j === m) return i - m + 1;
      }
      i += shift[c]!;
    }
    return -1;
  }
}
