/**
 * Builds the `lode serve` configuration from, in increasing precedence: defaults, the YAML file,
 * `LODE_*` environment variables and command-line flags. Every error names the offending key
 * and where it came from, so a user can fix it without reading code.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { DEFAULT_LIMITS, type Limits } from '@lode/store';
import { LIMIT_KINDS, LIMIT_OPTIONS, SERVE_OPTIONS, envOf, flagOf, type OptionKind, type OptionSpec } from './options.js';
import {
  ConfigValueError,
  parseBool,
  parseBytes,
  parseDurationMs,
  parseList,
  parseListen,
  parseNumber,
  type ListenAddress,
} from './values.js';

export class ConfigError extends Error {}

export type ApiKeyRole = 'read' | 'write' | 'admin';
export interface ApiKeyConfig {
  key: string;
  tenant: string;
  role: ApiKeyRole;
}

export interface RetentionStreamRule {
  selector: string;
  period: number;
  tenant?: string;
}

export interface ServeConfig {
  config: string;
  data: string;
  http_listen: ListenAddress;
  otlp_http_listen: ListenAddress;
  otlp_grpc_listen: ListenAddress;
  syslog_listen: ListenAddress;
  syslog_tls_listen: ListenAddress;
  syslog_tls_cert: string;
  syslog_tls_key: string;
  syslog_tenant: string;
  syslog_labels: Record<string, string>;
  multi_tenant: boolean;
  durability: 'fsync' | 'batch' | 'none';
  wal_batch_interval: number;
  chunk_target_size: number;
  chunk_max_age: number;
  chunk_compression_level: number;
  chunk_encoding: 'columnar' | 'lines';
  encode_workers: number;
  decode_workers: number;
  retention_max_disk_bytes: number;
  retention_stream: RetentionStreamRule[];
  max_inflight_bytes: number;
  log_level: string;
  avg_over_time_sharding: 'loki-3.4' | 'exact';
  ruler_rules_dir: string;
  ruler_alertmanager_url: string[];
  ruler_webhook_url: string[];
  ruler_remote_write_url: string;
  ruler_evaluation_interval: number;
  ruler_resend_delay: number;
  ruler_for_outage_tolerance: number;
  ruler_for_grace_period: number;
  ruler_external_url: string;
  limits: Limits;
  overrides: Record<string, Partial<Limits>>;
  api_keys: ApiKeyConfig[];
  /** `inputs.files`, validated by the file-input receiver. */
  inputs: { files: unknown[] };
}

const STRUCTURED_KEYS = new Set(['limits', 'overrides', 'api_keys', 'inputs', 'syslog_labels', 'retention_stream']);

function convert(kind: OptionKind, value: unknown, where: string): unknown {
  if (typeof kind !== 'string') {
    if (typeof value !== 'string' || !kind.includes(value)) {
      throw new ConfigError(`${where}: "${String(value)}" is not one of ${kind.join(', ')}`);
    }
    return value;
  }
  if (kind === 'list' && Array.isArray(value)) return value.map(String);
  if (kind === 'bool' && typeof value === 'boolean') return value;
  if (kind === 'number' && typeof value === 'number') return value;
  if ((kind === 'bytes' || kind === 'duration') && typeof value === 'number') return kind === 'duration' ? value * 1000 : value;
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
    throw new ConfigError(`${where}: expected a ${kind}, got ${JSON.stringify(value)}`);
  }
  const text = String(value);
  try {
    switch (kind) {
      case 'string':
        return text;
      case 'bool':
        return parseBool(text);
      case 'number':
        return parseNumber(text);
      case 'duration':
        return parseDurationMs(text);
      case 'bytes':
        return parseBytes(text);
      case 'list':
        return parseList(text);
      case 'listen':
        return parseListen(text);
    }
  } catch (err) {
    if (err instanceof ConfigValueError) throw new ConfigError(`${where}: ${err.message}`);
    throw err;
  }
}

/** Applies `raw[key]` (text or YAML scalar) to `target` following `spec`. */
function applyOption(target: Record<string, unknown>, spec: OptionSpec, raw: unknown, where: string): void {
  const name = spec.key.startsWith('limits.') ? spec.key.slice('limits.'.length) : spec.key;
  const dest = spec.key.startsWith('limits.') ? (target.limits as Record<string, unknown>) : target;
  dest[name] = convert(spec.kind, raw, where);
}

