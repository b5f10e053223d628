import assert from 'node:assert/strict';
import { test } from 'node:test';
import zlib from 'node:zlib';
import { renderChart } from './chart.js';
import { crc32, encodePng } from './encode.js';
import { Raster } from './raster.js';

interface Chunk {
  type: string;
  data: Buffer;
  crc: number;
  crcInput: Buffer;
}

/** Splits a PNG file into its chunks, checking the signature and that the chunks fill the file. */
function chunks(png: Buffer): Chunk[] {
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const out: Chunk[] = [];
  let at = 8;
  while (at < png.length) {
    const len = png.readUInt32BE(at);
    out.push({ type: png.toString('latin1', at + 4, at + 8), data: png.subarray(at + 8, at + 8 + len), crc: png.readUInt32BE(at + 8 + len), crcInput: png.subarray(at + 4, at + 8 + len) });
    at += 12 + len;
  }
  assert.equal(at, png.length);
  return out;
}

/** Decodes an 8-bit RGB, filter-0 PNG back to pixels (all this encoder writes). */
function decode(png: Buffer): { width: number; height: number; rgb: Buffer } {
  const cs = chunks(png);
  assert.deepEqual(cs.map((c) => c.type), ['IHDR', 'IDAT', 'IEND']);
  for (const c of cs) assert.equal(c.crc, zlib.crc32(c.crcInput), `${c.type} CRC`);
  const ihdr = cs[0]!.data;
  assert.equal(ihdr.length, 13);
  const width = ihdr.readUInt32BE(0);
  const height = ihdr.readUInt32BE(4);
  assert.deepEqual([...ihdr.subarray(8)], [8, 2, 0, 0, 0]);
  const raw = zlib.inflateSync(cs[1]!.data);
  assert.equal(raw.length, height * (1 + width * 3));
  const rgb = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    assert.equal(raw[y * (1 + width * 3)], 0, `row ${y} filter type`);
    raw.copy(rgb, y * width * 3, y * (1 + width * 3) + 1, (y + 1) * (1 + width * 3));
  }
  return { width, height, rgb };
}

test('crc32 matches node:zlib on the PNG check value and on random bytes', () => {
  assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
  const bytes = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 7919) & 0xff));
  assert.equal(crc32(bytes), zlib.crc32(bytes));
});

test('encodePng writes signature, IHDR, IDAT and IEND with valid CRCs, and the pixels round-trip', () => {
  const width = 3;
  const height = 2;
  const rgb = Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
  const png = encodePng(width, height, rgb);
  const back = decode(png);
  assert.equal(back.width, width);
  assert.equal(back.height, height);
  assert.deepEqual([...back.rgb], [...rgb]);
});

test('encodePng rejects bad dimensions and wrongly sized buffers', () => {
  assert.throws(() => encodePng(0, 1, new Uint8Array(0)), /positive integers/);
  assert.throws(() => encodePng(2.5, 1, new Uint8Array(6)), /positive integers/);
  assert.throws(() => encodePng(2, 2, new Uint8Array(11)), /must hold 12 bytes/);
});

test('Raster draws clipped rectangles and text in the given colour', () => {
  const r = new Raster(40, 20, [255, 255, 255]);
  r.fillRect(-5, -5, 10, 10, [1, 2, 3]);
  assert.deepEqual([...r.pixels.subarray(0, 3)], [1, 2, 3]);
  assert.deepEqual([...r.pixels.subarray(5 * 3, 5 * 3 + 3)], [255, 255, 255]);
  const w = r.text(10, 5, 'Hi', [9, 9, 9]);
  assert.equal(w, Raster.textWidth('Hi', 1));
  assert.equal(w, 11);
  // H's top-left pixel is ink; the column between the two letters is blank.
  assert.deepEqual([...r.pixels.subarray((5 * 40 + 10) * 3, (5 * 40 + 10) * 3 + 3)], [9, 9, 9]);
  assert.deepEqual([...r.pixels.subarray((5 * 40 + 15) * 3, (5 * 40 + 15) * 3 + 3)], [255, 255, 255]);
});

test('renderChart produces a decodable PNG with green and red bars', () => {
  const png = renderChart({
    title: 'test chart',
    subtitle: 'two groups',
    groups: [
      { title: 'store', bars: [{ label: 'met', percent: 150, valueText: '600 /s (≥ 400 /s)' }, { label: 'missed', percent: 50, valueText: '5:1 (≥ 10:1)' }] },
      { title: 'query', bars: [] },
      { title: 'other', bars: [{ label: 'no target', percent: undefined, valueText: '3 ms' }, { label: 'huge', percent: 1e6, valueText: '0.01%' }] },
    ],
  });
  const { width, height, rgb } = decode(png);
  assert.ok(width > 600 && height > 200, `size ${width}×${height}`);
  const has = (c: [number, number, number]) => {
    for (let i = 0; i < rgb.length; i += 3) if (rgb[i] === c[0] && rgb[i + 1] === c[1] && rgb[i + 2] === c[2]) return true;
    return false;
  };
  assert.ok(has([46, 160, 67]), 'a green (met) bar');
  assert.ok(has([207, 34, 46]), 'a red (missed) bar');
});
