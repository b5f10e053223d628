/**
 * Prometheus' `model.Duration` as rule files spell it (`1m`, `1h30m`, `500ms`, `0`): parsing with
 * Prometheus' error text and printing in its canonical form, so uploaded groups round-trip.
 */
const UNITS: readonly [string, number][] = [
  ['y', 365 * 24 * 3600_000],
  ['w', 7 * 24 * 3600_000],
  ['d', 24 * 3600_000],
  ['h', 3600_000],
  ['m', 60_000],
  ['s', 1000],
  ['ms', 1],
];

const DURATION = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

export class DurationError extends Error {}

/** Milliseconds of a Prometheus duration; throws DurationError with Prometheus' message. */
export function parseDuration(text: string): number {
  if (text === '0') return 0;
  const m = text === '' ? null : DURATION.exec(text);
  if (!m) throw new DurationError(`not a valid duration string: ${JSON.stringify(text)}`);
  let ms = 0;
  for (let i = 0; i < UNITS.length; i++) {
    const part = m[i + 1];
    if (part !== undefined) ms += Number(part) * (UNITS[i] as [string, number])[1];
  }
  if (!Number.isSafeInteger(ms)) throw new DurationError(`duration out of range: ${JSON.stringify(text)}`);
  return ms;
}

/** Prometheus' `model.Duration.String()`: largest units first, `0s` for zero. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const [unit, size] of UNITS) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}
