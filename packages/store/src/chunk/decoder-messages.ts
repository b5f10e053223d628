/**
 * Messages and shared job states between ChunkDecoderPool and its worker threads.
 *
 * Each job's compressed bytes sit in a SharedArrayBuffer behind a 32-bit state word, so both
 * threads can claim the job: the worker before it decodes, the main thread when it needs a
 * result the worker has not started yet (it then decodes the chunk itself). The reply travels on
 * a MessagePort the main thread reads synchronously (`receiveMessageOnPort`): the store's reads
 * are synchronous, and a query never waits for the event loop to get a decoded chunk.
 */
import type { MessagePort } from 'node:worker_threads';

/** Posted, not started: either thread may claim it. */
export const JOB_QUEUED = 0;
/** The worker is decoding it. */
export const JOB_RUNNING = 1;
/** The worker decoded it and is posting the reply. */
export const JOB_POSTING = 2;
/** The reply is on the port. */
export const JOB_DONE = 3;
/** Dropped (query done or cancelled), or taken over by the main thread: the worker skips it. */
export const JOB_CANCELLED = 4;

/** Bytes before the chunk in a job's shared buffer: the state word, padded to 8. */
export const JOB_HEADER = 8;

export interface DecodeRequest {
  id: number;
  /** JOB_HEADER bytes of state, then the chunk's bytes. */
  shared: SharedArrayBuffer;
}

/** Structured metadata in columns: entry i's pairs are refs[starts[i] .. starts[i+1]) (name, value, …) into `strings`. */
export interface MetadataColumns {
  strings: string[];
  starts: Uint32Array;
  refs: Uint32Array;
}

export type DecodeReply =
  | {
      id: number;
      length: number;
      timestamps: BigInt64Array;
      lineOffsets: Uint32Array;
      lines: Uint8Array;
      metadata: MetadataColumns | undefined;
      error?: undefined;
    }
  /** `corrupt`: the bytes are not a valid chunk (a ChunkCorruptError with `error` as its message). */
  | { id: number; error: string; corrupt: boolean };

/** The port the worker replies on, sent as the worker's `workerData`. */
export interface DecodeWorkerData {
  replies: MessagePort;
}
