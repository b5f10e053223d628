/** Exponential backoff with full jitter, capped; shared by `lode tail` and `lode push`. */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly minMs = 250,
    private readonly maxMs = 10_000,
  ) {}

  /** The wait before the next attempt; grows with each call until reset(). */
  next(): number {
    const ceiling = Math.min(this.maxMs, this.minMs * 2 ** this.attempt);
    this.attempt++;
    return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
  }

  reset(): void {
    this.attempt = 0;
  }
}

export const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
