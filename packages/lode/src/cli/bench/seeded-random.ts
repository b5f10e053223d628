/**
 * The seeded random source behind every generated benchmark dataset (`lode bench` and the repo's
 * bench/ scripts, which import it from @lode/cli): the same seed gives the same draws on any
 * machine, so runs push identical data and their figures compare.
 */
import { mulberry32 } from '@lode/store';

export class SeededRandom {
  /** A float in [0, 1). */
  readonly next: () => number;

  constructor(seed: number) {
    this.next = mulberry32(seed);
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
}
