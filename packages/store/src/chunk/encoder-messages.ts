/** Messages between ChunkEncoderPool and its worker threads. */
import type { ChunkColumns, ChunkStats, EncodeOptions } from './types.js';

export interface EncodeRequest {
  id: number;
  options: EncodeOptions;
  columns: ChunkColumns;
  /** When set, `columns` are in arrival order and this lists them by time (see `inTimeOrder`). */
  order?: Uint32Array;
}

export type EncodeReply =
  | { id: number; data: Uint8Array; filter: Uint8Array; stats: ChunkStats; seconds: number; error?: undefined }
  | { id: number; error: string };

/**
 * True when the view covers its whole (non-shared) ArrayBuffer, so it can be transferred.
 * Small Buffers are slices of Node's shared pool: transferring one would detach the pool.
 */
export function ownsBuffer(view: ArrayBufferView): boolean {
  return view.byteOffset === 0 && view.byteLength === view.buffer.byteLength && view.buffer instanceof ArrayBuffer;
}
