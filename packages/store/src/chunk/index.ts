/**
 * The chunk format (a compressed block of one stream's entries) and its content filter.
 * See encode.ts for the body layout, format.ts for the header, filter.ts for the filter.
 */
export type { RawEntry, ChunkStats, EncodedChunk, DecodedChunk, DecodedChunkIndex, ChunkColumns, ChunkEncoding, EncodeOptions } from './types.js';
export { encodeChunk, encodeColumns, metadataSection, toColumns } from './encode.js';
export { ChunkEncoderPool } from './encoder-pool.js';
export { decodeChunk, decodeChunkIndex } from './decode.js';
export { ChunkCorruptError } from './errors.js';
export { filterMayContain, type FilterQueryOptions } from './filter.js';
