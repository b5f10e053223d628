/**
 * A small pool of worker threads that encode chunks (zstd + content filter: the CPU-heavy part of
 * a flush), so the event loop stays free for appends and reads. Columns go to a worker by
 * transfer (no per-entry cloning); the chunk and filter bytes come back the same way.
 *
 * A worker that dies (crash, out of memory, terminate) fails the jobs it held with an error; the
 * next job starts a fresh worker. The caller retries (the store's flush keeps its blocks and
 * tries again), so a dead worker never loses data. Size 0 encodes on the calling thread.
 */
import { Worker } from 'node:worker_threads';
import { checkEncoding, checkLevel, encodeColumns } from './encode.js';
import { ownsBuffer, type EncodeReply, type EncodeRequest } from './encoder-messages.js';
import { inTimeOrder } from './reorder.js';
import type { ChunkColumns, EncodedChunk, EncodeOptions } from './types.js';

export interface PoolEncoded extends EncodedChunk {
  /** Time the encoder itself spent, in seconds (queueing excluded). */
  seconds: number;
}

interface Job {
  resolve: (enc: PoolEncoded) => void;
  reject: (err: Error) => void;
}

interface Slot {
  worker: Worker;
  jobs: Map<number, Job>;
}

const WORKER_URL = new URL('./encode-worker.js', import.meta.url);

export class ChunkEncoderPool {
  private readonly slots: (Slot | undefined)[];
  private nextId = 1;
  private closed = false;

  /** `size` worker threads (started on first use); 0 encodes on the calling thread. `options`: zstd level and chunk encoding. */
  constructor(readonly size: number, private readonly options: EncodeOptions = {}) {
    if (!Number.isInteger(size) || size < 0 || size > 64) throw new RangeError(`encoder pool size ${size} is not an integer in 0..64`);
    if (options.level !== undefined) checkLevel(options.level);
    if (options.encoding !== undefined) checkEncoding(options.encoding);
    this.slots = new Array<Slot | undefined>(size).fill(undefined);
  }

  /**
   * Encodes the columns; their buffers are transferred (unusable afterwards) when a worker does it
   * (shared ones are not). With `order`, the columns are in arrival order and `order` lists them
   * by time: the encoder puts them in that order (`inTimeOrder`), off the calling thread.
   */
  encode(columns: ChunkColumns, order?: Uint32Array): Promise<PoolEncoded> {
    if (this.closed) return Promise.reject(new Error('chunk encoder pool is closed'));
    if (this.size === 0) {
      try {
        const started = performance.now();
        const enc = encodeColumns(order ? inTimeOrder(columns, order) : columns, this.options);
        return Promise.resolve({ ...enc, seconds: (performance.now() - started) / 1000 });
      } catch (err) {
        return Promise.reject(err);
      }
    }
    const slot = this.leastBusy();
    const id = this.nextId++;
    const req: EncodeRequest = order ? { id, options: this.options, columns, order } : { id, options: this.options, columns };
    const transfer: ArrayBuffer[] = [];
    for (const view of [columns.ts, columns.lines, columns.offsets, columns.metadata, ...(order ? [order] : [])]) {
      if (ownsBuffer(view) && !transfer.includes(view.buffer as ArrayBuffer)) transfer.push(view.buffer as ArrayBuffer);
    }
    return new Promise<PoolEncoded>((resolve, reject) => {
      slot.jobs.set(id, { resolve, reject });
      if (slot.jobs.size === 1) slot.worker.ref();
      slot.worker.postMessage(req, transfer);
    });
  }

  /** The worker threads now running (for tests and diagnostics). */
  get workers(): Worker[] {
    return this.slots.flatMap((s) => (s ? [s.worker] : []));
  }

  async close(): Promise<void> {
    this.closed = true;
    const running = this.slots.filter((s): s is Slot => s !== undefined);
    this.slots.fill(undefined);
    await Promise.all(running.map((s) => s.worker.terminate()));
  }

  private leastBusy(): Slot {
    let best = -1;
    for (let i = 0; i < this.slots.length; i++) {
      const s = this.slots[i];
      if (!s) return (this.slots[i] = this.start(i));
      if (best < 0 || s.jobs.size < this.slots[best]!.jobs.size) best = i;
    }
    return this.slots[best]!;
  }

  private start(index: number): Slot {
    const worker = new Worker(WORKER_URL);
    const slot: Slot = { worker, jobs: new Map() };
    // Idle workers must not keep the process alive; a worker holding jobs is ref'ed in encode().
    worker.unref();
    worker.on('message', (reply: EncodeReply) => {
      const job = slot.jobs.get(reply.id);
      if (!job) return;
      slot.jobs.delete(reply.id);
      if (slot.jobs.size === 0) worker.unref();
      if (reply.error !== undefined) {
        job.reject(new Error(`chunk encoding failed in a worker thread: ${reply.error}`));
        return;
      }
      const data = Buffer.from(reply.data.buffer, reply.data.byteOffset, reply.data.byteLength);
      const filter = Buffer.from(reply.filter.buffer, reply.filter.byteOffset, reply.filter.byteLength);
      job.resolve({ data, filter, stats: reply.stats, seconds: reply.seconds });
    });
    const fail = (reason: string) => {
      if (this.slots[index] === slot) this.slots[index] = undefined;
      const jobs = [...slot.jobs.values()];
      slot.jobs.clear();
      for (const job of jobs) job.reject(new Error(`chunk encoder worker ${reason}; the flush is retried`));
    };
    worker.on('error', (err) => fail(`failed: ${err.message}`));
    worker.on('exit', (code) => fail(`exited with code ${code}`));
    return slot;
  }
}
