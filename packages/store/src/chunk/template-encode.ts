/**
 * Encoder of the template section (see template-format.ts): tokenises each line in place (no
 * strings), finds its template in a per-chunk hash table of template bytes and appends its
 * variables to their columns. Scratch state is kept between chunks in module variables (the hot
 * loop reads them faster than object fields); encoding is synchronous and each worker thread has
 * its own module instance.
 */
import { ByteWriter } from './bytes.js';
import {
  BYTE_CLASS as CLASSES,
  DIGIT,
  FLAG_DELTA,
  HEX_LETTER,
  KIND_HEX,
  KIND_INT,
  KIND_STR,
  KIND_WORD,
  LETTER,
  MAX_INT_DIGITS,
  MAX_SLOTS,
} from './template-format.js';

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
/** Columns the encoder opens per chunk; later new keys share one overflow column per kind. */
const MAX_COLUMNS = 1024;
/** Name of a first slot that has no word before it. */
const FIRST_NAME = 0x2545f491;
const QUOTE = 0x22;
const EQUALS = 0x3d;
const COLON = 0x3a;
const SPACE = 0x20;
/** Room past a copy that copyBytes may write over (it moves 8 bytes per step). */
const COPY_SLACK = 8;

const HEX_VALUE = new Uint8Array(256);
for (let d = 0; d < 10; d++) HEX_VALUE[0x30 + d] = d;
for (let d = 0; d < 6; d++) HEX_VALUE[0x61 + d] = 10 + d;

/** Bytes that end an unquoted field value. */
const VALUE_STOP = new Uint8Array(256);
for (let b = 0; b <= SPACE; b++) VALUE_STOP[b] = 1;
for (const c of ',;&")]}') VALUE_STOP[c.charCodeAt(0)] = 1;

class Column {
  /** INT values, in line order. */
  ints: Float64Array;
  count = 0;
  /** HEX and STR bytes; WORD ids. */
  readonly data: ByteWriter;
  /** STR lengths; WORD dictionary (length, bytes). */
  readonly lengths: ByteWriter;
  /** WORD dictionary size. */
  words = 0;

  constructor(readonly kind: number) {
    this.ints = new Float64Array(kind === KIND_INT ? 256 : 0);
    this.data = new ByteWriter(kind === KIND_INT ? 0 : 1024);
    this.lengths = new ByteWriter(kind === KIND_STR || kind === KIND_WORD ? 256 : 0);
  }

  reset(): void {
    this.count = 0;
    this.data.pos = 0;
    this.lengths.pos = 0;
    this.words = 0;
  }

  pushInt(v: number): void {
    if (this.count === this.ints.length) {
      const next = new Float64Array(this.ints.length * 2);
      next.set(this.ints);
      this.ints = next;
    }
    this.ints[this.count++] = v;
  }
}

/** Bits of a non-negative safe integer (0 for 0). */
function bitLength(v: number): number {
  return v < 0x1_0000_0000 ? 32 - Math.clz32(v) : 64 - Math.clz32(Math.floor(v / 0x1_0000_0000));
}

/**
 * INT values as byte planes, of zigzag deltas when that halves their bits (counters, sequence
 * numbers, times); low-cardinality columns such as status codes stay plain, where zstd's entropy
 * coding does better than on their deltas. Writes the descriptor and the data; returns the width.
 */
function writeInts(col: Column, descriptor: ByteWriter, out: ByteWriter): number {
  const { ints, count } = col;
  let plainBits = 0;
  let deltaBits = 0;
  let plainMax = 0;
  let deltaMax = 0;
  let prev = 0;
  for (let i = 0; i < count; i++) {
    const v = ints[i]!;
    const d = v - prev;
    const z = d >= 0 ? 2 * d : -2 * d - 1;
    plainBits += bitLength(v);
    deltaBits += bitLength(z);
    if (v > plainMax) plainMax = v;
    if (z > deltaMax) deltaMax = z;
    prev = v;
  }
  const delta = 2 * deltaBits < plainBits;
  const max = delta ? deltaMax : plainMax;
  const width = Math.max(1, Math.ceil(bitLength(max) / 8));
  descriptor.ensure(2);
  descriptor.buf[descriptor.pos++] = KIND_INT | (delta ? FLAG_DELTA : 0);
  descriptor.buf[descriptor.pos++] = width;
  descriptor.uint(count);
  out.ensure(width * count);
  const buf = out.buf;
  const base = out.pos;
  prev = 0;
  for (let i = 0; i < count; i++) {
    const v = ints[i]!;
    let w = v;
    if (delta) {
      const d = v - prev;
      w = d >= 0 ? 2 * d : -2 * d - 1;
      prev = v;
    }
    if (w < 0x1_0000_0000) {
      for (let j = 0, x = w; j < width; j++, x >>>= 8) buf[base + j * count + i] = x & 0xff;
    } else {
      for (let j = 0, x = w; j < width; j++, x = Math.floor(x / 256)) buf[base + j * count + i] = x % 256;
    }
  }
  out.pos = base + width * count;
  return width;
}

