/**
 * Every scalar option of `lode serve`: its YAML key, flag, environment variable, type, default
 * and help. The same table drives parsing, `lode serve --help` and docs/configuration.md, so
 * they cannot drift apart. Structured options (api_keys, overrides, inputs, retention rules)
 * live only in YAML and are validated in `load.ts`.
 */
import { DEFAULT_LIMITS, type Limits } from '@lode/store';

export type OptionKind = 'string' | 'bool' | 'number' | 'duration' | 'bytes' | 'list' | 'listen' | readonly string[];

export interface OptionSpec {
  /** YAML key; `limits.<name>` for per-tenant limits. */
  key: string;
  kind: OptionKind;
  default: unknown;
  help: string;
}

export const SERVE_OPTIONS: readonly OptionSpec[] = [
  { key: 'config', kind: 'string', default: '', help: 'YAML configuration file (flags and LODE_* variables override it)' },
  { key: 'data', kind: 'string', default: './data', help: 'data directory (WAL, LMDB store, file-input offsets, rules)' },
  { key: 'http_listen', kind: 'listen', default: '0.0.0.0:3100', help: 'Loki API: push, query, OTLP /otlp/v1/logs, /metrics, /ready' },
  { key: 'otlp_http_listen', kind: 'listen', default: '0.0.0.0:4318', help: 'OTLP/HTTP logs receiver (POST /v1/logs); port 0 disables' },
  { key: 'otlp_grpc_listen', kind: 'listen', default: '0.0.0.0:4317', help: 'OTLP/gRPC logs receiver; port 0 disables' },
  { key: 'syslog_listen', kind: 'listen', default: '0.0.0.0:1514', help: 'syslog over UDP and TCP on the same port; port 0 disables' },
  { key: 'syslog_tls_listen', kind: 'listen', default: '0.0.0.0:6514', help: 'syslog over TLS (RFC 5425); only started when syslog_tls_cert is set' },
  { key: 'syslog_tls_cert', kind: 'string', default: '', help: 'PEM certificate file for the syslog TLS listener' },
  { key: 'syslog_tls_key', kind: 'string', default: '', help: 'PEM private key file for the syslog TLS listener' },
  { key: 'syslog_tenant', kind: 'string', default: 'fake', help: 'tenant that syslog messages are stored under' },
  { key: 'multi_tenant', kind: 'bool', default: false, help: 'require X-Scope-OrgID on every request (off: everything is tenant "fake")' },
  { key: 'durability', kind: ['fsync', 'batch', 'none'], default: 'fsync', help: 'fsync: ack after fdatasync; batch: ack at once, fsync every wal_batch_interval; none: never fsync' },
  { key: 'wal_batch_interval', kind: 'duration', default: '100ms', help: 'longest time between WAL syncs in batch durability' },
  { key: 'chunk_target_size', kind: 'bytes', default: '256KiB', help: 'raw size at which a stream\'s head block is cut into a chunk' },
  { key: 'chunk_max_age', kind: 'duration', default: '1h', help: 'a head block older than this is cut even if small' },
  { key: 'chunk_compression_level', kind: 'number', default: 1, help: 'zstd level of chunks (1 is fastest; with lines encoding 6 compresses ~12% better at half the speed, columnar chunks gain nothing from it)' },
  { key: 'chunk_encoding', kind: ['columnar', 'lines'], default: 'columnar', help: 'how chunks store lines: columnar (templates + columns of values, ~2× smaller than lines on typical logs, decodes ~2× slower) or lines (as they are); both stay readable' },
  { key: 'encode_workers', kind: 'number', default: 1, help: 'worker threads that compress chunks and build their content filters (0: on the main thread)' },
  { key: 'decode_workers', kind: 'number', default: 1, help: 'worker threads that decode chunks ahead of a query\'s scan, so decoding overlaps it (0: each chunk decoded on the main thread when the scan reaches it)' },
  { key: 'retention_max_disk_bytes', kind: 'bytes', default: '0', help: 'delete the oldest chunks past this store size (0: no size cap)' },
  { key: 'max_inflight_bytes', kind: 'bytes', default: '256MiB', help: 'ingest bodies being processed at once before answering 429/503 (backpressure)' },
  { key: 'avg_over_time_sharding', kind: ['loki-3.4', 'exact'], default: 'loki-3.4', help: 'grouped avg_over_time as Loki 3.4\'s sharding query frontend computes it (sum_over_time / count_over_time of the lines before unwrap, so lines without the unwrapped label count) or exact (the plain average, as newer Loki)' },
  { key: 'ruler_rules_dir', kind: 'string', default: '', help: 'operator rule files, <dir>/<tenant>/<namespace>.yaml, loaded at start (API-managed rules live under <data>/rules)' },
  { key: 'ruler_alertmanager_url', kind: 'list', default: [], help: 'Alertmanager base URLs (comma-separated) that receive alerts via POST /api/v2/alerts' },
  { key: 'ruler_webhook_url', kind: 'list', default: [], help: 'plain webhook URLs (comma-separated) that receive alert notifications as JSON' },
  { key: 'ruler_remote_write_url', kind: 'string', default: '', help: 'Prometheus remote-write endpoint for recording-rule samples (empty: store them in lode only)' },
  { key: 'ruler_evaluation_interval', kind: 'duration', default: '1m', help: 'evaluation interval of rule groups that set none' },
  { key: 'ruler_resend_delay', kind: 'duration', default: '1m', help: 'how often a still-firing alert is sent again' },
  { key: 'ruler_for_outage_tolerance', kind: 'duration', default: '1h', help: 'restore pending/firing alert state saved at most this long ago after a restart' },
  { key: 'ruler_for_grace_period', kind: 'duration', default: '10m', help: 'a restored pending alert fires no sooner than this after a restart; rules with a shorter `for` are not restored (Prometheus semantics)' },
  { key: 'ruler_external_url', kind: 'string', default: '', help: 'base URL put in alerts\' generatorURL (lode\'s or Grafana\'s address)' },
  { key: 'log_level', kind: ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], default: 'info', help: 'level of lode\'s own JSON log lines' },
];

