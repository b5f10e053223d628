import type { Entry, Labels } from '@lode/store';
import { DETECTED_LEVEL, SERVICE_NAME, UNKNOWN_SERVICE } from '../core/discovery.js';
import type { SyslogMessage } from './parse.js';

const FACILITIES = ['kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'cron', 'authpriv', 'ftp', 'ntp', 'audit', 'alert', 'clock', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'];
const SEVERITIES = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];
const LEVELS = ['critical', 'critical', 'critical', 'error', 'warn', 'info', 'info', 'debug'];

export interface MappedSyslog {
  labels: Labels;
  entry: Entry;
}

/** SD param names: `<sd-id>_<param>` with every character outside `[A-Za-z0-9_]` replaced by `_`. */
function sdName(id: string, param: string): string {
  return `${id}_${param}`.replace(/[^A-Za-z0-9_]/g, '_');
}

/** Maps a parsed message to a stream and entry exactly as API.md's syslog section says. */
export function mapSyslog(msg: SyslogMessage, extraLabels: Labels, receivedNanos: bigint): MappedSyslog {
  const labels: Record<string, string> = { ...extraLabels, [SERVICE_NAME]: msg.appName ?? UNKNOWN_SERVICE };
  if (!msg.syslog) return { labels, entry: { ts: receivedNanos, line: msg.msg, metadata: { [DETECTED_LEVEL]: 'unknown' } } };
  if (msg.hostname) labels['hostname'] = msg.hostname;
  labels['facility'] = FACILITIES[msg.facility!] ?? String(msg.facility);
  const metadata: Record<string, string> = {
    severity: SEVERITIES[msg.severity!]!,
    [DETECTED_LEVEL]: LEVELS[msg.severity!]!,
  };
  if (msg.procId) metadata['procid'] = msg.procId;
  if (msg.msgId) metadata['msgid'] = msg.msgId;
  for (const el of msg.structuredData) for (const [k, v] of el.params) metadata[sdName(el.id, k)] = v;
  return { labels, entry: { ts: msg.timestamp ?? receivedNanos, line: msg.msg, metadata } };
}