function grow(a: Int32Array): Int32Array<ArrayBuffer> {
  const next = new Int32Array(a.length * 2);
  next.set(a);
  return next;
}

function viewOf(buf: Buffer): DataView {
  return new DataView(buf.buffer, buf.byteOffset, buf.length);
}

/** The lines of the chunk being encoded. */
let lines: Buffer = Buffer.alloc(0);
let linesView = viewOf(lines);

/** The template of the line being tokenised: sigBuf[0, sigPos). */
let sigBuf = Buffer.allocUnsafeSlow(4096);
let sigView = viewOf(sigBuf);
let sigPos = 0;

function sigRoom(n: number): void {
  if (sigPos + n <= sigBuf.length) return;
  const next = Buffer.allocUnsafeSlow(Math.max(sigBuf.length * 2, sigPos + n));
  sigBuf.copy(next, 0, 0, sigPos);
  sigBuf = next;
  sigView = viewOf(next);
}

/** Appends a varint to the template; room for it is ensured by the caller. */
function sigUint(v: number): void {
  while (v > 0x7f) {
    sigBuf[sigPos++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  sigBuf[sigPos++] = v;
}

/** Every distinct template of the chunk, back to back: template t is templates[starts[t], starts[t+1]). */
let templatesBuf = Buffer.allocUnsafeSlow(1 << 16);
let templatesView = viewOf(templatesBuf);
let templatesPos = 0;
let templateStarts = new Int32Array(1024);
let templateCount = 0;
/** Open addressing: template index + 1, 0 for empty. */
let templateTable = new Int32Array(2048);
let templateIds = new Uint32Array(4096);
/** The columns of template t's slots: templateColumns[templateColumnStarts[t] ..]. */
let templateColumns = new Int32Array(4096);
let templateColumnStarts = new Int32Array(1024);
/** Open addressing, 4× the most columns: key, and column index + 1 (0 for empty). */
const columnKeys = new Int32Array(4096);
const columnSlots = new Int32Array(4096);
const columnKinds = new Uint8Array(MAX_COLUMNS + 4);
let columns: Column[] = [];
/** Column objects of earlier chunks, per kind, reused (with their buffers) for the next ones. */
const columnPools: Column[][] = [[], [], [], []];
const columnPoolsUsed = [0, 0, 0, 0];
/** WORD dictionaries: open addressing over entries; entry e is word wordId[e] of column wordColumn[e]. */
let wordTable = new Int32Array(1024);
let wordCount = 0;
let wordColumn = new Int32Array(512);
let wordId = new Int32Array(512);
let wordHash = new Int32Array(512);
/** Where the word's bytes are in its column's dictionary, and how many. */
let wordStart = new Int32Array(512);
let wordLength = new Int32Array(512);

function resetChunk(chunkLines: Buffer, count: number): void {
  lines = chunkLines;
  linesView = viewOf(chunkLines);
  templatesPos = 0;
  templateCount = 0;
  templateColumnStarts[0] = 0;
  templateTable.fill(0);
  if (templateIds.length < count) templateIds = new Uint32Array(count);
  columnSlots.fill(0);
  columns = [];
  columnPoolsUsed.fill(0);
  wordTable.fill(0);
  wordCount = 0;
  resetTrie();
}

function pooledColumn(kind: number): Column {
  const pool = columnPools[kind]!;
  const used = columnPoolsUsed[kind]!++;
  if (used === pool.length) pool.push(new Column(kind));
  const column = pool[used]!;
  column.reset();
  return column;
}

/** The column for a key (0 in columnSlots marks an empty slot), opened on first use. */
function columnFor(key: number, kind: number): number {
  if (columns.length >= MAX_COLUMNS) key = kind + 1;
  const mask = columnSlots.length - 1;
  for (let h = Math.imul(key, 0x9e3779b1) >>> 20; ; h = (h + 1) & mask) {
    const slot = columnSlots[h]!;
    if (slot === 0) {
      const id = columns.length;
      columns.push(pooledColumn(kind));
      columnKinds[id] = kind;
      columnKeys[h] = key;
      columnSlots[h] = id + 1;
      return id;
    }
    if (columnKeys[h] === key && columnKinds[slot - 1] === kind) return slot - 1;
  }
}

/** Words are short: a byte loop beats a native call. */
function sameWord(a: Buffer, aStart: number, b: Buffer, bStart: number, length: number): boolean {
  for (let k = 0; k < length; k++) if (a[aStart + k] !== b[bStart + k]) return false;
  return true;
}

/** The id of word lines[start, end) (hash h) in column col's dictionary, added when new. */
function wordOf(col: number, start: number, end: number, h: number): number {
  const column = columns[col]!;
  const length = end - start;
  h = Math.imul(h ^ col, FNV_PRIME);
  let mask = wordTable.length - 1;
  let slot = (h >>> 0) & mask;
  for (; ; slot = (slot + 1) & mask) {
    const e = wordTable[slot]! - 1;
    if (e < 0) break;
    if (wordHash[e] === h && wordColumn[e] === col && wordLength[e] === length && sameWord(lines, start, column.lengths.buf, wordStart[e]!, length)) {
      return wordId[e]!;
    }
  }
  const e = wordCount++;
  if (e === wordColumn.length) {
    wordColumn = grow(wordColumn);
    wordId = grow(wordId);
    wordHash = grow(wordHash);
    wordStart = grow(wordStart);
    wordLength = grow(wordLength);
  }
  const dictionary = column.lengths;
  dictionary.uint(length);
  dictionary.ensure(length);
  lines.copy(dictionary.buf, dictionary.pos, start, end);
  wordStart[e] = dictionary.pos;
  dictionary.pos += length;
  wordColumn[e] = col;
  wordLength[e] = length;
  wordHash[e] = h;
  wordId[e] = column.words++;
  if (wordCount * 2 > wordTable.length) {
    wordTable = new Int32Array(wordTable.length * 2);
    mask = wordTable.length - 1;
    for (let k = 0; k < wordCount; k++) {
      let s = (wordHash[k]! >>> 0) & mask;
      while (wordTable[s] !== 0) s = (s + 1) & mask;
      wordTable[s] = k + 1;
    }
  } else {
    wordTable[slot] = e + 1;
  }
  return wordId[e]!;
}

/** Appends a piece (length, bytes) of the line to the template. */
function writePiece(start: number, end: number): void {
  const len = end - start;
  sigRoom(len + 5 + COPY_SLACK);
  sigUint(len);
  if (end + COPY_SLACK <= lines.length) {
    // Eight bytes per step; the bytes written past the piece are overwritten by what follows.
    for (let s = start, d = sigPos; s < end; s += 8, d += 8) {
      sigView.setUint32(d, linesView.getUint32(s, true), true);
      sigView.setUint32(d + 4, linesView.getUint32(s + 4, true), true);
    }
  } else {
    for (let s = start, d = sigPos; s < end; s++, d++) sigBuf[d] = lines[s]!;
  }
  sigPos += len;
}

/** Where wordValue found a field value: [valueStart, valueEnd), hashed to valueHash. */
let valueStart = 0;
let valueEnd = 0;
let valueHash = 0;

/**
 * Bytes of field values, one lookup per byte: END ends the value (a quote, or for an unquoted
 * value a VALUE_STOP byte), DIGIT rejects it (values with digits are tokenised instead).
 */
const VALUE_END = 1;
const VALUE_DIGIT = 2;
const QUOTED_BYTE = new Uint8Array(256);
const UNQUOTED_BYTE = new Uint8Array(256);
for (let b = 0; b < 256; b++) {
  if (CLASSES[b] === DIGIT) QUOTED_BYTE[b] = UNQUOTED_BYTE[b] = VALUE_DIGIT;
  else if (VALUE_STOP[b] === 1) UNQUOTED_BYTE[b] = VALUE_END;
}
QUOTED_BYTE[QUOTE] = VALUE_END;

/** Whether a WORD field value (see template-format.ts) starts at v. */
function wordValue(v: number, end: number): boolean {
  const buf = lines;
  let h = FNV_OFFSET;
  let q = v;
  let table = UNQUOTED_BYTE;
  if (buf[v] === QUOTE) {
    q = v + 1;
    table = QUOTED_BYTE;
  } else {
    const cls = CLASSES[buf[v]!]!;
    if (cls === 0 || cls === DIGIT) return false;
  }
  const first = q;
  for (; q < end; q++) {
    const b = buf[q]!;
    const t = table[b]!;
    if (t !== 0) {
      if (t === VALUE_DIGIT) return false;
      break;
    }
    h = Math.imul(h ^ b, FNV_PRIME);
  }
  if (table === QUOTED_BYTE && (q >= end || q === first)) return false;
  valueStart = first;
  valueEnd = q;
  valueHash = h;
  return true;
}

/** The slots of the line being tokenised: kind and value bytes [start, end) (WORD: hash too). */
const slotKinds = new Uint8Array(MAX_SLOTS);
const slotStarts = new Int32Array(MAX_SLOTS);
const slotEnds = new Int32Array(MAX_SLOTS);
const slotHashes = new Int32Array(MAX_SLOTS);
/** INT values. */
const slotNumbers = new Float64Array(MAX_SLOTS);
let slotCount = 0;

/** Appends the piece before a slot and the slot to the template, and records the value. */
function addSlot(literal: number, kind: number, varStart: number, varEnd: number, hash: number): void {
  writePiece(literal, varStart);
  sigRoom(8);
  sigBuf[sigPos++] = kind;
  if (kind === KIND_HEX) sigUint((varEnd - varStart) >>> 1);
  const k = slotCount++;
  slotKinds[k] = kind;
  slotStarts[k] = varStart;
  slotEnds[k] = varEnd;
  slotHashes[k] = hash;
  if (kind === KIND_INT) {
    let v = 0;
    for (let q = varStart; q < varEnd; q++) v = v * 10 + (lines[q]! - 0x30);
    slotNumbers[k] = v;
  }
}

/** Appends the values of the line's slots to the columns of its template. */
function pushValues(t: number): void {
  const first = templateColumnStarts[t]!;
  for (let k = 0; k < slotCount; k++) {
    const col = templateColumns[first + k]!;
    const column = columns[col]!;
    const kind = slotKinds[k]!;
    const varStart = slotStarts[k]!;
    const varEnd = slotEnds[k]!;
    if (kind === KIND_INT) {
      column.pushInt(slotNumbers[k]!);
    } else if (kind === KIND_HEX) {
      const data = column.data;
      data.ensure((varEnd - varStart) >>> 1);
      const buf = data.buf;
      let pos = data.pos;
      for (let q = varStart; q < varEnd; q += 2) buf[pos++] = (HEX_VALUE[lines[q]!]! << 4) | HEX_VALUE[lines[q + 1]!]!;
      data.pos = pos;
    } else if (kind === KIND_WORD) {
      column.data.uint(wordOf(col, varStart, varEnd, slotHashes[k]!));
    } else {
      column.lengths.uint(varEnd - varStart);
      const data = column.data;
      data.ensure(varEnd - varStart);
      lines.copy(data.buf, data.pos, varStart, varEnd);
      data.pos += varEnd - varStart;
    }
  }
}

/**
 * Tokenises line [start, end): its template (pieces and slot kinds) goes to sigBuf, its slots to
 * the slot arrays. The byte loop only finds word ends and ORs the byte classes of the word; mixed
 * words are scanned again.
 */
function tokenize(start: number, end: number): void {
  // Local bindings: module and imported ones are loaded from their cells on every access.
  const BYTE_CLASS = CLASSES;
  const buf = lines;
  sigPos = 0;
  slotCount = 0;
  let literal = start;
  let p = start;
  while (p < end) {
    let cls = BYTE_CLASS[buf[p]!]!;
    if (cls === 0) {
      const b = buf[p]!;
      if ((b === EQUALS || (b === COLON && p > start && buf[p - 1] === QUOTE)) && slotCount < MAX_SLOTS - 1) {
        let v = p + 1;
        if (b === COLON && v < end && buf[v] === SPACE) v++;
        if (v < end && wordValue(v, end)) {
          addSlot(literal, KIND_WORD, valueStart, valueEnd, valueHash);
          literal = p = valueEnd;
          continue;
        }
      }
      p++;
      continue;
    }
    const wordStart = p;
    let classes = 0;
    do {
      classes |= cls;
      p++;
    } while (p < end && (cls = BYTE_CLASS[buf[p]!]!) !== 0);
    if ((classes & DIGIT) === 0) continue;
    const len = p - wordStart;
    let kind = KIND_STR;
    let varStart = wordStart;
    let varEnd = p;
    if (classes === DIGIT) {
      if (len <= MAX_INT_DIGITS && (len === 1 || buf[wordStart] !== 0x30)) kind = KIND_INT;
      else if ((len & 1) === 0) kind = KIND_HEX;
    } else if ((classes & LETTER) === 0) {
      if ((len & 1) === 0) kind = KIND_HEX;
    } else {
      // Letters around one run of digits: the run is an INT when it is one.
      let q = wordStart;
      while (BYTE_CLASS[buf[q]!] !== DIGIT) q++;
      let r = q;
      while (r < p && BYTE_CLASS[buf[r]!] === DIGIT) r++;
      let more = r;
      while (more < p && BYTE_CLASS[buf[more]!] !== DIGIT) more++;
      if (more === p && r - q <= MAX_INT_DIGITS && (r - q === 1 || buf[q] !== 0x30)) {
        kind = KIND_INT;
        varStart = q;
        varEnd = r;
      }
    }
    if (slotCount === MAX_SLOTS - 1) {
      kind = KIND_STR;
      varStart = wordStart;
      varEnd = end;
      p = end;
    }
    addSlot(literal, kind, varStart, varEnd, 0);
    literal = varEnd;
  }
  writePiece(literal, end);
}

/**
 * The columns of the slots of new template t, from its bytes sigBuf[0, sigPos): each slot is keyed
 * by its kind and its name, the last word of the piece before it (or, without one, the previous
 * slot's key), so that a field keeps its column across the templates of a chunk.
 */
function assignColumns(t: number): void {
  if (templateColumnStarts.length < t + 2) templateColumnStarts = grow(templateColumnStarts);
  const first = templateColumnStarts[t]!;
  while (templateColumns.length < first + slotCount) templateColumns = grow(templateColumns);
  let prevKey = FIRST_NAME;
  let pos = 0;
  for (let k = 0; ; k++) {
    let length = 0;
    for (let shift = 0; ; shift += 7) {
      const b = sigBuf[pos++]!;
      length += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) break;
    }
    const pieceStart = pos;
    pos += length;
    if (k === slotCount) break;
    let nameEnd = pos;
    while (nameEnd > pieceStart && (CLASSES[sigBuf[nameEnd - 1]!] === 0 || CLASSES[sigBuf[nameEnd - 1]!] === DIGIT)) nameEnd--;
    let nameStart = nameEnd;
    while (nameStart > pieceStart && CLASSES[sigBuf[nameStart - 1]!] !== 0) nameStart--;
    const kind = sigBuf[pos++]!;
    if (kind === KIND_HEX) while (sigBuf[pos++]! >= 0x80);
    let name = FNV_OFFSET;
    if (nameEnd > nameStart) for (let q = nameStart; q < nameEnd; q++) name = Math.imul(name ^ sigBuf[q]!, FNV_PRIME);
    else name = Math.imul(prevKey ^ 0x5bd1e995, FNV_PRIME);
    const key = (Math.imul(name | 1, 0x2c1b3c6d) ^ kind) | 0;
    templateColumns[first + k] = columnFor(key, kind);
    prevKey = key;
  }
  templateColumnStarts[t + 1] = first + slotCount;
}

/**
 * Known templates as a trie, so most lines are matched against them instead of tokenised: a node
 * is a point after a slot (node 0: the line start); an edge is the piece that follows and the
 * next slot's kind (or END, the last piece). Matching compares pieces four bytes at a time and
 * only reads the slot values byte by byte. It accepts exactly the values the tokeniser makes
 * (see readSlot), so a matched line takes the template tokenising would give it; when nothing
 * matches (a new template, or a value the rules reject) the line is tokenised.
 */
const END = 0xff;
/**
 * Edges packed EDGE_WORDS to a record: next sibling, piece start and length (in templatesBuf),
 * kind, hex bytes, target (the node the edge leads to, or for an END edge the template).
 */
const EDGE_WORDS = 6;
const E_NEXT = 0;
const E_PIECE = 1;
const E_LENGTH = 2;
const E_KIND = 3;
const E_HEX = 4;
const E_TARGET = 5;
let nodeFirstEdge = new Int32Array(256);
let nodeCount = 0;
let edges = new Int32Array(256 * EDGE_WORDS);
let edgeCount = 0;

function resetTrie(): void {
  nodeCount = 1;
  nodeFirstEdge[0] = -1;
  edgeCount = 0;
}

/** Follows or adds the edge (piece, kind, hexBytes) from node; returns its target. */
function trieEdge(node: number, pieceStart: number, pieceLength: number, kind: number, hexBytes: number, template: number): number {
  let last = -1;
  for (let e = nodeFirstEdge[node]!; e >= 0; e = edges[e + E_NEXT]!) {
    if (
      edges[e + E_KIND] === kind &&
      edges[e + E_HEX] === hexBytes &&
      edges[e + E_LENGTH] === pieceLength &&
      sameBytes(templatesView, edges[e + E_PIECE]!, templatesView, pieceStart, pieceLength)
    ) {
      return edges[e + E_TARGET]!;
    }
    last = e;
  }
  const e = edgeCount++ * EDGE_WORDS;
  if (e + EDGE_WORDS > edges.length) edges = grow(edges);
  let target = template;
  if (kind !== END) {
    target = nodeCount++;
    if (target === nodeFirstEdge.length) nodeFirstEdge = grow(nodeFirstEdge);
    nodeFirstEdge[target] = -1;
  }
  // Appended last, so earlier (usually more used) edges are tried first.
  if (last < 0) nodeFirstEdge[node] = e;
  else edges[last + E_NEXT] = e;
  edges[e + E_NEXT] = -1;
  edges[e + E_PIECE] = pieceStart;
  edges[e + E_LENGTH] = pieceLength;
  edges[e + E_KIND] = kind;
  edges[e + E_HEX] = hexBytes;
  edges[e + E_TARGET] = target;
  return target;
}

/** Adds template t (templatesBuf[templateStarts[t], templateStarts[t+1])) to the trie. */
function trieInsert(t: number): void {
  const end = templateStarts[t + 1]!;
  let pos = templateStarts[t]!;
  let node = 0;
  for (;;) {
    let length = 0;
    for (let shift = 0; ; shift += 7) {
      const b = templatesBuf[pos++]!;
      length += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) break;
    }
    const pieceStart = pos;
    pos += length;
    if (pos === end) {
      trieEdge(node, pieceStart, length, END, 0, t);
      return;
    }
    const kind = templatesBuf[pos++]!;
    let hexBytes = 0;
    if (kind === KIND_HEX) {
      for (let shift = 0; ; shift += 7) {
        const b = templatesBuf[pos++]!;
        hexBytes += (b & 0x7f) * 2 ** shift;
        if (b < 0x80) break;
      }
    }
    node = trieEdge(node, pieceStart, length, kind, hexBytes, -1);
  }
}