/** How each limit's text form is parsed; everything in `Limits` must appear here. */
export const LIMIT_KINDS: Record<Exclude<keyof Limits, 'otlp_config'>, OptionKind> = {
  ingestion_rate_mb: 'number',
  ingestion_burst_size_mb: 'number',
  per_stream_rate_limit: 'bytes',
  per_stream_rate_limit_burst: 'bytes',
  max_line_size: 'bytes',
  max_line_size_truncate: 'bool',
  max_label_names_per_series: 'number',
  max_label_name_length: 'number',
  max_label_value_length: 'number',
  max_global_streams_per_user: 'number',
  reject_old_samples: 'bool',
  reject_old_samples_max_age: 'duration',
  creation_grace_period: 'duration',
  out_of_order_time_window: 'duration',
  discover_service_name: 'list',
  discover_log_levels: 'bool',
  allow_structured_metadata: 'bool',
  max_structured_metadata_size: 'bytes',
  max_structured_metadata_entries_count: 'number',
  max_entries_limit_per_query: 'number',
  max_query_series: 'number',
  max_query_length: 'duration',
  query_timeout: 'duration',
  split_queries_by_interval: 'duration',
  retention_period: 'duration',
};

export const LIMIT_OPTIONS: readonly OptionSpec[] = Object.entries(LIMIT_KINDS).map(([name, kind]) => ({
  key: `limits.${name}`,
  kind,
  default: DEFAULT_LIMITS[name as keyof typeof LIMIT_KINDS],
  help: `per-tenant limit (Loki limits_config.${name}); per tenant under overrides.<tenant>.${name}`,
}));

export function flagOf(key: string): string {
  return key.startsWith('limits.') ? `--${key}` : `--${key.replace(/_/g, '-')}`;
}

export function envOf(key: string): string {
  return `LODE_${key.replace(/\./g, '_').toUpperCase()}`;
}

const DURATION_UNITS: ReadonlyArray<[string, number]> = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
];
const BYTE_UNITS: ReadonlyArray<[string, number]> = [
  ['GiB', 1024 ** 3],
  ['MiB', 1024 ** 2],
  ['KiB', 1024],
];

/** Milliseconds in the form the option accepts (`7d`, `1h30m`, `250ms`). */
function formatDurationMs(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const [unit, size] of DURATION_UNITS) {
    if (rest >= size) {
      out += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  return rest ? `${out}${rest}ms` : out;
}

function formatBytes(n: number): string {
  for (const [unit, size] of BYTE_UNITS) if (n >= size && n % size === 0) return `${n / size}${unit}`;
  return String(n);
}

/** An option's default as a user would type it, for `--help` and docs/configuration.md. */
export function defaultText(spec: OptionSpec): string {
  const d = spec.default;
  if (Array.isArray(d)) return d.length ? d.join(',') : '(empty)';
  if (d === '' || d === undefined || d === null) return '(none)';
  if (typeof d === 'number' && spec.kind === 'duration') return formatDurationMs(d);
  if (typeof d === 'number' && spec.kind === 'bytes') return formatBytes(d);
  return String(d);
}
