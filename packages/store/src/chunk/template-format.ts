/**
 * The template section of a format version 3 chunk body: the lines of the chunk split into
 * templates and variables (the "columnar" encoding, after YScope CLP). Generated logs repeat a
 * few shapes with random ids and numbers in them; plain zstd pays a match per random field, while
 * here the shapes are stored once per chunk and each field's values sit together in a column of
 * its own, numbers as byte planes, hex ids as bytes, field values as dictionary ids. The encoder
 * compresses the body as one zstd frame with a block per part (encode.ts), so each column (and
 * each byte plane) gets entropy tables of its own.
 *
 * Tokenising: a word is a run of ASCII letters, digits and '_'; every other byte (including '-',
 * '.', spaces and every byte >= 0x80) is a delimiter. A word without a digit is template text. A
 * word with a digit holds one variable (a "slot" of its template):
 *   - INT: all digits, no leading zero (or "0" itself), at most 15 digits;
 *   - HEX: only 0-9 and a-f, of even length: its bytes, two hex digits per byte;
 *   - INT inside a word: letters with one run of digits (`v1`, `worker7`, `1234ms`), when that
 *     run is an INT and some letter is not a hex digit: the letters stay template text;
 *   - STR: anything else with a digit (`007`, `0x1f`, `k3j4`): length and bytes.
 * Values of fields are variables too, so that a template is the shape of a line rather than each
 * combination of its field values: after `=` (logfmt) or `":` / `": ` (JSON), a quoted value
 * without digits (the bytes between the quotes, at least one) or an unquoted value starting with a
 * letter and running to a space, `,`, `;`, `&`, `"`, `)`, `]` or `}` without digits, is a
 * WORD: an id into its column's dictionary. Values with digits are tokenised as above.
 * A line stops at MAX_SLOTS slots: the last one is a STR holding the rest of the line.
 * Templates are stored as literal pieces and slot descriptions, never as text with placeholder
 * bytes, so any byte of a line (including every byte this section uses as a marker) round-trips.
 * Every slot writes at least one byte, which bounds the decoder's work by the lines' length.
 *
 * Columns: each slot names the column its values go to. The encoder keys columns by the slot's
 * kind and the last word before it ("status" for `status=200`, "seq" for `"seq":7`), so a field
 * keeps its column when templates differ in their other fields; the decoder only follows the ids.
 *
 * Layout (all numbers unsigned LEB128 varints unless said otherwise):
 *
 *   T                      template count
 *   T × template           its byte length, then piece 0 and per slot (u8 kind, [HEX: byte
 *                          length], column id, piece); a piece is a length and that many bytes
 *   C                      column count
 *   C × column             u8 kind | flags, then by kind:
 *                            INT: u8 byte width W (1..7), value count N
 *                            HEX: data length
 *                            STR: lengths length, data length
 *                            WORD: dictionary size D, dictionary length, ids length
 *   template id length     bytes of the template id column
 *   template ids           one varint per line, templates numbered by falling use
 *   column data            in column order:
 *                            INT: W planes of N bytes, plane j holding byte j (little endian)
 *                            of every value: zigzag deltas from the previous value of the
 *                            column (the first from 0) when FLAG_DELTA is set, else the values.
 *                            Planes compress better than varints: each is a zstd block with
 *                            its own statistics (high bytes are nearly constant).
 *                            HEX: the bytes; STR: varint lengths, then the bytes;
 *                            WORD: D × (length, bytes) (each at least one byte), then varint ids
 *
 * The section must end exactly where the column data ends.
 */

export const KIND_INT = 0;
export const KIND_HEX = 1;
export const KIND_STR = 2;
export const KIND_WORD = 3;
export const KIND_MASK = 0x0f;
/** INT column: values are zigzag deltas from the previous value of the column (the first from 0). */
export const FLAG_DELTA = 0x10;

export const MAX_SLOTS = 64;
/** At most this many digits make an INT: below 2^53, exact in a double. */
export const MAX_INT_DIGITS = 15;
export const MAX_INT = 999_999_999_999_999;
/** Bytes of the widest INT column value: a zigzag delta of two INTs is below 2^51. */
export const MAX_INT_WIDTH = 7;

/** Byte classes of the tokenizer. */
export const DIGIT = 1;
/** A letter outside a-f, or '_'. */
export const LETTER = 2;
/** a-f. */
export const HEX_LETTER = 4;

export const BYTE_CLASS = new Uint8Array(256);
for (let b = 0x30; b <= 0x39; b++) BYTE_CLASS[b] = DIGIT;
for (let b = 0x41; b <= 0x5a; b++) BYTE_CLASS[b] = LETTER;
for (let b = 0x61; b <= 0x7a; b++) BYTE_CLASS[b] = b <= 0x66 ? HEX_LETTER : LETTER;
BYTE_CLASS[0x5f] = LETTER;
