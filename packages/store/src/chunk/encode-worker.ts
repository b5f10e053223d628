/**
 * Worker thread of ChunkEncoderPool: encodes the columns it is sent and transfers the chunk and
 * filter bytes back. Errors are answered as messages (the job fails, the worker lives on).
 */
import { parentPort } from 'node:worker_threads';
import { encodeColumns } from './encode.js';
import { ownsBuffer, type EncodeReply, type EncodeRequest } from './encoder-messages.js';
import { inTimeOrder } from './reorder.js';

const port = parentPort;
if (!port) throw new Error('encode-worker.js runs as a worker thread of ChunkEncoderPool');

port.on('message', (req: EncodeRequest) => {
  const started = performance.now();
  let reply: EncodeReply;
  try {
    const enc = encodeColumns(req.order ? inTimeOrder(req.columns, req.order) : req.columns, req.options);
    reply = { id: req.id, data: enc.data, filter: enc.filter, stats: enc.stats, seconds: (performance.now() - started) / 1000 };
  } catch (err) {
    port.postMessage({ id: req.id, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) } satisfies EncodeReply);
    return;
  }
  const transfer: ArrayBuffer[] = [];
  if (ownsBuffer(reply.data)) transfer.push(reply.data.buffer as ArrayBuffer);
  if (ownsBuffer(reply.filter)) transfer.push(reply.filter.buffer as ArrayBuffer);
  port.postMessage(reply, transfer);
});
