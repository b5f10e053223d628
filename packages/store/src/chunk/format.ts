/**
 * The chunk's outer layout. A fixed 16-byte header is kept uncompressed so damage is found before
 * anything is decompressed:
 *
 *   0  'L' 'C'          magic
 *   2  u8               format version (1)
 *   3  u8               codec of the body (0 stored, 1 zstd)
 *   4  u32 LE           entry count
 *   8  u32 LE           body length once decompressed
 *  12  u32 LE           CRC32C over bytes 0..11 and then over the stored body
 *  16  body             (compressed) body, see encode.ts for its layout
 */
import { crc32c } from '@node-rs/crc32';

export const MAGIC_0 = 0x4c;
export const MAGIC_1 = 0x43;
export const FORMAT_VERSION = 1;
export const HEADER_SIZE = 16;
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
