/**
 * The chunk's outer layout. A fixed 16-byte header is kept uncompressed so damage is found before
 * anything is decompressed:
 *
 *   0  'L' 'C'          magic
 *   2  u8               format version (1, 2 or 3)
 *   3  u8               codec of the body (0 stored, 1 zstd)
 *   4  u32 LE           entry count
 *   8  u32 LE           body length once decompressed
 *  12  u32 LE           CRC32C over bytes 0..11 and then over every byte from 16 to the end
 *
 * Version 1 follows with the (compressed) body holding every column (see encode.ts).
 *
 * Version 2 keeps the columns a counting query needs (timestamps and line lengths) in an index
 * frame of their own, so they are read without decompressing the lines:
 *
 *  16  u8               codec of the index (0 stored, 1 zstd)
 *  17  u8               flags: bit 0 set when some entry carries structured metadata; others 0
 *  18  u32 LE           index length once decompressed
 *  22  u32 LE           index length as stored
 *  26  index            (compressed) timestamps and line lengths
 *  ..  body             (compressed) metadata section and lines
 *
 * Version 3 has the frame of version 2; its body holds the metadata section and then, instead of
 * the lines, their template section (template-format.ts), which the decoder turns back into the
 * same lines block. The header's body length is that of the body as stored in the frame.
 */
import { crc32c } from '@node-rs/crc32';

export const MAGIC_0 = 0x4c;
export const MAGIC_1 = 0x43;
/** Lines stored as they are ('lines' encoding); the decoder also reads FORMAT_V1. */
export const FORMAT_VERSION = 2;
export const FORMAT_V1 = 1;
/** Lines stored as templates and columns of variables ('columnar' encoding). */
export const FORMAT_V3 = 3;
export const HEADER_SIZE = 16;
/** Header plus the version 2 index header. */
export const V2_PREFIX_SIZE = HEADER_SIZE + 10;
export const FLAG_HAS_METADATA = 0x01;
export const CODEC_STORED = 0;
export const CODEC_ZSTD = 1;
/**
 * Upper bound of a decompressed body. Chunks are cut at ~256 KiB and compaction merges a few, so
 * this is far above real sizes; it stops a damaged header from asking for a huge allocation.
 */
export const MAX_RAW_BODY = 256 * 1024 * 1024;

export function chunkChecksum(data: Buffer): number {
  return crc32c(data.subarray(HEADER_SIZE), crc32c(data.subarray(0, 12)));
}
