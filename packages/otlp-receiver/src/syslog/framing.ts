/**
 * TCP syslog framing (RFC 6587), detected per connection from its first byte: a digit means
 * octet counting (`LEN SP MSG`), anything else newline-delimited. Messages longer than `max`
 * bytes are cut to `max` (the rest is skipped), never dropped; a bad length prefix falls back
 * to reading up to the next newline so no data is lost.
 */
export class SyslogFramer {
  private mode: 'unknown' | 'octet' | 'newline' = 'unknown';
  private buf: Buffer = Buffer.alloc(0);
  /** Bytes of an oversized message still to skip (octet counting) or skip-to-newline (-1). */
  private skip = 0;

  constructor(
    private readonly max: number,
    /** Gets each message as a range of a buffer (no view object per message); valid during the call only. */
    private readonly onMessage: (buf: Buffer, start: number, end: number) => void,
  ) {}

  push(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    if (this.mode === 'unknown' && this.buf.length > 0) this.mode = isDigit(this.buf[0]!) ? 'octet' : 'newline';
    let pos = 0;
    for (;;) {
      const next = this.mode === 'octet' ? this.octet(pos) : this.newline(pos);
      if (next < 0) break;
      pos = next;
    }
    this.buf = pos === 0 ? this.buf : this.buf.subarray(pos);
  }

  /** Flushes a final unterminated message when the peer closes the connection. */
  end(): void {
    if (this.buf.length > 0 && this.skip === 0) this.emit(this.buf, 0, this.buf.length);
    this.buf = Buffer.alloc(0);
  }

  private emit(buf: Buffer, start: number, end: number): void {
    while (end > start && (buf[end - 1] === 0x0a || buf[end - 1] === 0x0d || buf[end - 1] === 0)) end--;
    if (end > start) this.onMessage(buf, start, Math.min(end, start + this.max));
  }

  /** Consumes one newline-delimited frame at `pos`; returns the next position or -1 when incomplete. */
  private newline(pos: number): number {
    const buf = this.buf;
    if (this.skip !== 0) {
      const nl = buf.indexOf(0x0a, pos);
      if (nl < 0) return pos < buf.length ? buf.length : -1;
      this.skip = 0;
      return nl + 1;
    }
    if (pos >= buf.length) return -1;
    const nl = buf.indexOf(0x0a, pos);
    if (nl < 0) {
      if (buf.length - pos > this.max) {
        this.emit(buf, pos, pos + this.max);
        this.skip = -1;
        return pos + this.max;
      }
      return -1;
    }
    this.emit(buf, pos, nl);
    return nl + 1;
  }

  /** Consumes one octet-counted frame at `pos`; returns the next position or -1 when incomplete. */
  private octet(pos: number): number {
    const buf = this.buf;
    if (this.skip > 0) {
      const n = Math.min(this.skip, buf.length - pos);
      if (n === 0) return -1;
      this.skip -= n;
      return pos + n;
    }
    let p = pos;
    while (p < buf.length && (buf[p] === 0x0a || buf[p] === 0x0d)) p++;
    // Incomplete frame: report progress over separators only.
    const stall = p > pos ? p : -1;
    if (p >= buf.length) return stall;
    let i = p;
    let len = 0;
    while (i < buf.length && isDigit(buf[i]!) && i - p < 10) len = len * 10 + (buf[i++]! - 0x30);
    if (i >= buf.length) return stall;
    if (i === p || buf[i] !== 0x20) {
      // Not a length prefix: keep the data as a newline-delimited message.
      const nl = buf.indexOf(0x0a, p);
      if (nl < 0) {
        if (buf.length - p <= this.max) return stall;
        this.emit(buf, p, p + this.max);
        return p + this.max;
      }
      this.emit(buf, p, nl);
      return nl + 1;
    }
    const start = i + 1;
    if (len > this.max) {
      if (buf.length - start < this.max) return stall;
      this.emit(buf, start, start + this.max);
      this.skip = len - this.max;
      return start + this.max;
    }
    if (buf.length - start < len) return stall;
    this.emit(buf, start, start + len);
    return start + len;
  }
}

function isDigit(b: number): boolean {
  return b >= 0x30 && b <= 0x39;
}
