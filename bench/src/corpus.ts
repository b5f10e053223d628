/**
 * The store benchmark's dataset: seeded mixed logfmt / JSON / plain lines in N streams, cut into
 * append batches. It is generated once (untimed) into a file and read back batch by batch while
 * the store is measured, so the line generator (slow: string building and random numbers) is not
 * part of the figure and the corpus does not sit in the process's memory either.
 *
 * File layout (little endian), one block per append batch:
 *   u32 blockBytes | u16 streamCount | per stream: u16 streamIdx, u32 entries
 *   | per entry: u32 index (timestamp = start + index × 500 ns), u32 lineBytes, line
 * The file is reused when it exists for the same parameters (see corpusPath).
 */
import { closeSync, existsSync, openSync, readSync, renameSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SeededRandom } from '@lode/cli';
import type { Entry } from '@lode/store';

export interface CorpusParams {
  entries: number;
  streams: number;
  batch: number;
  seed: number;
}

export const NEEDLE = 'needle-7f3a9c2e';
const FORMAT = 1;

export function corpusPath(p: CorpusParams): string {
  return join(tmpdir(), `lode-bench-corpus-v${FORMAT}-${p.seed}-${p.entries}-${p.streams}-${p.batch}.bin`);
}

const LEVELS = ['info', 'info', 'info', 'info', 'debug', 'debug', 'warn', 'error'];
const METHODS = ['GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE'];
const PATHS = ['/api/v1/users', '/api/v1/orders', '/api/v1/products', '/healthz', '/api/v2/search', '/login', '/api/v1/cart/items'];
const MSGS = ['request completed', 'cache miss', 'user authenticated', 'db query slow', 'retrying upstream call', 'payment accepted'];
const QUEUES = ['emails', 'invoices', 'thumbnails', 'webhooks'];
const STATUSES = [200, 200, 200, 201, 204, 404, 500];

/** The line generator: same shapes and distributions as the first version of this benchmark, so ratios compare. */
function lineGenerator(seed: number): (streamIdx: number, n: number) => string {
  const r = new SeededRandom(seed);
  const hex = (len: number) => {
    let s = '';
    for (let i = 0; i < len; i++) s += '0123456789abcdef'[r.int(16)];
    return s;
  };
  // A request logs several lines with the same trace id, as real services do.
  let traceId = hex(16);
  let requestId = hex(12);
  return (streamIdx, n) => {
    if (r.next() < 0.25) {
      traceId = hex(16);
      requestId = hex(12);
    }
    const kind = streamIdx % 3;
    const level = r.pick(LEVELS);
    if (kind === 0) {
      return `level=${level} msg="${r.pick(MSGS)}" method=${r.pick(METHODS)} path=${r.pick(PATHS)}/${r.int(5000)} status=${r.pick(STATUSES)} duration_ms=${r.int(900)} trace_id=${traceId} user_id=${r.int(2000)}`;
    }
    if (kind === 1) {
      return `{"level":"${level}","msg":"${r.pick(MSGS)}","service":"svc-${streamIdx}","request_id":"${requestId}","latency_ms":${r.int(2000)},"path":"${r.pick(PATHS)}","attempt":${r.int(4)},"seq":${n}}`;
    }
    return `${level.toUpperCase()} [worker-${r.int(16)}] Processing job ${r.int(1_000_000)} for queue ${r.pick(QUEUES)}: ${r.pick(MSGS)} after ${r.int(5000)}ms`;
  };
}