/** Where readSlot found the value: its end, its INT value or WORD hash. */
let slotEnd = 0;
let slotNumber = 0;
let slotHash = 0;

/**
 * Reads a value of `kind` at q of a line ending at end, by the tokeniser's rules: an INT is a
 * digit run (1–15 digits, no leading zero) that no word byte follows unless the template says so
 * (the next piece starts with it); HEX is exactly `hexBytes` pairs of 0-9a-f; a WORD is a field
 * value (quoted when a quote precedes it) without digits; a STR is a word with a digit.
 */
function readSlot(kind: number, hexBytes: number, q: number, start: number, end: number): boolean {
  const BYTE_CLASS = CLASSES;
  const buf = lines;
  if (kind === KIND_INT) {
    const stop = Math.min(end, q + MAX_INT_DIGITS + 1);
    let v = 0;
    let r = q;
    for (let d = buf[r]! - 0x30; r < stop && d >= 0 && d <= 9; d = buf[++r]! - 0x30) v = v * 10 + d;
    const digits = r - q;
    if (digits === 0 || digits > MAX_INT_DIGITS || (digits > 1 && buf[q] === 0x30)) return false;
    slotEnd = r;
    slotNumber = v;
    return true;
  }
  if (kind === KIND_HEX) {
    const r = q + 2 * hexBytes;
    if (r > end) return false;
    for (let p = q; p < r; p++) if ((BYTE_CLASS[buf[p]!]! & (DIGIT | HEX_LETTER)) === 0) return false;
    slotEnd = r;
    return true;
  }
  if (kind === KIND_WORD) {
    if (q >= end) return false;
    if (q > start && buf[q - 1] === QUOTE) {
      if (!wordValue(q - 1, end)) return false;
    } else if (!wordValue(q, end)) {
      return false;
    }
    slotEnd = valueEnd;
    slotHash = valueHash;
    return true;
  }
  let r = q;
  let classes = 0;
  while (r < end && BYTE_CLASS[buf[r]!] !== 0) classes |= BYTE_CLASS[buf[r++]!]!;
  if ((classes & DIGIT) === 0) return false;
  slotEnd = r;
  return true;
}

