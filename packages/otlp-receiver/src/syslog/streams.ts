import type { Labels } from '@lode/store';
import { formatLabels } from '../core/labels.js';
import { syslogLabels } from './map.js';
import type { SyslogMessage } from './parse.js';

export interface SyslogStream {
  labels: Labels;
  /** `formatLabels(labels)`: the batcher's stream key. */
  key: string;
}

/** Distinct streams remembered; past this, new ones are built per message (still correct, just slower). */
const MAX_STREAMS = 100_000;

/**
 * The stream of a message, built once per distinct (facility, hostname, APP-NAME) and then shared:
 * a syslog source repeats a handful of streams, so per message this is three map lookups instead of
 * a label object and a rendered key. The lookups use the parsed fields themselves (no probe string).
 */
export class SyslogStreams {
  /** facility (-1: not syslog) → hostname ('' when absent) → APP-NAME ('' when absent). */
  private readonly byFacility = new Map<number, Map<string, Map<string, SyslogStream>>>();
  private size = 0;

  constructor(private readonly extraLabels: Labels) {}

  of(msg: SyslogMessage): SyslogStream {
    const facility = msg.syslog ? msg.facility! : -1;
    const hostname = msg.syslog ? (msg.hostname ?? '') : '';
    const app = msg.appName ?? '';
    let byHost = this.byFacility.get(facility);
    let byApp = byHost?.get(hostname);
    const known = byApp?.get(app);
    if (known) return known;
    const labels = syslogLabels(msg, this.extraLabels);
    const stream = { labels, key: formatLabels(labels) };
    if (this.size >= MAX_STREAMS) return stream;
    if (!byHost) this.byFacility.set(facility, (byHost = new Map()));
    if (!byApp) byHost.set(hostname, (byApp = new Map()));
    byApp.set(app, stream);
    this.size++;
    return stream;
  }
}
