/**
 * Decoder of the template section (see template-format.ts): rebuilds the lines back to back in
 * one buffer, the same lines block a version 2 chunk holds.
 *
 * Templates are parsed once into flat op arrays that also carry what each slot's column needs
 * and never changes (plane base, widths, ends), so the per-line loop reads one op record and the
 * column's cursor per slot. Output is written with 32-bit stores (pieces 8 bytes per step,
 * numbers four digits per store, hex two digits per store) into a buffer with slack past the
 * lines. Every length, id and count is checked, with one bounds check per slot in the loop, so
 * damaged bytes end in a ChunkCorruptError and never in a crash, a long loop or an allocation
 * beyond what the section can produce.
 */
import { ByteReader } from './bytes.js';
import { ChunkCorruptError } from './errors.js';
import { FLAG_DELTA, KIND_HEX, KIND_INT, KIND_MASK, KIND_STR, KIND_WORD, MAX_INT, MAX_INT_DIGITS, MAX_INT_WIDTH } from './template-format.js';

function corrupt(message: string): never {
  throw new ChunkCorruptError(message);
}

/**
 * A template's ops: piece 0 (start, length), then per slot SLOT_OPS words:
 *   0 kind, 1 column, 2 hex bytes (HEX), 3–5 the column's fixed facts, 6 piece start, 7 piece length.
 * Column facts by kind: INT: plane base, value count, byte width + 256 when delta coded;
 * HEX: data end; WORD: ids end, first word, word count; STR: data end, lengths end.
 */
const SLOT_OPS = 8;
/** Bytes past the lines that the 32-bit stores may write. */
const SLACK = 8;

/** Byte x as its two lowercase hex digits, first digit in the low byte (written little endian). */
const HEX_PAIRS = Uint16Array.from({ length: 256 }, (_, x) => '0123456789abcdef'.charCodeAt(x >> 4) | ('0123456789abcdef'.charCodeAt(x & 15) << 8));

/**
 * Decimal digits of 0 … 9999 as four ASCII bytes in a little-endian word: DIGITS_PADDED with
 * leading zeros ("0042"), DIGITS_LEAD without, in its low bytes ("42"), DIGITS_LENGTH digits.
 */
const DIGITS_PADDED = new Uint32Array(10_000);
const DIGITS_LEAD = new Uint32Array(10_000);
const DIGITS_LENGTH = new Uint8Array(10_000);
for (let v = 0; v < 10_000; v++) {
  const text = String(v);
  const padded = text.padStart(4, '0');
  for (let i = 0; i < 4; i++) {
    DIGITS_PADDED[v]! |= padded.charCodeAt(i) << (8 * i);
    if (i < text.length) DIGITS_LEAD[v]! |= text.charCodeAt(i) << (8 * i);
  }
  DIGITS_LENGTH[v] = text.length;
}

interface Templates {
  /** Template t's ops are ops[starts[t] .. starts[t+1]). */
  starts: Int32Array;
  ops: Int32Array;
}

function readTemplates(reader: ByteReader): Templates {
  const count = reader.uint();
  // Each template takes at least two bytes (its length and piece 0's length).
  if (count * 2 > reader.end - reader.pos) corrupt('chunk template count is larger than the section');
  const starts = new Int32Array(count + 1);
  let ops = new Int32Array(Math.max(64, count * 32));
  let n = 0;
  const buf = reader.buf;
  for (let t = 0; t < count; t++) {
    const length = reader.uint();
    const end = reader.skip(length) + length;
    const sub = new ByteReader(buf, end - length, end);
    starts[t] = n;
    for (let first = true; first || sub.pos < end; first = false) {
      if (n + SLOT_OPS > ops.length) {
        const grown = new Int32Array(ops.length * 2);
        grown.set(ops);
        ops = grown;
      }
      if (!first) {
        const kind = buf[sub.skip(1)]!;
        if (kind !== KIND_INT && kind !== KIND_HEX && kind !== KIND_STR && kind !== KIND_WORD) corrupt(`chunk template has a slot of unknown kind ${kind}`);
        const hexBytes = kind === KIND_HEX ? sub.uint() : 0;
        if (kind === KIND_HEX && hexBytes === 0) corrupt('chunk template has an empty hex slot');
        ops[n] = kind;
        ops[n + 1] = sub.uint();
        ops[n + 2] = hexBytes;
        n += 6;
      }
      const pieceLength = sub.uint();
      ops[n++] = sub.skip(pieceLength);
      ops[n++] = pieceLength;
    }
  }
  starts[count] = n;
  return { starts, ops };
}