/**
 * Whether lines[pos, pos+length) equals the piece at templatesBuf[piece, piece+length), compared
 * four bytes at a time; the last word overlaps the one before instead of a byte loop.
 */
function samePiece(pos: number, piece: number, length: number): boolean {
  if (length >= 4) {
    const last = length - 4;
    for (let k = 0; k < last; k += 4) if (linesView.getUint32(pos + k, true) !== templatesView.getUint32(piece + k, true)) return false;
    return linesView.getUint32(pos + last, true) === templatesView.getUint32(piece + last, true);
  }
  for (let k = 0; k < length; k++) if (lines[pos + k] !== templatesBuf[piece + k]) return false;
  return true;
}

/** The template of line [start, end) found in the trie, -1 when none matches. */
function matchTemplate(start: number, end: number): number {
  const edgeData = edges;
  let node = 0;
  let pos = start;
  slotCount = 0;
  for (;;) {
    let next = -1;
    for (let e = nodeFirstEdge[node]!; e >= 0; e = edgeData[e + E_NEXT]!) {
      const length = edgeData[e + E_LENGTH]!;
      const kind = edgeData[e + E_KIND]!;
      if (kind === END) {
        if (end - pos === length && samePiece(pos, edgeData[e + E_PIECE]!, length)) return edgeData[e + E_TARGET]!;
        continue;
      }
      const q = pos + length;
      if (q > end || !samePiece(pos, edgeData[e + E_PIECE]!, length)) continue;
      if (!readSlot(kind, edgeData[e + E_HEX]!, q, start, end)) continue;
      if (slotCount === MAX_SLOTS) return -1;
      const k = slotCount++;
      slotKinds[k] = kind;
      slotStarts[k] = q;
      slotEnds[k] = slotEnd;
      slotHashes[k] = slotHash;
      slotNumbers[k] = slotNumber;
      pos = slotEnd;
      next = edgeData[e + E_TARGET]!;
      break;
    }
    if (next < 0) return -1;
    node = next;
  }
}

