/**
 * A pool of worker threads that decode chunks ahead of a query's scan, so on a machine with a
 * spare core the decoding (zstd and, for columnar chunks, rebuilding lines from templates)
 * overlaps the scan instead of adding to it.
 *
 * The store's reads are synchronous, so the pool is too: `submit` copies the chunk's bytes into a
 * SharedArrayBuffer and posts the job; `DecodeJob.take` returns the decoded chunk, reading the
 * worker's reply synchronously from its port (`receiveMessageOnPort`) and blocking with
 * `Atomics.wait` only while the worker is in the middle of decoding that very chunk. A job the
 * worker has not started when it is needed is taken over and decoded on the calling thread (the
 * worker then skips it), so a busy, slow, starting or dead worker never holds a query up for
 * longer than one chunk's decode, and both threads decode when the scan outpaces the worker.
 *
 * The decoded columns come back by transfer (no copy) and are rebuilt as a TransferredChunk with
 * the accessors of `decodeChunk`'s result; a damaged chunk fails `take` with the same
 * ChunkCorruptError message the synchronous decoder gives. Size 0 never starts a thread
 * (`submit` returns undefined: the caller decodes as before).
 */
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { decodeChunk } from './decode.js';
import {
  JOB_CANCELLED,
  JOB_DONE,
  JOB_HEADER,
  JOB_QUEUED,
  JOB_RUNNING,
  type DecodeReply,
  type DecodeRequest,
  type DecodeWorkerData,
} from './decoder-messages.js';
import { ChunkCorruptError } from './errors.js';
import { TransferredChunk } from './transferred-chunk.js';
import type { DecodedChunk } from './types.js';

/**
 * Chunks with fewer line bytes than this decode on the calling thread: posting a job, waking the
 * worker and reading the reply cost tens of microseconds, about what decoding a small chunk does.
 */
export const DECODE_AHEAD_MIN_BYTES = 16 * 1024;

/**
 * How long a chunk's decode takes, roughly, per byte of the stored chunk (columnar chunks, the
 * slowest to decode: ~0.5 ms for a 256 KiB chunk stored in ~22 KiB), and at least.
 */
const DECODE_NS_PER_STORED_BYTE = 25;
const DECODE_MIN_MS = 0.2;
/**
 * A worker still decoding a chunk this many times its expected decode time after it was needed
 * is not running (the machine is busy with other processes, and a preempted thread can hold a
 * chunk for a whole time slice) or is gone (a thread that dies mid-job cannot say so while this
 * thread blocks): this thread then decodes the chunk itself and the worker's result is dropped.
 * A wrong guess costs one decode done twice, never an answer.
 */
const PATIENCE = 2;
/** How long one wait for a reply being posted lasts before the state is looked at again. */
const WAIT_SLICE_MS = 50;

const WORKER_URL = new URL('./decode-worker.js', import.meta.url);

/** `Atomics.waitAsync` (Node 16+; the compiler's lib predates it). */
const waitAsync = (Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number): { value: Promise<string> | string } }).waitAsync;

interface Slot {
  worker: Worker;
  /** The main thread's end of the reply channel (read only with receiveMessageOnPort). */
  replies: MessagePort;
  /** Jobs posted to this worker and neither taken nor cancelled. */
  pending: number;
  /** Set when the worker exited or failed: its running job is never answered. */
  dead: boolean;
  /** Replies read from the port that belong to jobs not yet taken. */
  arrived: Map<number, DecodeReply>;
  /** Jobs cancelled after the worker finished them: their replies are dropped when read. */
  discard: Set<number>;
}

export class ChunkDecoderPool {
  private readonly slots: (Slot | undefined)[];
  private nextId = 1;
  private closed = false;
  private drainScheduled = false;
  private live = 0;

