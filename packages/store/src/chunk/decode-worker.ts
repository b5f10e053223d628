/**
 * Worker thread of ChunkDecoderPool: claims each job it is sent (skipping those the main thread
 * cancelled or took over), decodes the chunk with the same `decodeChunk` the main thread uses,
 * and transfers the decoded columns back on the reply port. A damaged chunk is answered with its
 * error; the worker lives on.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { decodeChunk } from './decode.js';
import { ChunkCorruptError } from './errors.js';
import {
  JOB_CANCELLED,
  JOB_DONE,
  JOB_HEADER,
  JOB_POSTING,
  JOB_QUEUED,
  JOB_RUNNING,
  type DecodeReply,
  type DecodeRequest,
  type DecodeWorkerData,
  type MetadataColumns,
} from './decoder-messages.js';
import type { DecodedChunk } from './types.js';

const port = parentPort;
if (!port) throw new Error('decode-worker.js runs as a worker thread of ChunkDecoderPool');
const { replies } = workerData as DecodeWorkerData;

port.on('message', (req: DecodeRequest) => {
  const state = new Int32Array(req.shared, 0, 1);
  if (Atomics.compareExchange(state, 0, JOB_QUEUED, JOB_RUNNING) !== JOB_QUEUED) return;
  let reply: DecodeReply;
  const transfer: ArrayBuffer[] = [];
  try {
    const chunk = decodeChunk(Buffer.from(req.shared, JOB_HEADER));
    const { bytes, offsets } = chunk.linesBlock();
    reply = {
      id: req.id,
      length: chunk.length,
      timestamps: transferable(chunk.timestamps, transfer),
      lineOffsets: transferable(offsets, transfer),
      lines: transferable(bytes, transfer),
      metadata: chunk.hasMetadata ? metadataColumns(chunk) : undefined,
    };
    if (reply.metadata) transfer.push(reply.metadata.starts.buffer as ArrayBuffer, reply.metadata.refs.buffer as ArrayBuffer);
  } catch (err) {
    reply = { id: req.id, error: err instanceof Error ? err.message : String(err), corrupt: err instanceof ChunkCorruptError };
    transfer.length = 0;
  }
  // The main thread may have given up on the job meanwhile: then nobody reads the reply.
  if (Atomics.compareExchange(state, 0, JOB_RUNNING, JOB_POSTING) !== JOB_RUNNING) return;
  replies.postMessage(reply, transfer);
  Atomics.store(state, 0, JOB_DONE);
  Atomics.notify(state, 0);
});

/**
 * The view itself, its buffer added to `transfer`, when that buffer is the decoder's own
 * allocation; else a copy that owns its buffer. Buffers of at most Buffer.poolSize bytes may be
 * slices of Node's shared allocation pool (transferring one would detach the pool), and a
 * SharedArrayBuffer cannot be transferred; both are small or rare, so copying them costs little.
 */
function transferable<T extends BigInt64Array | Uint32Array | Uint8Array>(view: T, transfer: ArrayBuffer[]): T {
  const buffer = view.buffer;
  if (buffer instanceof ArrayBuffer && buffer.byteLength > Buffer.poolSize) {
    if (!transfer.includes(buffer)) transfer.push(buffer);
    return view;
  }
  const copy = view.slice() as T;
  transfer.push(copy.buffer as ArrayBuffer);
  return copy;
}

/** Every entry's metadata as columns of string refs (cloned once, not one object per entry). */
function metadataColumns(chunk: DecodedChunk): MetadataColumns {
  const strings: string[] = [];
  const ids = new Map<string, number>();
  const starts = new Uint32Array(chunk.length + 1);
  let refs = new Uint32Array(Math.max(16, chunk.length * 2));
  let n = 0;
  const ref = (s: string): number => {
    let id = ids.get(s);
    if (id === undefined) {
      id = strings.push(s) - 1;
      ids.set(s, id);
    }
    return id;
  };
  for (let i = 0; i < chunk.length; i++) {
    starts[i] = n;
    for (const [name, value] of Object.entries(chunk.metadata(i))) {
      if (n + 2 > refs.length) {
        const grown = new Uint32Array(refs.length * 2);
        grown.set(refs);
        refs = grown;
      }
      refs[n++] = ref(name);
      refs[n++] = ref(value);
    }
  }
  starts[chunk.length] = n;
  return { strings, starts, refs: refs.slice(0, n) };
}
