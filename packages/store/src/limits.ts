/**
 * Per-tenant limits with Loki's `limits_config` names and defaults, shared by ingest, the store
 * and the query engine. Keys keep Loki's snake_case names so YAML, `--limits.<name>` flags and
 * per-tenant `overrides` map onto them one to one. Durations are milliseconds, sizes bytes
 * (except the `_mb` rates, which are megabytes as in Loki).
 */
export interface OtlpAttributesConfig {
  /** Resource attributes that become index labels (OTLP names, before dots become `_`). */
  index_label_resource_attributes: string[];
  /** Attribute names (OTLP names) dropped entirely, at any level. */
  drop_attributes: string[];
}

export interface Limits {
  ingestion_rate_mb: number;
  ingestion_burst_size_mb: number;
  per_stream_rate_limit: number;
  per_stream_rate_limit_burst: number;
  max_line_size: number;
  max_line_size_truncate: boolean;
  max_label_names_per_series: number;
  max_label_name_length: number;
  max_label_value_length: number;
  max_global_streams_per_user: number;
  reject_old_samples: boolean;
  reject_old_samples_max_age: number;
  creation_grace_period: number;
  /** Accept entries up to this far behind the newest entry of their stream (Loki: max_chunk_age / 2). */
  out_of_order_time_window: number;
  discover_service_name: string[];
  discover_log_levels: boolean;
  allow_structured_metadata: boolean;
  max_structured_metadata_size: number;
  max_structured_metadata_entries_count: number;
  max_entries_limit_per_query: number;
  max_query_series: number;
  max_query_length: number;
  query_timeout: number;
  /**
   * Loki's query splitting interval, ms. Loki aligns a split range metric query's evaluation
   * times to multiples of its step; 0 (no splitting) evaluates at start + i·step as given.
   */
  split_queries_by_interval: number;
  /** 0 keeps data forever. */
  retention_period: number;
  otlp_config: OtlpAttributesConfig;
}

const MB = 1024 * 1024;
const SECOND = 1000;
const HOUR = 3600 * SECOND;

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  ingestion_rate_mb: 4,
  ingestion_burst_size_mb: 6,
  per_stream_rate_limit: 3 * MB,
  per_stream_rate_limit_burst: 15 * MB,
  max_line_size: 256 * 1024,
  max_line_size_truncate: false,
  max_label_names_per_series: 15,
  max_label_name_length: 1024,
  max_label_value_length: 2048,
  max_global_streams_per_user: 5000,
  reject_old_samples: true,
  reject_old_samples_max_age: 168 * HOUR,
  creation_grace_period: 10 * 60 * SECOND,
  out_of_order_time_window: HOUR,
  discover_service_name: [
    'service',
    'app',
    'application',
    'app_name',
    'name',
    'app_kubernetes_io_name',
    'container',
    'container_name',
    'k8s_container_name',
    'component',
    'workload',
    'job',
    'k8s_job_name',
  ],
  discover_log_levels: true,
  allow_structured_metadata: true,
  max_structured_metadata_size: 64 * 1024,
  max_structured_metadata_entries_count: 128,
  max_entries_limit_per_query: 5000,
  max_query_series: 500,
  max_query_length: 721 * HOUR,
  query_timeout: 60 * SECOND,
  split_queries_by_interval: HOUR,
  retention_period: 0,
  otlp_config: {
    index_label_resource_attributes: [
      'service.name',
      'service.namespace',
      'service.instance.id',
      'deployment.environment',
      'deployment.environment.name',
      'cloud.region',
      'cloud.availability_zone',
      'k8s.cluster.name',
      'k8s.namespace.name',
      'k8s.pod.name',
      'k8s.container.name',
      'container.name',
      'k8s.replicaset.name',
      'k8s.deployment.name',
      'k8s.statefulset.name',
      'k8s.daemonset.name',
      'k8s.cronjob.name',
      'k8s.job.name',
    ],
    drop_attributes: [],
  },
});

/** Resolves the limits of a tenant (defaults merged with its overrides). */
export type LimitsFor = (tenant: string) => Readonly<Limits>;