  /** `size` worker threads (started on first use); 0 decodes nothing ahead. */
  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 0 || size > 64) throw new RangeError(`decode pool size ${size} is not an integer in 0..64`);
    this.slots = new Array<Slot | undefined>(size).fill(undefined);
  }

  /** The worker threads now running (for tests and diagnostics). */
  get workers(): Worker[] {
    return this.slots.flatMap((s) => (s ? [s.worker] : []));
  }

  /**
   * Starts decoding a copy of `data` (which may be a buffer the caller reuses, as lmdb's
   * getBinaryFast returns); undefined when the pool has no workers or is closed.
   */
  submit(data: Uint8Array): DecodeJob | undefined {
    if (this.size === 0 || this.closed) return undefined;
    const slot = this.leastBusy();
    const shared = new SharedArrayBuffer(JOB_HEADER + data.length);
    // Through a view of `length` bytes: lmdb's reused buffer is a larger typed array whose
    // `length` property alone is set to the value's size, and `set` would copy all of it.
    new Uint8Array(shared, JOB_HEADER).set(data.subarray(0, data.length));
    const id = this.nextId++;
    slot.pending++;
    this.live++;
    slot.worker.postMessage({ id, shared } satisfies DecodeRequest);
    return new DecodeJob(this, slot, id, shared);
  }

  /** Jobs submitted and neither taken nor cancelled (a finished read leaves none). */
  get jobsInFlight(): number {
    return this.live;
  }

  async close(): Promise<void> {
    this.closed = true;
    const running = this.slots.filter((s): s is Slot => s !== undefined);
    this.slots.fill(undefined);
    for (const s of running) s.dead = true;
    await Promise.all(running.map((s) => s.worker.terminate()));
    for (const s of running) s.replies.close();
  }

  /** @internal A job of `slot` was taken or cancelled. */
  settle(slot: Slot): void {
    slot.pending--;
    this.live--;
  }

  /** @internal Whether a job the slot is running may still be answered. */
  answerable(slot: Slot): boolean {
    return !slot.dead && !this.closed;
  }

  /** @internal The reply to job `id`, reading the slot's port up to it; undefined if it is not there. */
  receive(slot: Slot, id: number): DecodeReply | undefined {
    const early = slot.arrived.get(id);
    if (early !== undefined) {
      slot.arrived.delete(id);
      return early;
    }
    for (;;) {
      const msg = receiveMessageOnPort(slot.replies);
      if (msg === undefined) return undefined;
      const reply = msg.message as DecodeReply;
      if (reply.id === id) return reply;
      if (!slot.discard.delete(reply.id)) slot.arrived.set(reply.id, reply);
    }
  }

  /** @internal Drops the reply of a cancelled job the worker had already finished. */
  discardReply(slot: Slot, id: number): void {
    if (!slot.arrived.delete(id)) slot.discard.add(id);
    // Read the port soon, so a dropped reply's buffers do not wait for the next query.
    if (!this.drainScheduled) {
      this.drainScheduled = true;
      setImmediate(() => {
        this.drainScheduled = false;
        for (const s of this.slots) if (s) this.drain(s);
      }).unref();
    }
  }

  private drain(slot: Slot): void {
    while (slot.discard.size > 0 && !slot.dead) {
      const msg = receiveMessageOnPort(slot.replies);
      if (msg === undefined) return;
      const reply = msg.message as DecodeReply;
      if (!slot.discard.delete(reply.id)) slot.arrived.set(reply.id, reply);
    }
  }

  private leastBusy(): Slot {
    let best = -1;
    for (let i = 0; i < this.slots.length; i++) {
      const s = this.slots[i];
      if (!s) return (this.slots[i] = this.start(i));
      if (best < 0 || s.pending < this.slots[best]!.pending) best = i;
    }
    return this.slots[best]!;
  }

  private start(index: number): Slot {
    const channel = new MessageChannel();
    const workerData: DecodeWorkerData = { replies: channel.port2 };
    const worker = new Worker(WORKER_URL, { workerData, transferList: [channel.port2] });
    // Nothing waits on the event loop for a worker: an idle one must not keep the process alive.
    worker.unref();
    channel.port1.unref();
    const slot: Slot = { worker, replies: channel.port1, pending: 0, dead: false, arrived: new Map(), discard: new Set() };
    const gone = () => {
      slot.dead = true;
      if (this.slots[index] === slot) this.slots[index] = undefined;
    };
    worker.on('error', gone);
    worker.on('exit', gone);
    return slot;
  }
}

/** One chunk handed to the pool: take its result once, or cancel it. */
export class DecodeJob {
  private state: Int32Array;
  private settled = false;
  /** What this thread decoded while it waited for another job (see `take`). */
  private decoded: { chunk: DecodedChunk } | { error: unknown } | undefined;
  /** Whether a worker decoded the chunk (false when this thread took the job over); for tests. */
  decodedByWorker = false;

  /** @internal */
  constructor(
    private readonly pool: ChunkDecoderPool,
    private readonly slot: Slot,
    private readonly id: number,
    private readonly shared: SharedArrayBuffer,
  ) {
    this.state = new Int32Array(shared, 0, 1);
  }