interface Columns {
  count: number;
  kinds: Uint8Array;
  /** INT: byte width, + 256 when delta coded. */
  widths: Int32Array;
  /**
   * Where each column's data starts and ends: INT planes (end: value count), HEX bytes, STR bytes,
   * WORD ids.
   */
  start: Int32Array;
  end: Int32Array;
  /** STR lengths. */
  lengthStart: Int32Array;
  lengthEnd: Int32Array;
  /** WORD: column c's words are words wordBase[c] … + wordCount[c] - 1: start in body and length. */
  wordBase: Int32Array;
  wordCount: Int32Array;
  wordStart: Int32Array;
  wordLength: Int32Array;
}

function readColumns(reader: ByteReader): { columns: Columns; idsStart: number; idsEnd: number } {
  const count = reader.uint();
  if (count * 2 > reader.end - reader.pos) corrupt('chunk column count is larger than the section');
  const kinds = new Uint8Array(count);
  const widths = new Int32Array(count);
  const dataLength = new Float64Array(count);
  const prefixLength = new Float64Array(count);
  const wordCount = new Int32Array(count);
  const wordBase = new Int32Array(count);
  let words = 0;
  for (let c = 0; c < count; c++) {
    const byte = reader.buf[reader.skip(1)]!;
    const kind = byte & KIND_MASK;
    const flags = byte & ~KIND_MASK;
    if (kind !== KIND_INT && kind !== KIND_HEX && kind !== KIND_STR && kind !== KIND_WORD) corrupt(`chunk column ${c} has unknown kind ${kind}`);
    if (flags !== 0 && !(kind === KIND_INT && flags === FLAG_DELTA)) corrupt(`chunk column ${c} has unknown flags 0x${flags.toString(16)}`);
    kinds[c] = kind;
    if (kind === KIND_INT) {
      const w = reader.buf[reader.skip(1)]!;
      if (w < 1 || w > MAX_INT_WIDTH) corrupt(`chunk number column ${c} has byte width ${w}`);
      widths[c] = w + (flags === FLAG_DELTA ? 256 : 0);
      dataLength[c] = w * reader.uint();
      continue;
    }
    if (kind === KIND_WORD) {
      const n = reader.uint();
      // Each word takes at least two dictionary bytes.
      if (n * 2 > reader.end - reader.pos) corrupt(`chunk word column ${c} has more words than the section has bytes`);
      wordBase[c] = words;
      wordCount[c] = n;
      words += n;
    }
    if (kind !== KIND_HEX) prefixLength[c] = reader.uint();
    dataLength[c] = reader.uint();
  }
  const idsLength = reader.uint();
  const idsStart = reader.skip(idsLength);
  const columns: Columns = {
    count,
    kinds,
    widths,
    start: new Int32Array(count),
    end: new Int32Array(count),
    lengthStart: new Int32Array(count),
    lengthEnd: new Int32Array(count),
    wordBase,
    wordCount,
    wordStart: new Int32Array(words),
    wordLength: new Int32Array(words),
  };
  for (let c = 0; c < count; c++) {
    if (kinds[c] === KIND_WORD) {
      const dictionary = new ByteReader(reader.buf, reader.skip(prefixLength[c]!), reader.pos);
      for (let w = wordBase[c]!; w < wordBase[c]! + wordCount[c]!; w++) {
        const length = dictionary.uint();
        if (length === 0) corrupt(`chunk word column ${c} has an empty word`);
        columns.wordStart[w] = dictionary.skip(length);
        columns.wordLength[w] = length;
      }
      if (dictionary.pos !== dictionary.end) corrupt(`chunk word column ${c} has bytes past its dictionary`);
    } else if (kinds[c] === KIND_STR) {
      columns.lengthStart[c] = reader.skip(prefixLength[c]!);
      columns.lengthEnd[c] = reader.pos;
    }
    columns.start[c] = reader.skip(dataLength[c]!);
    columns.end[c] = kinds[c] === KIND_INT ? dataLength[c]! / (widths[c]! & 0xff) : reader.pos;
  }
  if (reader.pos !== reader.end) corrupt(`chunk template section has ${reader.end - reader.pos} bytes past its columns`);
  return { columns, idsStart, idsEnd: idsStart + idsLength };
}

/** Checks each slot's column and copies the column's fixed facts into its ops (see SLOT_OPS). */
function bindSlots(templates: Templates, columns: Columns): void {
  const { starts, ops } = templates;
  for (let t = 0; t + 1 < starts.length; t++) {
    for (let o = starts[t]! + 2; o < starts[t + 1]!; o += SLOT_OPS) {
      const kind = ops[o]!;
      const col = ops[o + 1]!;
      if (col >= columns.count) corrupt(`chunk template refers to column ${col} of ${columns.count}`);
      if (columns.kinds[col] !== kind) corrupt(`chunk template slot kind ${kind} disagrees with column ${col}`);
      if (kind === KIND_INT) {
        ops[o + 3] = columns.start[col]!;
        ops[o + 4] = columns.end[col]!;
        ops[o + 5] = columns.widths[col]!;
      } else if (kind === KIND_WORD) {
        ops[o + 3] = columns.end[col]!;
        ops[o + 4] = columns.wordBase[col]!;
        ops[o + 5] = columns.wordCount[col]!;
      } else {
        ops[o + 3] = columns.end[col]!;
        ops[o + 4] = columns.lengthEnd[col]!;
      }
    }
  }
}