/** FNV-1a over 32-bit words (then the last bytes) of view[start, end): a quarter of the steps. */
function hashBytes(view: DataView, start: number, end: number): number {
  let h = FNV_OFFSET;
  let p = start;
  for (; p + 4 <= end; p += 4) h = Math.imul(h ^ view.getUint32(p, true), FNV_PRIME);
  for (; p < end; p++) h = Math.imul(h ^ view.getUint8(p), FNV_PRIME);
  return h;
}

function sameBytes(a: DataView, aStart: number, b: DataView, bStart: number, length: number): boolean {
  let k = 0;
  for (; k + 4 <= length; k += 4) if (a.getUint32(aStart + k, true) !== b.getUint32(bStart + k, true)) return false;
  for (; k < length; k++) if (a.getUint8(aStart + k) !== b.getUint8(bStart + k)) return false;
  return true;
}

/** The index of the line's template (sigBuf[0, sigPos)), added when new. */
function templateOf(): number {
  const len = sigPos;
  const h = hashBytes(sigView, 0, len);
  const mask = templateTable.length - 1;
  for (let slot = (h >>> 0) & mask; ; slot = (slot + 1) & mask) {
    const t = templateTable[slot]! - 1;
    if (t < 0) break;
    const start = templateStarts[t]!;
    if (templateStarts[t + 1]! - start === len && sameBytes(sigView, 0, templatesView, start, len)) return t;
  }
  return addTemplate(h);
}

