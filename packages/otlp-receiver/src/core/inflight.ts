import { EventEmitter } from 'node:events';

/**
 * The global in-flight byte budget: bytes of pushes that are decoded or waiting for the store.
 * Past the budget HTTP answers 429/503, gRPC RESOURCE_EXHAUSTED and TCP readers pause until a
 * `drain` event says room is back, so memory stays bounded under overload.
 */
export class InflightBudget extends EventEmitter<{ drain: [] }> {
  private used = 0;

  constructor(readonly limit: number) {
    super();
  }

  get inUse(): number {
    return this.used;
  }

  get full(): boolean {
    return this.used >= this.limit;
  }

  /**
   * Reserves `n` bytes if they fit. A single request larger than the whole budget is let through
   * when nothing else is in flight, so one big but legal body can never be refused forever.
   */
  tryAcquire(n: number): boolean {
    if (this.used + n > this.limit && this.used > 0) return false;
    this.used += n;
    return true;
  }

  /** Reserves unconditionally (for sources that already paused their input, e.g. TCP). */
  acquire(n: number): void {
    this.used += n;
  }

  release(n: number): void {
    const wasFull = this.full;
    this.used = Math.max(0, this.used - n);
    if (wasFull && !this.full) this.emit('drain');
  }
}