/**
 * The most bytes `count` lines can take: every line the longest template with the longest word in
 * every slot, every STR value once.
 */
function largestOutput(templates: Templates, columns: Columns, count: number): number {
  const { starts, ops } = templates;
  let longest = 0;
  let slotsMost = 0;
  for (let t = 0; t + 1 < starts.length; t++) {
    slotsMost = Math.max(slotsMost, (starts[t + 1]! - starts[t]! - 2) / SLOT_OPS);
    let n = ops[starts[t]! + 1]!;
    for (let o = starts[t]! + 2; o < starts[t + 1]!; o += SLOT_OPS) {
      const kind = ops[o]!;
      n += ops[o + 7]! + (kind === KIND_INT ? MAX_INT_DIGITS : kind === KIND_HEX ? 2 * ops[o + 2]! : 0);
    }
    if (n > longest) longest = n;
  }
  let text = 0;
  for (let c = 0; c < columns.count; c++) if (columns.kinds[c] === KIND_STR) text += columns.end[c]! - columns.start[c]!;
  let longestWord = 0;
  for (const length of columns.wordLength) if (length > longestWord) longestWord = length;
  return count * (longest + slotsMost * longestWord) + text;
}

/** Writes the decimal digits of v (an integer in 0 … MAX_INT) at pos; returns the end. */
function writeDigits(dst: DataView, pos: number, v: number): number {
  if (v < 10_000) {
    dst.setUint32(pos, DIGITS_LEAD[v]!, true);
    return pos + DIGITS_LENGTH[v]!;
  }
  if (v < 100_000_000) {
    const high = (v / 10_000) | 0;
    dst.setUint32(pos, DIGITS_LEAD[high]!, true);
    pos += DIGITS_LENGTH[high]!;
    dst.setUint32(pos, DIGITS_PADDED[v - high * 10_000]!, true);
    return pos + 4;
  }
  // Up to 15 digits: the top 7 (or fewer) as above, then two padded groups.
  const top = Math.floor(v / 100_000_000);
  const low = v - top * 100_000_000;
  pos = writeDigits(dst, pos, top);
  const mid = (low / 10_000) | 0;
  dst.setUint32(pos, DIGITS_PADDED[mid]!, true);
  dst.setUint32(pos + 4, DIGITS_PADDED[low - mid * 10_000]!, true);
  return pos + 8;
}

/**
 * Copies src[start, start+length) to dst at pos, 8 bytes per step as two 32-bit words (pieces are
 * short: Buffer.copy allocates a view per call and a byte loop costs a bounds check per byte).
 * It may write up to 7 bytes past the piece: later writes, or the slack past the lines, take them.
 */
function copyPiece(src: DataView, srcLength: number, start: number, length: number, dst: DataView, pos: number): number {
  const stop = start + length;
  if (stop + SLACK <= srcLength) {
    for (let s = start, d = pos; s < stop; s += 8, d += 8) {
      dst.setUint32(d, src.getUint32(s, true), true);
      dst.setUint32(d + 4, src.getUint32(s + 4, true), true);
    }
  } else {
    for (let k = 0; k < length; k++) dst.setUint8(pos + k, src.getUint8(start + k));
  }
  return pos + length;
}

/**
 * The lines of the template section body[start, end): line i fills out[offsets[i] ..
 * offsets[i+1]) of the returned buffer, whose length is offsets[count].
 */
