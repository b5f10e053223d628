/**
 * A token bucket in bytes: `rate` tokens per second refill up to `burst`. Like Go's
 * `rate.Limiter.AllowN` (which Loki uses), a request larger than the burst is never allowed.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private rate: number,
    private burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.last = now;
  }

  /** Adopts changed limits (per-tenant overrides may be reloaded) without resetting the level. */
  configure(rate: number, burst: number): void {
    if (rate === this.rate && burst === this.burst) return;
    this.rate = rate;
    this.burst = burst;
    this.tokens = Math.min(this.tokens, burst);
  }

  /** Takes `n` tokens if they are all there; `now` in milliseconds. */
  allow(n: number, now: number): boolean {
    this.refill(now);
    if (n > this.tokens) return false;
    this.tokens -= n;
    return true;
  }

  /** Milliseconds until `n` tokens will be there (Infinity when `n` exceeds the burst). */
  waitFor(n: number, now: number): number {
    this.refill(now);
    if (n > this.burst) return Infinity;
    if (n <= this.tokens) return 0;
    return this.rate > 0 ? ((n - this.tokens) / this.rate) * 1000 : Infinity;
  }

  private refill(now: number): void {
    const elapsed = now - this.last;
    if (elapsed > 0) {
      this.tokens = Math.min(this.burst, this.tokens + (elapsed / 1000) * this.rate);
      this.last = now;
    }
  }
}
