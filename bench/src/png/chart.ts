/**
 * A horizontal bar chart of figures as a percentage of their targets, grouped per benchmark:
 * one row per figure (label, bar, value text), a marked 100% line, green bars for targets met,
 * red for missed, and no bar for figures without a target. Returns PNG bytes.
 */
import { Raster, type Rgb } from './raster.js';

export interface ChartBar {
  label: string;
  /** The figure as a percentage of its target (100 = exactly on target, higher = better); undefined: no target. */
  percent: number | undefined;
  /** Printed in the value column, e.g. "612,000/s (≥ 400,000)". */
  valueText: string;
}

export interface ChartGroup {
  title: string;
  bars: ChartBar[];
}

export interface ChartSpec {
  title: string;
  subtitle: string;
  groups: ChartGroup[];
}

const INK: Rgb = [33, 37, 41];
const MUTED: Rgb = [108, 117, 125];
const GRID: Rgb = [222, 226, 230];
const MET: Rgb = [46, 160, 67];
const MISSED: Rgb = [207, 34, 46];
const TARGET_LINE: Rgb = [33, 37, 41];

const S = 2; // text scale for labels
const MARGIN = 24;
const ROW = 30;
const BAR_H = 18;
const BAR_W = 520;
const GAP = 16;
const MAX_LABEL_CHARS = 48;
const MAX_VALUE_CHARS = 40;

function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}~`;
}

/** The axis end: at least 200%, rounded up to 100%, and at most 400% (longer bars are cut and marked). */
function axisMax(groups: ChartGroup[]): number {
  let max = 200;
  for (const g of groups) for (const b of g.bars) if (b.percent !== undefined && Number.isFinite(b.percent)) max = Math.max(max, b.percent);
  return Math.min(400, Math.ceil(max / 100) * 100);
}

export function renderChart(spec: ChartSpec): Buffer {
  const lineH = Raster.textHeight(S);
  const labels = spec.groups.flatMap((g) => g.bars.map((b) => clip(b.label, MAX_LABEL_CHARS)));
  const values = spec.groups.flatMap((g) => g.bars.map((b) => clip(b.valueText, MAX_VALUE_CHARS)));
  const labelW = Math.max(Raster.textWidth('M'.repeat(16), S), ...labels.map((l) => Raster.textWidth(l, S)));
  const valueW = Math.max(Raster.textWidth('M'.repeat(12), S), ...values.map((v) => Raster.textWidth(v, S)));
  const barX = MARGIN + 12 + labelW + GAP;
  const valueX = barX + BAR_W + GAP;
  const width = Math.max(valueX + valueW + MARGIN, MARGIN * 2 + Raster.textWidth(spec.title, 3), MARGIN * 2 + Raster.textWidth(spec.subtitle, S));
  const headerH = MARGIN + Raster.textHeight(3) + 8 + lineH + 12 + lineH + 16;
  const rows = spec.groups.reduce((n, g) => n + 1 + Math.max(1, g.bars.length), 0);
  const axisH = lineH + 12;
  const height = headerH + rows * ROW + axisH + MARGIN;
  const img = new Raster(width, height);

  let y = MARGIN;
  img.text(MARGIN, y, spec.title, INK, 3);
  img.text(MARGIN + 1, y, spec.title, INK, 3);
  y += Raster.textHeight(3) + 8;
  img.text(MARGIN, y, spec.subtitle, MUTED, S);
  y += lineH + 12;
  // Legend.
  let lx = MARGIN;
  for (const [color, text] of [[MET, 'target met'], [MISSED, 'target missed']] as const) {
    img.fillRect(lx, y + 2, 14, 14, color);
    lx += 22 + img.text(lx + 22, y, text, INK, S) + 28;
  }
  img.fillRect(lx, y - 2, 3, lineH + 4, TARGET_LINE);
  img.text(lx + 10, y, '= 100% of target; for "at most" targets the bar is target / figure', INK, S);
  y += lineH + 16;

  const max = axisMax(spec.groups);
  const xOf = (pct: number) => barX + (Math.min(pct, max) / max) * BAR_W;
  const plotTop = y;
  const plotBottom = headerH + rows * ROW;
  // Grid every 50%, drawn first so bars sit on top.
  for (let p = 0; p <= max; p += 50) img.fillRect(xOf(p), plotTop, 1, plotBottom - plotTop, GRID);

  for (const group of spec.groups) {
    img.text(MARGIN, y + (ROW - lineH) / 2, group.title, INK, S);
    img.text(MARGIN + 1, y + (ROW - lineH) / 2, group.title, INK, S);
    y += ROW;
    if (group.bars.length === 0) {
      img.text(MARGIN + 12, y + (ROW - lineH) / 2, 'no figures (benchmark missing or failed)', MISSED, S);
      y += ROW;
      continue;
    }
    for (const bar of group.bars) {
      const textY = y + (ROW - lineH) / 2;
      img.text(MARGIN + 12, textY, clip(bar.label, MAX_LABEL_CHARS), INK, S);
      if (bar.percent !== undefined && Number.isFinite(bar.percent)) {
        const color = bar.percent >= 100 ? MET : MISSED;
        const end = xOf(Math.max(0, bar.percent));
        img.fillRect(barX, y + (ROW - BAR_H) / 2, Math.max(2, end - barX), BAR_H, color);
        if (bar.percent > max) img.text(barX + BAR_W - Raster.textWidth('>>', S) - 4, textY, '>>', [255, 255, 255], S);
      } else {
        img.text(barX + 4, textY, 'no target', MUTED, S);
      }
      img.text(valueX, textY, clip(bar.valueText, MAX_VALUE_CHARS), INK, S);
      y += ROW;
    }
  }
  // The 100% line over the bars, then the axis labels.
  img.fillRect(xOf(100) - 1, plotTop, 3, plotBottom - plotTop, TARGET_LINE);
  img.fillRect(barX, plotBottom, BAR_W + 1, 1, MUTED);
  for (let p = 0; p <= max; p += 100) {
    const label = `${p}%`;
    img.text(xOf(p) - Raster.textWidth(label, S) / 2, plotBottom + 6, label, MUTED, S);
  }
  return img.toPng();
}
