// Logs go to stderr as JSON lines in hclog's shape, which go-plugin (Grafana) parses and re-logs with levels.
type Level = 'debug' | 'info' | 'warn' | 'error';

export function log(level: Level, message: string, fields: Record<string, unknown> = {}): void {
  process.stderr.write(`${JSON.stringify({ '@level': level, '@message': message, '@timestamp': new Date().toISOString(), '@module': 'lode', ...fields })}\n`);
}
