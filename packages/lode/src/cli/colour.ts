/**
 * ANSI colours for TTY output. Off when stdout is not a terminal or NO_COLOR is set
 * (https://no-color.org), so pipes and files get plain text.
 */
const PALETTE = [31, 32, 33, 34, 35, 36, 91, 92, 93, 94, 95, 96];

export function useColour(stream: NodeJS.WriteStream = process.stdout): boolean {
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true;
}

/** The same label set always gets the same colour, so streams are easy to tell apart. */
export function colourFor(key: string): number {
  let h = 2166136261;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619);
  return PALETTE[(h >>> 0) % PALETTE.length]!;
}

export function paint(text: string, code: number): string {
  return `\x1b[${code}m${text}\x1b[0m`;
}

export const dim = (text: string) => paint(text, 2);