function addTemplate(hash: number): number {
  const t = templateCount++;
  if (templateStarts.length < t + 2) templateStarts = grow(templateStarts);
  if (templatesPos + sigPos > templatesBuf.length) {
    const next = Buffer.allocUnsafeSlow(Math.max(templatesBuf.length * 2, templatesPos + sigPos));
    templatesBuf.copy(next, 0, 0, templatesPos);
    templatesBuf = next;
    templatesView = viewOf(next);
  }
  templateStarts[t] = templatesPos;
  sigBuf.copy(templatesBuf, templatesPos, 0, sigPos);
  templatesPos += sigPos;
  templateStarts[t + 1] = templatesPos;
  assignColumns(t);
  trieInsert(t);
  if (templateCount * 2 > templateTable.length) rehashTemplates();
  else insertTemplate(t, hash);
  return t;
}

function insertTemplate(t: number, hash: number): void {
  const mask = templateTable.length - 1;
  let slot = (hash >>> 0) & mask;
  while (templateTable[slot] !== 0) slot = (slot + 1) & mask;
  templateTable[slot] = t + 1;
}

function rehashTemplates(): void {
  templateTable = new Int32Array(templateTable.length * 2);
  for (let t = 0; t < templateCount; t++) insertTemplate(t, hashBytes(templatesView, templateStarts[t]!, templateStarts[t + 1]!));
}

