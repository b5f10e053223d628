/**
 * Reused buffers for request bodies. A push body of 100+ KiB allocated fresh per request costs
 * the process a new mapping and a page fault per 4 KiB page (glibc maps blocks that large on
 * their own), measured at ~40 faults and a tenth of a millisecond of system time per request;
 * a few kept buffers cost neither. Bodies are short-lived (read, decoded, answered), so few suffice.
 */
export class BodyPool {
  private readonly free: ArrayBuffer[] = [];
  /** Buffers handed out and not yet given back: only these are taken back. */
  private readonly lent = new Set<ArrayBuffer>();
  private freeBytes = 0;

  /**
   * `maxBufferBytes`: larger bodies get a buffer of their own (not kept); `maxFreeBytes`: how much
   * idle buffer space is kept.
   */
  constructor(
    private readonly maxBufferBytes = 4 * 1024 * 1024,
    private readonly maxFreeBytes = 16 * 1024 * 1024,
  ) {}

  /** A buffer of exactly `size` bytes, contents undefined; give it back with `release`. */
  acquire(size: number): Buffer {
    if (size > this.maxBufferBytes) return Buffer.allocUnsafeSlow(size);
    let best = -1;
    for (let i = 0; i < this.free.length; i++) {
      const ab = this.free[i]!;
      if (ab.byteLength >= size && (best < 0 || ab.byteLength < this.free[best]!.byteLength)) best = i;
    }
    let ab: ArrayBuffer;
    if (best >= 0) {
      ab = this.free[best]!;
      this.free[best] = this.free[this.free.length - 1]!;
      this.free.pop();
      this.freeBytes -= ab.byteLength;
    } else {
      let capacity = 64 * 1024;
      while (capacity < size) capacity *= 2;
      ab = new ArrayBuffer(capacity);
    }
    this.lent.add(ab);
    return Buffer.from(ab, 0, size);
  }

  /** Takes back a buffer `acquire` gave; anything else (or a second release) is ignored. */
  release(buf: Buffer): void {
    const ab = buf.buffer as ArrayBuffer;
    if (!this.lent.delete(ab)) return;
    if (this.freeBytes + ab.byteLength > this.maxFreeBytes) return;
    this.free.push(ab);
    this.freeBytes += ab.byteLength;
  }
}