interface ParsedFlags {
  values: Map<string, string>;
  help: boolean;
}

const ALL_OPTIONS = [...SERVE_OPTIONS, ...LIMIT_OPTIONS];
const BY_FLAG = new Map(ALL_OPTIONS.map((o) => [flagOf(o.key), o]));

/** `--flag=value`, `--flag value`, and bare boolean flags (`--multi-tenant`). */
function parseFlags(argv: readonly string[]): ParsedFlags {
  const values = new Map<string, string>();
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = eq >= 0 ? arg.slice(0, eq) : arg;
    const spec = BY_FLAG.get(flag);
    if (!spec) {
      throw new ConfigError(`unknown option ${flag}: run \`lode serve --help\` for the list`);
    }
    if (eq >= 0) values.set(spec.key, arg.slice(eq + 1));
    else if (spec.kind === 'bool' && (argv[i + 1] === undefined || argv[i + 1]!.startsWith('--'))) values.set(spec.key, 'true');
    else if (argv[i + 1] === undefined) throw new ConfigError(`option ${flag} needs a value`);
    else values.set(spec.key, argv[++i]!);
  }
  return { values, help };
}

function readYaml(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${path}: ${(err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`config file ${path} is not valid YAML: ${(err as Error).message}`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new ConfigError(`config file ${path} must be a YAML mapping of options`);
  return doc as Record<string, unknown>;
}

function applyLimitsMapping(target: Record<string, unknown>, raw: unknown, where: string): void {
  if (raw === null || raw === undefined) return;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(`${where} must be a mapping of limit names to values`);
  for (const [name, value] of Object.entries(raw)) {
    if (name === 'otlp_config') {
      target.otlp_config = parseOtlpConfig(value, `${where}.otlp_config`);
      continue;
    }
    const kind = LIMIT_KINDS[name as keyof typeof LIMIT_KINDS];
    if (!kind) throw new ConfigError(`${where}.${name} is not a known limit (see docs/configuration.md)`);
    target[name] = convert(kind, value, `${where}.${name}`);
  }
}

function stringList(value: unknown, where: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw new ConfigError(`${where} must be a list of strings`);
  return value as string[];
}

function parseOtlpConfig(raw: unknown, where: string): Limits['otlp_config'] {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError(`${where} must be a mapping`);
  const r = raw as Record<string, unknown>;
  for (const k of Object.keys(r)) {
    if (k !== 'index_label_resource_attributes' && k !== 'drop_attributes') {
      throw new ConfigError(`${where}.${k} is not known: use index_label_resource_attributes or drop_attributes`);
    }
  }
  return {
    index_label_resource_attributes:
      r.index_label_resource_attributes === undefined
        ? [...DEFAULT_LIMITS.otlp_config.index_label_resource_attributes]
        : stringList(r.index_label_resource_attributes, `${where}.index_label_resource_attributes`),
    drop_attributes: stringList(r.drop_attributes, `${where}.drop_attributes`),
  };
}

function parseApiKeys(raw: unknown): ApiKeyConfig[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new ConfigError('api_keys must be a list of {key, tenant, role}');
  return raw.map((item, i) => {
    const where = `api_keys[${i}]`;
    if (typeof item !== 'object' || item === null) throw new ConfigError(`${where} must be a mapping {key, tenant, role}`);
    const { key, tenant, role } = item as Record<string, unknown>;
    if (typeof key !== 'string' || key.length < 8) throw new ConfigError(`${where}.key must be a string of at least 8 characters`);
    if (typeof tenant !== 'string' || tenant === '') throw new ConfigError(`${where}.tenant must name a tenant`);
    if (role !== 'read' && role !== 'write' && role !== 'admin') throw new ConfigError(`${where}.role must be read, write or admin`);
    return { key, tenant, role };
  });
}

function parseRetentionStreams(raw: unknown): RetentionStreamRule[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new ConfigError('retention_stream must be a list of {selector, period, tenant?}');
  return raw.map((item, i) => {
    const where = `retention_stream[${i}]`;
    const r = (item ?? {}) as Record<string, unknown>;
    if (typeof r.selector !== 'string') throw new ConfigError(`${where}.selector must be a stream selector like {app="nginx"}`);
    const rule: RetentionStreamRule = { selector: r.selector, period: convert('duration', r.period, `${where}.period`) as number };
    if (r.tenant !== undefined) rule.tenant = String(r.tenant);
    return rule;
  });
}

function stringMap(raw: unknown, where: string): Record<string, string> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(`${where} must be a mapping of names to strings`);
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, String(v)]));
}