  /**
   * The decoded chunk, as `decodeChunk` returns it; throws what `decodeChunk` would for its bytes
   * (a ChunkCorruptError). Once only. While a worker is decoding it, this thread decodes the first
   * job of `helpWith` (the caller's later jobs) no worker has started instead of waiting.
   */
  take(helpWith?: Iterable<DecodeJob>): DecodedChunk {
    if (this.settled) throw new Error('a decode job is taken once');
    this.settled = true;
    this.pool.settle(this.slot);
    const decoded = this.decoded;
    if (decoded !== undefined) {
      this.decoded = undefined;
      if ('error' in decoded) throw decoded.error;
      return decoded.chunk;
    }
    if (this.claim(JOB_QUEUED)) return this.decodeHere();
    const patience = PATIENCE * (DECODE_MIN_MS + (this.shared.byteLength * DECODE_NS_PER_STORED_BYTE) / 1e6);
    const deadline = performance.now() + patience;
    for (;;) {
      const s = Atomics.load(this.state, 0);
      if (s === JOB_DONE) break;
      if (s === JOB_CANCELLED) return this.decodeHere();
      if (!this.pool.answerable(this.slot)) {
        // Closed or exited: whatever it was doing, no reply is coming.
        if (!this.claim(s)) continue;
        return this.decodeHere();
      }
      if (s === JOB_RUNNING) {
        if (performance.now() >= deadline) {
          if (this.claim(JOB_RUNNING)) return this.decodeHere();
          continue;
        }
        // Rather than wait, decode a later chunk the worker has not started.
        if (helpWith !== undefined && DecodeJob.helpOne(helpWith)) continue;
      }
      Atomics.wait(this.state, 0, s, s === JOB_RUNNING ? Math.max(0, deadline - performance.now()) : WAIT_SLICE_MS);
    }
    const reply = this.pool.receive(this.slot, this.id);
    if (reply === undefined) return this.decodeHere();
    if (reply.error !== undefined) {
      if (reply.corrupt) throw new ChunkCorruptError(reply.error);
      // Not the chunk's fault (the worker failed around the decoder): what this thread says counts.
      return this.decodeHere();
    }
    this.decodedByWorker = true;
    return new TransferredChunk(reply.length, reply.timestamps, reply.lineOffsets, reply.lines, reply.metadata);
  }

  /**
   * `take`, while the worker decodes the job it is given, calls this with the jobs queued after
   * it: decodes the first that no worker has started, on this thread, and keeps the result for
   * its own `take`. False when there was none.
   */
  private static helpOne(jobs: Iterable<DecodeJob>): boolean {
    for (const job of jobs) {
      if (job.settled || job.decoded !== undefined || !job.claim(JOB_QUEUED)) continue;
      try {
        job.decoded = { chunk: job.decodeHere() };
      } catch (error) {
        job.decoded = { error };
      }
      return true;
    }
    return false;
  }

  /** Drops the job: the worker skips it if not started, its result is discarded if it is. */
  cancel(): void {
    if (this.settled) return;
    this.settled = true;
    this.pool.settle(this.slot);
    if (this.decoded !== undefined) {
      this.decoded = undefined;
      return;
    }
    if (this.claim(JOB_QUEUED) || this.claim(JOB_RUNNING)) return;
    this.pool.discardReply(this.slot, this.id);
  }

  /**
   * Resolves once no worker will touch the job any more (it answered, or the job was cancelled or
   * taken over); for tests, which must not guess how long a worker takes.
   */
  async workerDone(): Promise<void> {
    // Neither the wait nor the (unref'ed) worker keeps the event loop alive by itself.
    const alive = setInterval(() => undefined, 60_000);
    try {
      for (;;) {
        const s = Atomics.load(this.state, 0);
        if (s === JOB_DONE || s === JOB_CANCELLED) return;
        await waitAsync(this.state, 0, s).value;
      }
    } finally {
      clearInterval(alive);
    }
  }

  /** Moves the job from `from` to cancelled (the worker will not answer it); true if it was in `from`. */
  private claim(from: number): boolean {
    return Atomics.compareExchange(this.state, 0, from, JOB_CANCELLED) === from;
  }

  private decodeHere(): DecodedChunk {
    return decodeChunk(Buffer.from(this.shared, JOB_HEADER));
  }
}
