/**
 * A seeded log generator for `lode bench`: the same seed always gives the same streams and
 * lines (a mix of logfmt and JSON with levels, status codes, durations and ids), so runs on
 * different machines or versions push identical data.
 */
import type { Labels } from '../loki-types.js';

/** mulberry32: tiny, fast, good enough to vary test data. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const APPS = ['api', 'web', 'worker', 'auth', 'billing', 'search', 'cart', 'mailer'];
const ENVS = ['prod', 'staging', 'dev'];
const LEVELS = ['debug', 'info', 'info', 'info', 'info', 'warn', 'error'];
const PATHS = ['/api/v1/users', '/api/v1/orders', '/login', '/health', '/api/v1/search', '/static/app.js'];
const METHODS = ['GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE'];
const MESSAGES = ['request served', 'cache miss', 'retrying upstream', 'user signed in', 'payment declined', 'queue drained', 'slow query'];

export function benchStreams(count: number): Labels[] {
  const out: Labels[] = [];
  for (let i = 0; i < count; i++) {
    out.push({ app: APPS[i % APPS.length]!, env: ENVS[Math.floor(i / APPS.length) % ENVS.length]!, instance: `i-${i}`, bench: 'lode' });
  }
  return out;
}

export class LineGenerator {
  private readonly next: () => number;

  constructor(seed: number) {
    this.next = rng(seed);
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  line(): string {
    const level = this.pick(LEVELS);
    const status = level === 'error' ? this.pick([500, 502, 503]) : this.pick([200, 200, 200, 201, 204, 301, 404]);
    const ms = Math.round(this.next() ** 3 * 2000);
    const user = `u${Math.floor(this.next() * 5000)}`;
    const trace = Math.floor(this.next() * 2 ** 48).toString(16).padStart(12, '0');
    const msg = this.pick(MESSAGES);
    if (this.next() < 0.3) {
      return JSON.stringify({ level, msg, method: this.pick(METHODS), path: this.pick(PATHS), status, duration_ms: ms, user, trace_id: trace });
    }
    return `level=${level} msg="${msg}" method=${this.pick(METHODS)} path=${this.pick(PATHS)} status=${status} duration=${ms}ms user=${user} trace_id=${trace}`;
  }
}