export function decodeTemplates(body: Buffer, start: number, end: number, offsets: Uint32Array, count: number): Buffer {
  const reader = new ByteReader(body, start, end);
  const templates = readTemplates(reader);
  const { columns, idsStart, idsEnd } = readColumns(reader);
  bindSlots(templates, columns);
  const total = offsets[count]!;
  if (total > largestOutput(templates, columns, count)) corrupt('chunk line lengths add up to more than its templates can write');
  const { starts, ops } = templates;
  const templateCount = starts.length - 1;
  const { wordStart, wordLength } = columns;
  /** Per column: INT, index of the next value; others, where the next value's bytes start. */
  const cursor = columns.start.slice();
  for (let c = 0; c < columns.count; c++) if (columns.kinds[c] === KIND_INT) cursor[c] = 0;
  const lengthCursor = columns.lengthStart.slice();
  /** Delta-coded INT columns: the previous value. */
  const prev = new Float64Array(columns.count);
  const out = Buffer.allocUnsafe(total + SLACK);
  const src = new DataView(body.buffer, body.byteOffset, body.length);
  const dst = new DataView(out.buffer, out.byteOffset, out.length);
  const srcLength = body.length;
  let ip = idsStart;
  let pos = 0;
  for (let i = 0; i < count; i++) {
    let b = body[ip++]!;
    let t = b & 0x7f;
    for (let shift = 7; b >= 0x80 && shift < 28; shift += 7) {
      b = body[ip++]!;
      t |= (b & 0x7f) << shift;
    }
    if (b >= 0x80 || ip > idsEnd || t >= templateCount) corrupt('chunk template ids are damaged');
    const lineEnd = offsets[i + 1]!;
    let o = starts[t]!;
    const oEnd = starts[t + 1]!;
    pos = copyPiece(src, srcLength, ops[o]!, ops[o + 1]!, dst, pos);
    for (o += 2; o < oEnd; o += SLOT_OPS) {
      const kind = ops[o]!;
      const col = ops[o + 1]!;
      if (kind === KIND_INT) {
        // Byte j of value k is at base + j·n + k.
        const k = cursor[col]!;
        const n = ops[o + 4]!;
        if (k >= n) corrupt('chunk number column has fewer values than its lines use');
        cursor[col] = k + 1;
        const at = ops[o + 3]! + k;
        const width = ops[o + 5]!;
        const w = width & 0xff;
        let v: number;
        if (w === 1) v = body[at]!;
        else if (w === 2) v = body[at]! | (body[at + n]! << 8);
        else {
          v = 0;
          for (let j = w - 1, p = at + j * n; j >= 0; j--, p -= n) v = v * 256 + body[p]!;
        }
        if (width > 0xff) {
          // Zigzag: integer ops below 2^31, exact double arithmetic above.
          v = prev[col]! + (v < 0x8000_0000 ? (v >>> 1) ^ -(v & 1) : v % 2 === 0 ? v / 2 : -(v + 1) / 2);
          prev[col] = v;
          if (!(v <= MAX_INT && v >= 0)) corrupt('chunk number column holds a value out of range');
        } else if (w === MAX_INT_WIDTH && v > MAX_INT) {
          // Six bytes hold at most 2^48 - 1 < MAX_INT.
          corrupt('chunk number column holds a value out of range');
        }
        pos = writeDigits(dst, pos, v);
      } else if (kind === KIND_WORD) {
        let cp = cursor[col]!;
        b = body[cp++]!;
        let id = b & 0x7f;
        for (let shift = 7; b >= 0x80 && shift < 28; shift += 7) {
          b = body[cp++]!;
          id |= (b & 0x7f) << shift;
        }
        if (b >= 0x80 || cp > ops[o + 3]! || id >= ops[o + 5]!) corrupt('chunk word column is damaged');
        cursor[col] = cp;
        const w = ops[o + 4]! + id;
        pos = copyPiece(src, srcLength, wordStart[w]!, wordLength[w]!, dst, pos);
      } else if (kind === KIND_HEX) {
        let cp = cursor[col]!;
        const n = ops[o + 2]!;
        if (n > ops[o + 3]! - cp || n > lineEnd - pos) corrupt('chunk hex column is damaged');
        for (const stop = cp + n; cp < stop; cp++, pos += 2) dst.setUint16(pos, HEX_PAIRS[body[cp]!]!, true);
        cursor[col] = cp;
      } else {
        const cp = cursor[col]!;
        let lp = lengthCursor[col]!;
        b = body[lp++]!;
        let n = b & 0x7f;
        for (let shift = 7; b >= 0x80 && shift < 28; shift += 7) {
          b = body[lp++]!;
          n |= (b & 0x7f) << shift;
        }
        if (b >= 0x80 || lp > ops[o + 4]! || n === 0 || n > ops[o + 3]! - cp || n > lineEnd - pos) corrupt('chunk text column is damaged');
        lengthCursor[col] = lp;
        cursor[col] = cp + n;
        pos = copyPiece(src, srcLength, cp, n, dst, pos);
      }
      pos = copyPiece(src, srcLength, ops[o + 6]!, ops[o + 7]!, dst, pos);
      if (pos > lineEnd) break;
    }
    if (pos !== lineEnd) corrupt(`chunk line ${i} decodes to a length other than its index says`);
  }
  if (ip !== idsEnd) corrupt('chunk has more template ids than lines');
  for (let c = 0; c < columns.count; c++) {
    const used = columns.kinds[c] === KIND_INT ? cursor[c] === columns.end[c] : cursor[c] === columns.end[c] && lengthCursor[c] === columns.lengthEnd[c];
    if (!used) corrupt(`chunk column ${c} holds more values than its lines use`);
  }
  return out.subarray(0, total);
}