export interface LoadedConfig {
  config: ServeConfig;
  help: boolean;
}

export function loadServeConfig(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const flags = parseFlags(argv);
  const target: Record<string, unknown> = { limits: structuredClone(DEFAULT_LIMITS) };
  for (const spec of SERVE_OPTIONS) applyOption(target, spec, spec.default, `default of ${spec.key}`);

  const configPath = flags.values.get('config') ?? env[envOf('config')] ?? '';
  target.config = configPath;
  let yaml: Record<string, unknown> = {};
  if (configPath) {
    yaml = readYaml(configPath);
    for (const [key, value] of Object.entries(yaml)) {
      if (STRUCTURED_KEYS.has(key)) continue;
      const spec = SERVE_OPTIONS.find((o) => o.key === key);
      if (!spec || key === 'config') throw new ConfigError(`${configPath}: unknown key "${key}" (see docs/configuration.md)`);
      applyOption(target, spec, value, `${configPath}: ${key}`);
    }
    applyLimitsMapping(target.limits as Record<string, unknown>, yaml.limits, `${configPath}: limits`);
  }
  for (const spec of ALL_OPTIONS) {
    const value = env[envOf(spec.key)];
    if (value !== undefined && spec.key !== 'config') applyOption(target, spec, value, `environment ${envOf(spec.key)}`);
  }
  for (const [key, value] of flags.values) {
    if (key === 'config') continue;
    applyOption(target, ALL_OPTIONS.find((o) => o.key === key)!, value, `option ${flagOf(key)}`);
  }

  const overrides: Record<string, Partial<Limits>> = {};
  const rawOverrides = yaml.overrides;
  if (rawOverrides !== undefined && rawOverrides !== null) {
    if (typeof rawOverrides !== 'object' || Array.isArray(rawOverrides)) throw new ConfigError('overrides must map tenant names to limits');
    for (const [tenant, limits] of Object.entries(rawOverrides)) {
      const partial: Record<string, unknown> = {};
      applyLimitsMapping(partial, limits, `overrides.${tenant}`);
      overrides[tenant] = partial as Partial<Limits>;
    }
  }
  const inputs = (yaml.inputs ?? {}) as Record<string, unknown>;
  if (typeof inputs !== 'object' || (inputs.files !== undefined && !Array.isArray(inputs.files))) {
    throw new ConfigError('inputs.files must be a list of file inputs');
  }

  const config = {
    ...target,
    overrides,
    api_keys: parseApiKeys(yaml.api_keys),
    inputs: { files: (inputs.files as unknown[] | undefined) ?? [] },
    syslog_labels: stringMap(yaml.syslog_labels, 'syslog_labels'),
    retention_stream: parseRetentionStreams(yaml.retention_stream),
  } as ServeConfig;
  checkRanges(config);
  return { config, help: flags.help };
}

function checkInteger(value: number, key: string, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${key} must be a whole number from ${min} to ${max}, got ${value}`);
  }
}

/** Ranges the option table's types cannot express. */
function checkRanges(config: ServeConfig): void {
  checkInteger(config.chunk_compression_level, 'chunk_compression_level', 1, 19);
  checkInteger(config.encode_workers, 'encode_workers', 0, 64);
  checkInteger(config.decode_workers, 'decode_workers', 0, 64);
  if (config.chunk_target_size < 1024) throw new ConfigError(`chunk_target_size must be at least 1KiB, got ${config.chunk_target_size}`);
}

/** The limits of one tenant: global limits with its overrides on top. */
export function limitsResolver(config: ServeConfig): (tenant: string) => Readonly<Limits> {
  const cache = new Map<string, Readonly<Limits>>();
  return (tenant) => {
    let limits = cache.get(tenant);
    if (!limits) {
      limits = Object.freeze({ ...config.limits, ...config.overrides[tenant] });
      cache.set(tenant, limits);
    }
    return limits;
  };
}
