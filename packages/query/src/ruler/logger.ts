/** The slice of pino's API the ruler logs through (pino loggers satisfy it). */
export interface RulerLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const silentLogger: RulerLogger = { info() {}, warn() {}, error() {} };
