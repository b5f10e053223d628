/**
 * The columnar encoding (format version 3) must give back every line byte for byte: lines built to
 * hit each tokeniser rule and its edges, random lines from a token alphabet, and lines of random
 * bytes (through encodeColumns, which takes bytes, so invalid UTF-8 is covered too).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mulberry32 } from '../seeded-random.js';
import { decodeChunk, decodeChunkIndex, encodeChunk, encodeColumns, metadataSection, type ChunkColumns } from './index.js';
import { decodeTemplates } from './template-decode.js';
import { encodeTemplates } from './template-encode.js';

function asBytes(lines: (string | Uint8Array)[]): { bytes: Buffer[]; offsets: Uint32Array } {
  const bytes = lines.map((l) => (typeof l === 'string' ? Buffer.from(l, 'utf8') : Buffer.from(l)));
  const offsets = new Uint32Array(bytes.length + 1);
  for (let i = 0; i < bytes.length; i++) offsets[i + 1] = offsets[i]! + bytes[i]!.length;
  return { bytes, offsets };
}

/**
 * The template section alone, without the chunk's choice of plain lines when they are smaller:
 * random lines make many templates, and the section must round-trip them all the same.
 */
function sectionRoundTrip(lines: (string | Uint8Array)[]): void {
  const { bytes, offsets } = asBytes(lines);
  const all = Buffer.concat(bytes);
  const section = Buffer.from(encodeTemplates(all, offsets, bytes.length).bytes);
  assert.deepEqual(decodeTemplates(section, 0, section.length, offsets, bytes.length), all);
}

/** Encodes lines (strings or bytes) as a columnar chunk, decodes it and compares every byte. */
function roundTrip(lines: (string | Uint8Array)[], expectVersion?: number): Buffer {
  sectionRoundTrip(lines);
  const { bytes, offsets } = asBytes(lines);
  const columns: ChunkColumns = {
    ts: BigInt64Array.from(bytes, (_, i) => 1_700_000_000_000_000_000n + BigInt(i) * 1000n),
    lines: Buffer.concat(bytes),
    offsets,
    metadata: metadataSection(bytes.length, () => undefined),
  };
  const encoded = encodeColumns(columns, { encoding: 'columnar' });
  if (expectVersion !== undefined) assert.equal(encoded.data[2], expectVersion, `format version ${encoded.data[2]}`);
  const chunk = decodeChunk(encoded.data);
  assert.equal(chunk.length, bytes.length);
  const block = chunk.linesBlock();
  assert.deepEqual(block.bytes, Buffer.concat(bytes), 'the lines block');
  for (let i = 0; i < bytes.length; i++) {
    assert.deepEqual(chunk.lineBytes(i), bytes[i], `line ${i}: ${JSON.stringify(bytes[i]!.toString('latin1'))}`);
    assert.equal(block.offsets[i + 1], offsets[i + 1]);
  }
  assert.equal(decodeChunkIndex(encoded.data).linesBytes(0, bytes.length), offsets[bytes.length]);
  return encoded.data;
}

/** Each line repeated, so templates repeat and the trie matches lines against known templates. */
function twice(lines: string[]): string[] {
  return [...lines, ...lines, ...lines.map((l) => l)];
}

