/** A measured figure, optionally with the target for it. */
export interface Target {
  /** '>=': the figure must reach the value; '<=': it must stay at or below it. */
  op: '>=' | '<=';
  value: number;
}

export interface Figure {
  name: string;
  value: number;
  /** Unit shown after numbers, e.g. "entries/s", "ms", ":1". */
  unit: string;
  target?: Target;
  /** Extra context printed beside the figure (e.g. p50 next to a p99). */
  detail?: string;
}

/** Percent of target, 100 = on target, higher = better (target ÷ figure for "at most" targets). */
export function percentOfTarget(f: Figure): number | undefined {
  if (!f.target) return undefined;
  if (f.target.op === '>=') return f.target.value === 0 ? Infinity : (100 * f.value) / f.target.value;
  return f.value <= 0 ? Infinity : (100 * f.target.value) / f.value;
}

export function met(f: Figure): boolean | undefined {
  if (!f.target) return undefined;
  return f.target.op === '>=' ? f.value >= f.target.value : f.value <= f.target.value;
}

export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const digits = Math.abs(n) >= 100 ? 0 : Math.abs(n) >= 10 ? 1 : 2;
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

function withUnit(n: number, unit: string): string {
  if (unit === ':1') return `${formatNumber(n)}:1`;
  if (unit === '%') return `${formatNumber(n)}%`;
  return `${formatNumber(n)} ${unit}`;
}

export function formatValue(f: Figure): string {
  return withUnit(f.value, f.unit);
}

export function formatTarget(f: Figure): string {
  return f.target ? `${f.target.op === '>=' ? '≥' : '≤'} ${withUnit(f.target.value, f.unit)}` : '—';
}
