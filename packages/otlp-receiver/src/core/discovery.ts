import type { Labels } from '@lode/store';

export const SERVICE_NAME = 'service_name';
export const UNKNOWN_SERVICE = 'unknown_service';
export const DETECTED_LEVEL = 'detected_level';

/**
 * Loki's `service_name` discovery: when the stream has no `service_name`, copy the first label
 * of `candidates` that it has, else `unknown_service`. An empty candidate list disables it.
 * Returns the input object itself when nothing changes.
 */
export function withServiceName(labels: Labels, candidates: readonly string[]): Labels {
  if (candidates.length === 0 || labels[SERVICE_NAME] !== undefined) return labels;
  let value = UNKNOWN_SERVICE;
  for (const name of candidates) {
    const v = labels[name];
    if (v !== undefined && v !== '') {
      value = v;
      break;
    }
  }
  return { ...labels, [SERVICE_NAME]: value };
}

/** Loki's default level-carrying field names. */
const LEVEL_FIELDS = ['level', 'LEVEL', 'Level', 'severity', 'SEVERITY', 'Severity', 'lvl', 'LVL', 'Lvl'];

const LEVEL_FIELD_RANK = new Map(LEVEL_FIELDS.map((name, rank) => [name, rank]));

/**
 * A level from a label or metadata field, taken as-is (Loki does not normalise these); the first
 * of `LEVEL_FIELDS` wins. Walks the object's own keys (few, and they skip fast on their first
 * letter) rather than probing nine absent names, which is costly on objects of many shapes.
 */
export function levelFromFields(fields: Labels | undefined): string | undefined {
  if (!fields) return undefined;
  let found: string | undefined;
  let rank = LEVEL_FIELDS.length;
  for (const name in fields) {
    const c = name.charCodeAt(0) | 0x20;
    if (c !== 0x6c && c !== 0x73) continue; // l / L, s / S
    const r = LEVEL_FIELD_RANK.get(name);
    if (r !== undefined && r < rank && fields[name] !== undefined) {
      found = fields[name];
      rank = r;
    }
  }
  return found;
}

/** OTLP SeverityNumber ranges (logs data model): 1-4 trace, 5-8 debug, 9-12 info, 13-16 warn, 17-20 error, 21-24 fatal. */
export function levelFromSeverityNumber(text: string): string {
  const n = Number.parseInt(text, 10);
  if (!Number.isFinite(n)) return 'info';
  if (n <= 0) return 'unknown';
  if (n <= 4) return 'trace';
  if (n <= 8) return 'debug';
  if (n <= 12) return 'info';
  if (n <= 16) return 'warn';
  if (n <= 20) return 'error';
  if (n <= 24) return 'fatal';
  return 'unknown';
}

const JSON_LEVEL = /"(?:level|LEVEL|Level|severity|SEVERITY|Severity|lvl|LVL|Lvl)"\s*:\s*"?([^",}\s]*)/;
const LOGFMT_LEVEL = /(?:^|\s)(?:level|LEVEL|Level|severity|SEVERITY|Severity|lvl|LVL|Lvl)="?([^"\s]*)/;

function normalise(v: string): string | undefined {
  switch (v.toLowerCase()) {
    case 'trace':
    case 'trc':
      return 'trace';
    case 'debug':
    case 'dbg':
      return 'debug';
    case 'info':
    case 'inf':
      return 'info';
    case 'warn':
    case 'wrn':
    case 'warning':
      return 'warn';
    case 'error':
    case 'err':
      return 'error';
    case 'critical':
      return 'critical';
    case 'fatal':
      return 'fatal';
    default:
      return undefined;
  }
}

/** Loki's last resort: keywords anywhere in the line, in Loki's order of precedence. */
function levelFromKeywords(line: string): string {
  if (line.includes('info') || line.includes('INFO')) return 'info';
  if (line.includes('err:') || line.includes('ERR:') || line.includes('error') || line.includes('ERROR')) return 'error';
  if (line.includes('warn:') || line.includes('WARN:') || line.includes('warning') || line.includes('WARNING')) return 'warn';
  if (line.includes('CRITICAL:') || line.includes('critical:')) return 'critical';
  if (line.includes('debug:') || line.includes('DEBUG:')) return 'debug';
  return 'unknown';
}

const isSpace = (c: number): boolean => c === 0x20 || (c >= 0x09 && c <= 0x0d);

/** `{…}` after trimming whitespace, checked in place (no trimmed copy per line). */
function looksLikeJson(line: string): boolean {
  let i = 0;
  let j = line.length - 1;
  while (i <= j && isSpace(line.charCodeAt(i))) i++;
  while (j > i && isSpace(line.charCodeAt(j))) j--;
  return i < j && line.charCodeAt(i) === 0x7b && line.charCodeAt(j) === 0x7d;
}

/** The level of a line by sniffing a JSON or logfmt `level`-like field, then keywords (Loki's rules). */
export function levelFromLine(line: string): string {
  let m: RegExpExecArray | null = null;
  if (looksLikeJson(line)) m = JSON_LEVEL.exec(line);
  else if (line.includes('=')) m = LOGFMT_LEVEL.exec(line);
  return (m && normalise(m[1]!)) ?? levelFromKeywords(line);
}

/**
 * `detected_level` as Loki's distributor computes it: a level-like stream label, else a level-like
 * metadata field, else the OTLP severity number, else a sniff of the line.
 */
export function detectLevel(labels: Labels, metadata: Labels | undefined, line: string): string {
  return levelFromFields(labels) ?? entryLevel(metadata, line);
}

/** `detectLevel` for a stream whose labels are known to hold no level (checked once per stream). */
export function entryLevel(metadata: Labels | undefined, line: string): string {
  return metadataLevel(metadata) ?? levelFromLine(line);
}

/** The level an entry's metadata settles (a level-like field, else the OTLP severity number), if any. */
export function metadataLevel(metadata: Labels | undefined): string | undefined {
  const fromMetadata = levelFromFields(metadata);
  if (fromMetadata !== undefined) return fromMetadata;
  const severityNumber = metadata?.['severity_number'];
  if (severityNumber !== undefined && severityNumber !== '') return levelFromSeverityNumber(severityNumber);
  return undefined;
}
