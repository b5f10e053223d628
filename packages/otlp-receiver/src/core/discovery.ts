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
  return withLabel(labels, SERVICE_NAME, value);
}

/**
 * A copy of `labels` plus one more, built by assignment: `{ ...labels, [name]: value }` costs
 * ~3x as much (and slows what reads the copy). `__proto__`, which assignment would take for the
 * prototype, keeps the spread.
 */
function withLabel(labels: Labels, name: string, value: string): Labels {
  const out: Record<string, string> = {};
  for (const key of Object.keys(labels)) {
    if (key === '__proto__') return { ...labels, [name]: value };
    out[key] = labels[key]!;
  }
  out[name] = value;
  return out;
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
  else {
    const value = logfmtLevelValue(line);
    if (value !== undefined) return normalise(value) ?? levelFromKeywords(line);
  }
  return (m && normalise(m[1]!)) ?? levelFromKeywords(line);
}

/** Whether `c` is a character JavaScript's regexp `\s` matches. */
function isRegExpSpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0xa0) return false;
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/** Whether `line` has one of `names` at `k`, at a key boundary (start of line or after `\s`). */
function keyAt(line: string, k: number, names: readonly [string, string, string]): boolean {
  if (k < 0 || (k > 0 && !isRegExpSpace(line.charCodeAt(k - 1)))) return false;
  return line.startsWith(names[0], k) || line.startsWith(names[1], k) || line.startsWith(names[2], k);
}

const LEVEL_KEYS = ['level', 'LEVEL', 'Level'] as const;
const SEVERITY_KEYS = ['severity', 'SEVERITY', 'Severity'] as const;
const LVL_KEYS = ['lvl', 'LVL', 'Lvl'] as const;

/** Whether one of the level field names ends at `end` (the `=`), starting at a key boundary. */
function levelKeyEndsAt(line: string, end: number): boolean {
  const last = line.charCodeAt(end - 1) | 0x20;
  if (last === 0x6c) return keyAt(line, end - 5, LEVEL_KEYS) || keyAt(line, end - 3, LVL_KEYS); // l
  if (last === 0x79) return keyAt(line, end - 8, SEVERITY_KEYS); // y
  return false;
}

/**
 * The logfmt level value Loki's `(?:^|\s)(?:level|LEVEL|Level|severity|SEVERITY|Severity|lvl|LVL|Lvl)="?([^"\s]*)`
 * captures, found without a regexp match object per line (ingest runs this on every line without
 * a level): the first level key at a key boundary, then its value after an optional quote, up to a
 * quote or whitespace. Keys hold no `=`, so the first `=` that ends a level key is the leftmost match.
 */
export function logfmtLevelValue(line: string): string | undefined {
  for (let eq = line.indexOf('='); eq !== -1; eq = line.indexOf('=', eq + 1)) {
    if (!levelKeyEndsAt(line, eq)) continue;
    let start = eq + 1;
    if (line.charCodeAt(start) === 0x22) start++;
    let end = start;
    for (; end < line.length; end++) {
      const c = line.charCodeAt(end);
      if (c === 0x22 || isRegExpSpace(c)) break;
    }
    return line.slice(start, end);
  }
  return undefined;
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
