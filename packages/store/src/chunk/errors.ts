/**
 * Raised by `decodeChunk` for any chunk whose bytes are damaged, truncated or not a chunk at all.
 * The store treats it as "skip this chunk and warn", so decode never throws anything else.
 */
export class ChunkCorruptError extends Error {
  override readonly name = 'ChunkCorruptError';
}
