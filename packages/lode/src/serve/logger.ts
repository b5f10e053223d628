/** lode's own log: JSON lines on stdout (pino), one `listening` line per bound listener. */
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'lode' }, timestamp: pino.stdTimeFunctions.isoTime });
}
