// Log level detection, in Grafana's level vocabulary (critical, error, warning, info, debug, trace, unknown).

const LEVEL_LABELS = ['detected_level', 'level', 'severity', 'severity_text', 'lvl', 'loglevel', 'log_level'];

const ALIASES: Record<string, string> = {
  emerg: 'critical', emergency: 'critical', alert: 'critical', crit: 'critical', critical: 'critical', fatal: 'critical', panic: 'critical',
  err: 'error', error: 'error', eror: 'error',
  warn: 'warning', warning: 'warning',
  info: 'info', information: 'info', informational: 'info', notice: 'info',
  debug: 'debug', dbug: 'debug',
  trace: 'trace',
};

/** Maps any spelling of a level (`ERR`, `Warning`, `notice`) to Grafana's names; `unknown` if none fits. */
export function normalizeLevel(value: string): string {
  return ALIASES[value.trim().toLowerCase()] ?? 'unknown';
}

// `level=error`, `"level":"error"`, `lvl: warn` … near the start of a line; only the common keys.
const LINE_LEVEL = /\b(?:level|lvl|severity|loglevel)"?\s*[:=]\s*"?([A-Za-z]+)/i;

/** Level of one entry: from its labels first, else sniffed from a logfmt/JSON-looking line. */
export function detectLevel(labels: Record<string, string>, line: string): string {
  for (const key of LEVEL_LABELS) {
    const v = labels[key];
    if (v !== undefined && v !== '') return normalizeLevel(v);
  }
  const m = LINE_LEVEL.exec(line.length > 512 ? line.slice(0, 512) : line);
  return m ? normalizeLevel(m[1]!) : 'unknown';
}