/**
 * The template section of lines `chunkLines[offsets[i] .. offsets[i+1])`, i < count (scratch
 * buffers, valid until the next call).
 */
export function encodeTemplates(chunkLines: Buffer, offsets: Uint32Array, count: number): TemplateSection {
  resetChunk(chunkLines, count);
  try {
    for (let i = 0; i < count; i++) {
      const start = offsets[i]!;
      const end = offsets[i + 1]!;
      let t = matchTemplate(start, end);
      if (t < 0) {
        tokenize(start, end);
        t = templateOf();
      }
      pushValues(t);
      templateIds[i] = t;
    }
    return assemble(count);
  } finally {
    // The module keeps no reference to the caller's lines between chunks.
    lines = Buffer.alloc(0);
    linesView = viewOf(lines);
    columns = [];
  }
}

/** Reads a varint of the template store at pos; returns its end. */
function skipUint(pos: number): number {
  while (templatesBuf[pos++]! >= 0x80);
  return pos;
}

/** Template t as the section stores it: its bytes with the column id after each slot's kind. */
function writeTemplate(t: number, out: ByteWriter): void {
  out.pos = 0;
  const end = templateStarts[t + 1]!;
  const columnIds = templateColumnStarts[t]!;
  let pos = templateStarts[t]!;
  for (let k = 0; ; k++) {
    let length = 0;
    const pieceAt = pos;
    for (let shift = 0; ; shift += 7) {
      const b = templatesBuf[pos++]!;
      length += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) break;
    }
    pos += length;
    out.bytes(templatesBuf.subarray(pieceAt, pos));
    if (pos === end) return;
    const slotAt = pos;
    pos = templatesBuf[pos] === KIND_HEX ? skipUint(pos + 1) : pos + 1;
    out.bytes(templatesBuf.subarray(slotAt, pos));
    out.uint(templateColumns[columnIds + k]!);
  }
}

