/** A cli-progress bar on stderr; silent when stderr is not a terminal or --json is asked for. */
import cliProgress from 'cli-progress';

export interface Progress {
  increment(n: number): void;
  stop(): void;
}

export function progressBar(total: number, unit: string, enabled: boolean): Progress {
  if (!enabled || !process.stderr.isTTY) return { increment: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    { format: `{bar} {percentage}% | {value}/{total} ${unit} | {rate}/s | eta {eta_formatted}`, stream: process.stderr, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  const started = Date.now();
  bar.start(total, 0, { rate: 0 });
  let done = 0;
  return {
    increment(n) {
      done += n;
      bar.increment(n, { rate: Math.round(done / Math.max(0.001, (Date.now() - started) / 1000)) });
    },
    stop: () => bar.stop(),
  };
}