/** Writes the corpus file unless it exists; returns its raw line bytes. */
export function ensureCorpus(p: CorpusParams, path: string): { rawBytes: number; generatedMs: number } {
  if (existsSync(path)) return { rawBytes: scanRawBytes(path), generatedMs: 0 };
  const t0 = performance.now();
  // Stream choice uses its own generator so it never shifts the lines' random sequence.
  const choose = new SeededRandom(p.seed ^ 0x9e3779b9);
  const line = lineGenerator(p.seed);
  // Two needle lines in the whole dataset: far under 0.1% of chunks.
  const needleAt = new Set([Math.floor(p.entries * 0.31), Math.floor(p.entries * 0.77)]);
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  let block = Buffer.allocUnsafe(1 << 20);
  let rawBytes = 0;
  try {
    for (let produced = 0; produced < p.entries; ) {
      const n = Math.min(p.batch, p.entries - produced);
      const first = choose.int(p.streams);
      const perStream = new Map<number, { index: number; text: string }[]>();
      for (let i = 0; i < n; i++) {
        // One append call spreads its entries over ten neighbouring streams, as a shipper's batch would.
        const s = (first + (i % 10)) % p.streams;
        const index = produced++;
        let text = line(s, index);
        if (needleAt.has(index)) text += ` ${NEEDLE}`;
        let list = perStream.get(s);
        if (!list) perStream.set(s, (list = []));
        list.push({ index, text });
      }
      let at = 6;
      const room = (more: number) => {
        if (at + more <= block.length) return;
        const next = Buffer.allocUnsafe(Math.max(block.length * 2, at + more));
        block.copy(next, 0, 0, at);
        block = next;
      };
      block.writeUInt16LE(perStream.size, 4);
      for (const [s, list] of perStream) {
        room(6);
        block.writeUInt16LE(s, at);
        block.writeUInt32LE(list.length, at + 2);
        at += 6;
        for (const { index, text } of list) {
          room(8 + text.length * 3);
          const len = block.write(text, at + 8, 'utf8');
          block.writeUInt32LE(index, at);
          block.writeUInt32LE(len, at + 4);
          at += 8 + len;
          rawBytes += len;
        }
      }
      block.writeUInt32LE(at, 0);
      writeSync(fd, block, 0, at);
    }
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  return { rawBytes, generatedMs: performance.now() - t0 };
}

function scanRawBytes(path: string): number {
  let raw = 0;
  const reader = new CorpusReader(path, 0n);
  for (let b = reader.next(); b; b = reader.next()) for (const s of b) for (const e of s.entries) raw += Buffer.byteLength(e.line);
  reader.close();
  return raw;
}

export interface CorpusBatch {
  streamIdx: number;
  entries: Entry[];
}

/** Reads the corpus back one append batch at a time, as a receiver decoding requests would. */
export class CorpusReader {
  private readonly fd: number;
  private pos = 0;
  private buf = Buffer.allocUnsafe(1 << 20);
  private readonly head = Buffer.allocUnsafe(4);

  constructor(path: string, private readonly startNs: bigint) {
    this.fd = openSync(path, 'r');
  }

  next(): CorpusBatch[] | undefined {
    if (readSync(this.fd, this.head, 0, 4, this.pos) < 4) return undefined;
    const size = this.head.readUInt32LE(0);
    if (size > this.buf.length) this.buf = Buffer.allocUnsafe(size);
    const buf = this.buf;
    if (readSync(this.fd, buf, 0, size, this.pos) < size) throw new Error('bench corpus file is truncated; delete it to regenerate');
    this.pos += size;
    const streams: CorpusBatch[] = new Array(buf.readUInt16LE(4));
    let at = 6;
    for (let k = 0; k < streams.length; k++) {
      const streamIdx = buf.readUInt16LE(at);
      const entries: Entry[] = new Array(buf.readUInt32LE(at + 2));
      at += 6;
      for (let i = 0; i < entries.length; i++) {
        const index = buf.readUInt32LE(at);
        const len = buf.readUInt32LE(at + 4);
        entries[i] = { ts: this.startNs + BigInt(index) * 500n, line: buf.toString('utf8', at + 8, at + 8 + len) };
        at += 8 + len;
      }
      streams[k] = { streamIdx, entries };
    }
    return streams;
  }

  close(): void {
    closeSync(this.fd);
  }
}
