/**
 * An RGB pixel buffer with the few drawing operations a bar chart needs: filled rectangles and
 * text in the bitmap font at an integer scale. Drawing outside the image is clipped.
 */
import { GLYPH_HEIGHT, GLYPH_WIDTH, glyph } from './font.js';
import { encodePng } from './encode.js';

export type Rgb = readonly [number, number, number];

/** Horizontal advance per character, in font pixels (glyph plus one column of spacing). */
const ADVANCE = GLYPH_WIDTH + 1;

export class Raster {
  readonly pixels: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
    background: Rgb = [255, 255, 255],
  ) {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) throw new Error(`raster size must be positive integers, got ${width}×${height}`);
    this.pixels = new Uint8Array(width * height * 3);
    this.fillRect(0, 0, width, height, background);
  }

  fillRect(x: number, y: number, w: number, h: number, color: Rgb): void {
    const x0 = Math.max(0, Math.round(x));
    const y0 = Math.max(0, Math.round(y));
    const x1 = Math.min(this.width, Math.round(x + w));
    const y1 = Math.min(this.height, Math.round(y + h));
    for (let py = y0; py < y1; py++) {
      for (let px = x0; px < x1; px++) {
        const i = (py * this.width + px) * 3;
        this.pixels[i] = color[0];
        this.pixels[i + 1] = color[1];
        this.pixels[i + 2] = color[2];
      }
    }
  }

  /** Width in pixels of `text` drawn at `scale` (no trailing spacing column). */
  static textWidth(text: string, scale: number): number {
    const n = [...text].length;
    return n === 0 ? 0 : (n * ADVANCE - 1) * scale;
  }

  /** Height of one text line at `scale`, descenders included. */
  static textHeight(scale: number): number {
    return GLYPH_HEIGHT * scale;
  }

  /** Draws `text` with its top-left corner at (x, y); returns the drawn width. */
  text(x: number, y: number, text: string, color: Rgb, scale = 1): number {
    let cx = Math.round(x);
    const top = Math.round(y);
    for (const ch of text) {
      const bits = glyph(ch);
      for (let gy = 0; gy < GLYPH_HEIGHT; gy++) {
        const row = bits[gy]!;
        if (row === 0) continue;
        for (let gx = 0; gx < GLYPH_WIDTH; gx++) {
          if (row & (1 << (GLYPH_WIDTH - 1 - gx))) this.fillRect(cx + gx * scale, top + gy * scale, scale, scale, color);
        }
      }
      cx += ADVANCE * scale;
    }
    return Raster.textWidth(text, scale);
  }

  toPng(): Buffer {
    return encodePng(this.width, this.height, this.pixels);
  }
}
