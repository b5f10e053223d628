import type { Entry, Labels } from '@lode/store';
import { DETECTED_LEVEL, SERVICE_NAME, UNKNOWN_SERVICE } from '../core/discovery.js';
import type { SyslogMessage } from './parse.js';

const FACILITIES = ['kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'cron', 'authpriv', 'ftp', 'ntp', 'audit', 'alert', 'clock', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'];
const SEVERITIES = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];
const LEVELS = ['critical', 'critical', 'critical', 'error', 'warn', 'info', 'info', 'debug'];

/**
 * The metadata of a message with only a severity (no PROCID, MSGID or structured data), one frozen
 * object per severity shared by every such message: the store checks and encodes it once per push.
 */
const SEVERITY_ONLY: readonly Labels[] = SEVERITIES.map((severity, i) => Object.freeze({ severity, [DETECTED_LEVEL]: LEVELS[i]! }));
const NOT_SYSLOG: Labels = Object.freeze({ [DETECTED_LEVEL]: 'unknown' });

/** SD param names: `<sd-id>_<param>` with every character outside `[A-Za-z0-9_]` replaced by `_`. */
function sdName(id: string, param: string): string {
  return `${id}_${param}`.replace(/[^A-Za-z0-9_]/g, '_');
}

/** The stream labels of a message (API.md's syslog section): extra labels, service_name, hostname, facility. */
export function syslogLabels(msg: SyslogMessage, extraLabels: Labels): Record<string, string> {
  const labels: Record<string, string> = { ...extraLabels, [SERVICE_NAME]: msg.appName ?? UNKNOWN_SERVICE };
  if (!msg.syslog) return labels;
  if (msg.hostname) labels['hostname'] = msg.hostname;
  labels['facility'] = FACILITIES[msg.facility!] ?? String(msg.facility);
  return labels;
}

/** The entry of a message; `receivedMs` stands in for a missing timestamp. */
export function syslogEntry(msg: SyslogMessage, receivedMs: number): Entry {
  const ts = msg.timestamp ?? BigInt(receivedMs) * 1_000_000n;
  if (!msg.syslog) return { ts, line: msg.msg, metadata: NOT_SYSLOG };
  if (!msg.procId && !msg.msgId && msg.structuredData.length === 0) return { ts, line: msg.msg, metadata: SEVERITY_ONLY[msg.severity!]! };
  const metadata: Record<string, string> = {
    severity: SEVERITIES[msg.severity!]!,
    [DETECTED_LEVEL]: LEVELS[msg.severity!]!,
  };
  if (msg.procId) metadata['procid'] = msg.procId;
  if (msg.msgId) metadata['msgid'] = msg.msgId;
  for (const el of msg.structuredData) for (const [k, v] of el.params) metadata[sdName(el.id, k)] = v;
  return { ts, line: msg.msg, metadata };
}
