/**
 * A seeded log generator for `lode bench`: the same seed always gives the same streams and
 * lines (a mix of logfmt and JSON with levels, status codes, durations and ids), so runs on
 * different machines or versions push identical data.
 */
import type { Labels } from '../loki-types.js';
import type { BenchProtocol } from './bodies.js';
import { SeededRandom } from './seeded-random.js';

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
  private readonly random: SeededRandom;

  constructor(seed: number) {
    this.random = new SeededRandom(seed);
  }

  line(): string {
    const r = this.random;
    const level = r.pick(LEVELS);
    const status = level === 'error' ? r.pick([500, 502, 503]) : r.pick([200, 200, 200, 201, 204, 301, 404]);
    const ms = Math.round(r.next() ** 3 * 2000);
    const user = `u${r.int(5000)}`;
    const trace = r.int(2 ** 48).toString(16).padStart(12, '0');
    const msg = r.pick(MESSAGES);
    if (r.next() < 0.3) {
      return JSON.stringify({ level, msg, method: r.pick(METHODS), path: r.pick(PATHS), status, duration_ms: ms, user, trace_id: trace });
    }
    return `level=${level} msg="${msg}" method=${r.pick(METHODS)} path=${r.pick(PATHS)} status=${status} duration=${ms}ms user=${user} trace_id=${trace}`;
  }
}

/**
 * A seeded pool of generated lines, each kept as UTF-8 bytes and as the bytes of its JSON string
 * form (quotes included). The bench cycles through it and copies bytes into request bodies, so
 * the load generator, which shares the machine with the server, spends its CPU on sending rather
 * than on building text (16,384 distinct lines is far more variety than a batch of 1,000 sees).
 * The byte forms are views of two shared buffers, ready for `TypedArray.set` (a plain copy;
 * `Buffer.copy` with offsets makes a view per call).
 */
export class LinePool {
  readonly lines: string[] = [];
  readonly utf8: Buffer[];
  private jsonForms?: Buffer[];
  private lokiForms?: Buffer[];
  private otlpForms?: Buffer[];

  constructor(seed: number, size = 16_384) {
    const gen = new LineGenerator(seed);
    for (let i = 0; i < size; i++) this.lines.push(gen.line());
    this.utf8 = views(this.lines);
  }

  /** Builds the byte forms a protocol's bodies use now rather than on first use (inside a measured run). */
  prepare(protocol: BenchProtocol): void {
    if (protocol === 'loki-json') void this.json;
    else if (protocol === 'loki-proto') void this.lokiLine;
    else if (protocol === 'otlp-proto') void this.otlpBody;
  }

  /** The line as a JSON string (quotes included). */
  get json(): Buffer[] {
    return (this.jsonForms ??= views(this.lines.map((l) => JSON.stringify(l))));
  }

  /** The line as Loki's `EntryAdapter.line` field (tag 2, length, bytes). */
  get lokiLine(): Buffer[] {
    return (this.lokiForms ??= this.utf8.map((b) => lengthDelimited(2, b)));
  }

  /** The line as OTLP's `LogRecord.body` field (tag 5, length, `AnyValue{string_value}`). */
  get otlpBody(): Buffer[] {
    return (this.otlpForms ??= this.utf8.map((b) => lengthDelimited(5, lengthDelimited(1, b))));
  }

  get size(): number {
    return this.lines.length;
  }
}

/** A protobuf length-delimited field with a one-byte tag. */
function lengthDelimited(field: number, payload: Buffer): Buffer {
  const head: number[] = [(field << 3) | 2];
  for (let n = payload.length; ; n >>>= 7) {
    if (n < 0x80) {
      head.push(n);
      break;
    }
    head.push((n & 0x7f) | 0x80);
  }
  return Buffer.concat([Buffer.from(head), payload]);
}

/** Each text's UTF-8 bytes as a view of one buffer holding them all. */
function views(texts: string[]): Buffer[] {
  const all = Buffer.from(texts.join(''), 'utf8');
  const out: Buffer[] = [];
  let at = 0;
  for (const t of texts) {
    const n = Buffer.byteLength(t);
    out.push(all.subarray(at, at + n));
    at += n;
  }
  return out;
}