/** Scratch of assemble, reused: the section is copied into the chunk body before the next chunk. */
const sectionOut = new ByteWriter(1 << 16);
const sectionData = new ByteWriter(1 << 16);
const sectionDescriptors = new ByteWriter(1024);
const sectionIds = new ByteWriter(4096);
const templateScratch = new ByteWriter(256);
let uses = new Int32Array(256);
let rank = new Int32Array(256);

/**
 * The template section, and where its parts of like bytes end (templates and column descriptors,
 * template ids, then each column's lengths or dictionary, its data, or each byte plane): the
 * compressor ends a zstd block at each, so each part gets entropy tables of its own.
 */
export interface TemplateSection {
  /** A view of a scratch buffer, valid until the next encodeTemplates call. */
  bytes: Buffer;
  /** Ascending ends of the parts; the last is bytes.length. */
  partEnds: Int32Array;
  /** Distinct templates of the lines. */
  templates: number;
}

let partEnds = new Int32Array(256);
let dataPartEnds = new Int32Array(256);
const section: TemplateSection = { bytes: Buffer.alloc(0), partEnds, templates: 0 };

/** Writes the section: templates by falling use, so the most used take one-byte ids. */
function assemble(count: number): TemplateSection {
  if (uses.length < templateCount) {
    uses = new Int32Array(templateCount * 2);
    rank = new Int32Array(templateCount * 2);
  }
  uses.fill(0, 0, templateCount);
  for (let i = 0; i < count; i++) uses[templateIds[i]!]!++;
  const order = Int32Array.from({ length: templateCount }, (_, t) => t).sort((a, b) => uses[b]! - uses[a]! || a - b);
  for (let r = 0; r < order.length; r++) rank[order[r]!] = r;

  const out = sectionOut;
  out.pos = 0;
  out.uint(templateCount);
  const template = templateScratch;
  for (const t of order) {
    writeTemplate(t, template);
    out.uint(template.pos);
    out.bytes(template.view());
  }
  const data = sectionData;
  data.pos = 0;
  const descriptors = sectionDescriptors;
  descriptors.pos = 0;
  descriptors.uint(columns.length);
  /** Part ends within data. */
  let dataParts = 0;
  const markPart = (end: number): void => {
    if (dataParts === dataPartEnds.length) dataPartEnds = grow(dataPartEnds);
    dataPartEnds[dataParts++] = end;
  };
  for (const col of columns) {
    if (col.kind === KIND_INT) {
      const before = data.pos;
      const width = writeInts(col, descriptors, data);
      for (let j = 1; j <= width; j++) markPart(before + j * col.count);
      continue;
    }
    descriptors.ensure(1);
    descriptors.buf[descriptors.pos++] = col.kind;
    if (col.kind === KIND_WORD) descriptors.uint(col.words);
    if (col.kind !== KIND_HEX) descriptors.uint(col.lengths.pos);
    descriptors.uint(col.data.pos);
    data.bytes(col.lengths.view());
    markPart(data.pos);
    data.bytes(col.data.view());
    markPart(data.pos);
  }
  out.bytes(descriptors.view());
  const ids = sectionIds;
  ids.pos = 0;
  for (let i = 0; i < count; i++) ids.uint(rank[templateIds[i]!]!);
  out.uint(ids.pos);
  let parts = 0;
  const addPart = (end: number): void => {
    if (parts === partEnds.length) partEnds = grow(partEnds);
    if (parts === 0 || end > partEnds[parts - 1]!) partEnds[parts++] = end;
  };
  addPart(out.pos);
  out.bytes(ids.view());
  addPart(out.pos);
  const dataStart = out.pos;
  out.bytes(data.view());
  for (let k = 0; k < dataParts; k++) addPart(dataStart + dataPartEnds[k]!);
  addPart(out.pos);
  section.bytes = out.view();
  section.partEnds = partEnds.subarray(0, parts);
  section.templates = templateCount;
  return section;
}