describe('columnar chunks (format version 3)', () => {
  it('round-trips numbers at the edges of the INT rule', () => {
    const values = [
      '0', '7', '00', '007', '010', '-5', '-0', '+3', '1.5', '0.05', '1e10', '1E-3', '12,345',
      '999999999999999', '1000000000000000', '123456789012345678901234567890', '4294967295', '4294967296',
      '2147483647', '2147483648', '9007199254740991', '9007199254740993', '100000000', '99999999', '10000',
    ];
    roundTrip(twice(values.flatMap((v) => [`n=${v}`, `took ${v}ms`, `x${v}y`, `${v}`, `{"n":${v}}`, `[${v}]`])), 3);
  });

  it('round-trips hex, mixed words and ids', () => {
    roundTrip(
      twice([
        'trace_id=0123456789abcdef span=deadbeef12',
        'trace_id=0123456789ABCDEF span=abc',
        'id=abc1 id=1abc id=a1b2c3 id=0x1f id=v1 id=v01 id=utf8 id=5xx id=1234ms id=ms1234 id=_1_',
        'uuid=550e8400-e29b-41d4-a716-446655440000 sha=3f9a2b1',
        'hex=00 hex=ff hex=0a0b hex=1234567890123456 hex=12345678901234567',
        'ip=10.0.0.1 ts=2024-01-02T03:04:05.123Z v=1.2.3-rc4',
      ]),
    );
  });

  it('round-trips field values: quoted, unquoted, empty, unbalanced, JSON with and without spaces', () => {
    roundTrip(
      twice([
        'level=info msg="request done" user=alice@example.com path=/a/b?x=y&z=w',
        'level= msg="" a==b c=d= e="unterminated',
        'msg="with \\"escaped\\" quotes" k="v"',
        '{"level":"warn","msg":"slow","ok":true,"n":null,"nested":{"a":"b"},"list":["x","y"]}',
        '{"level": "warn", "msg": "slow query", "ms": 12}',
        '"a":"b" ":" =x "=" :=:',
        'key="value with digits 123 inside" other="no digits"',
        'k=v;k2=v2,k3=v3)k4=v4]k5=v5}',
        '=start',
        'end=',
        'a="',
      ]),
    );
  });

  it('round-trips empty lines, delimiters only, control bytes and non-ASCII text', () => {
    roundTrip(
      twice([
        '',
        ' ',
        '   \t\t  ',
        '\u0011\u0012\u0013 1 \u0011 2 \u0000',
        '\u0000',
        'héllo wörld 42 — ☃ 𝄞 日本語のログ 7',
        'ключ=значение число=5',
        '🙂'.repeat(50) + ' 123 ' + '🙂',
        'line\nwith\r\nnewlines 5',
        'tab\tsep\t9',
      ]),
    );
  });

  it('round-trips lines with more slots than a template holds, and long lines', () => {
    const many = Array.from({ length: 150 }, (_, i) => `${i}`).join(' ');
    const manyKeys = Array.from({ length: 100 }, (_, i) => `k${i}=v${i}`).join(' ');
    const long = 'x'.repeat(70_000) + ' 12 ' + 'y'.repeat(300);
    roundTrip(twice([many, manyKeys, long, `${many} tail`, 'a 1 b 2']));
  });

  it('round-trips counters (delta coded), values near the INT limit and wide values', () => {
    const lines: string[] = [];
    for (let i = 0; i < 500; i++) {
      lines.push(`seq=${1_000_000 + i * 7} down=${1_000_000 - i * 3} big=${999_999_999_999_999 - i} small=${i % 3} mixed=${i % 2 ? 1 : 999_999_999_999_999}`);
    }
    roundTrip(lines, 3);
    roundTrip(
      Array.from({ length: 300 }, (_, i) => `t=${1_700_000_000_000 + i * 1000} n=${(i * 2654435761) % 2 ** 40}`),
    );
  });

  it('keeps the same bytes for every line of a template whichever value it carries', () => {
    // The trie matches these against the first line's template; each value must still pass its rule.
    const lines = ['a=1 b=x', 'a=01 b=x', 'a=1x b=x', 'a=1 b=x2', 'a=1 b="x"', 'a= b=x', 'a=1 b=x ', 'a=1234567890123456 b=x'];
    roundTrip([...lines, ...lines.reverse()]);
  });

  it('round-trips random lines from a token alphabet', () => {
    const rnd = mulberry32(1234);
    const tokens = [
      'level', 'info', 'msg', '=', '"', ':', '":', '": ', '{', '}', ',', ' ', ' ', ' ', '-', '.', '/', '_', 'x',
      'GET', 'é', '☃', '\u0011', '\\', '\t', '0', '7', '42', '007', '999999999999999', '1234567890123456',
      'deadbeef', 'ab12', 'a1', '1a', 'ff', 'F00D', 'ms',
    ];
    for (let round = 0; round < 30; round++) {
      const shapes = Array.from({ length: 1 + Math.floor(rnd() * 12) }, () =>
        Array.from({ length: Math.floor(rnd() * 14) }, () => tokens[Math.floor(rnd() * tokens.length)]!),
      );
      const lines = Array.from({ length: 200 }, () => {
        const shape = shapes[Math.floor(rnd() * shapes.length)]!;
        return shape.map((t) => (rnd() < 0.2 ? tokens[Math.floor(rnd() * tokens.length)]! : t)).join('');
      });
      roundTrip(lines);
    }
  });

  it('round-trips lines of random bytes, including invalid UTF-8', () => {
    const rnd = mulberry32(99);
    for (let round = 0; round < 20; round++) {
      const alphabet = Array.from({ length: 2 + Math.floor(rnd() * 40) }, () => Math.floor(rnd() * 256));
      alphabet.push(0x3d, 0x22, 0x3a, 0x20, 0x31, 0x61);
      const lines = Array.from({ length: 150 }, () =>
        Uint8Array.from({ length: Math.floor(rnd() * 60) }, () => alphabet[Math.floor(rnd() * alphabet.length)]!),
      );
      roundTrip(lines);
    }
  });

  it('writes lines that share little structure as plain lines (version 2)', () => {
    const rnd = mulberry32(5);
    const words = () => Array.from({ length: 6 }, () => Math.floor(rnd() * 1e9).toString(36).replace(/[0-9]/g, '')).join(' ');
    roundTrip(Array.from({ length: 400 }, words), 2);
  });

  it('is smaller than the lines encoding on structured logs', () => {
    const rnd = mulberry32(3);
    const hex = (n: number) => Array.from({ length: n }, () => '0123456789abcdef'[Math.floor(rnd() * 16)]).join('');
    const levels = ['info', 'warn', 'error', 'debug'];
    const entries = Array.from({ length: 2000 }, (_, i) => ({
      ts: BigInt(i) * 1_000_000n,
      line: `level=${levels[i % 4]} msg="request done" path=/api/v1/items/${Math.floor(rnd() * 5000)} status=${[200, 404, 500][i % 3]} duration_ms=${Math.floor(rnd() * 900)} trace_id=${hex(16)}`,
    }));
    const columnar = encodeChunk(entries, { encoding: 'columnar' }).data;
    const lines = encodeChunk(entries, { encoding: 'lines' }).data;
    assert.equal(columnar[2], 3);
    assert.ok(columnar.length * 1.3 < lines.length, `columnar ${columnar.length} bytes, lines ${lines.length}`);
    const chunk = decodeChunk(columnar);
    for (let i = 0; i < entries.length; i++) assert.equal(chunk.line(i), entries[i]!.line);
  });
});
