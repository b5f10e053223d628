/**
 * Substring search in a line's bytes, in JS: lines are short, and the native `Buffer.indexOf`
 * costs more per call than a Boyer-Moore-Horspool loop costs per line.
 */

export class BytesNeedle {
  readonly bytes: Buffer;
  /** How far the needle may move when a byte value ends the window. */
  private readonly shift = new Uint8Array(256);

  constructor(needle: string) {
    this.bytes = Buffer.from(needle, 'utf8');
    const m = Math.min(this.bytes.length, 255);
    this.shift.fill(Math.max(m, 1));
    for (let j = 0; j < m - 1; j++) this.shift[this.bytes[j]!] = m - 1 - j;
  }

  /** Whether the needle occurs in `b` (an empty needle occurs everywhere). */
  in(b: Buffer): boolean {
    const lit = this.bytes;
    const m = lit.length;
    if (m === 0) return true;
    if (m > 255) return b.indexOf(lit) >= 0;
    const n = b.length;
    const last = lit[m - 1]!;
    const shift = this.shift;
    for (let i = m - 1; i < n; ) {
      const c = b[i]!;
      if (c === last) {
        let j = 1;
        while (j < m && b[i - j] === lit[m - 1 - j]) j++;
        if (j === m) return true;
      }
      i += shift[c]!;
    }
    return false;
  }
}
