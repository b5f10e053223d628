/**
 * Label sets: Loki's validation rules and error texts, the canonical (sorted) form, and how a
 * label set is rendered as a selector (`{a="b", c="d"}`), which is also its identity key.
 */
import { createHash } from 'node:crypto';
import type { Labels } from './model.js';
import type { Limits } from './limits.js';
import { InvalidTenantError } from './errors.js';

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** A UTF-16 string with an unpaired surrogate cannot be encoded as UTF-8. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function isValidLabelName(name: string): boolean {
  return LABEL_NAME.test(name);
}

export function isValidUtf8(value: string): boolean {
  return !LONE_SURROGATE.test(value);
}

/** Names sorted, as every stored and rendered label set is. */
export function sortedNames(labels: Labels): string[] {
  return Object.keys(labels).sort();
}

/** A copy with keys in sorted order, frozen so it can be shared with readers. */
export function canonicalLabels(labels: Labels): Labels {
  const out: Record<string, string> = {};
  for (const name of sortedNames(labels)) out[name] = labels[name];
  return Object.freeze(out);
}

/** `{a="b", c="d"}` with sorted names, as Loki prints label sets (Go-quoted values). */
export function formatSelector(labels: Labels): string {
  const names = sortedNames(labels);
  let out = '{';
  for (let i = 0; i < names.length; i++) {
    if (i > 0) out += ', ';
    out += names[i] + '=' + JSON.stringify(labels[names[i]]);
  }
  return out + '}';
}

/**
 * Checks a stream's labels as Loki's distributor does and returns the error text, or undefined
 * when the set is valid. Texts follow Loki's `validation` package.
 */
export function labelsError(labels: Labels, limits: Readonly<Limits>): string | undefined {
  const names = Object.keys(labels);
  if (names.length === 0) return 'error at least one label pair is required per stream';
  // The selector is only rendered for an error text: valid streams (every append) skip the sort.
  if (names.length > limits.max_label_names_per_series) {
    return `entry for stream '${formatSelector(labels)}' has ${names.length} label names; limit ${limits.max_label_names_per_series}`;
  }
  for (const name of names) {
    const value = labels[name];
    if (!isValidLabelName(name)) {
      return `error parsing labels '${formatSelector(labels)}': invalid label name ${JSON.stringify(name)}: names must match [a-zA-Z_][a-zA-Z0-9_]*`;
    }
    if (typeof value !== 'string' || !isValidUtf8(value)) {
      return `error parsing labels '${formatSelector(labels)}': invalid label value for ${JSON.stringify(name)}: values must be valid UTF-8 strings`;
    }
    if (name.length > limits.max_label_name_length) {
      return `stream '${formatSelector(labels)}' has label name too long: '${name}'`;
    }
    if (value.length > limits.max_label_value_length) {
      return `stream '${formatSelector(labels)}' has label value too long: '${value}'`;
    }
  }
  return undefined;
}

/**
 * Checks one entry's structured metadata; `size` counts names and values in bytes as Loki does.
 * Returns the error text or undefined.
 */
export function metadataError(metadata: Labels, selector: string, limits: Readonly<Limits>): string | undefined {
  const names = Object.keys(metadata);
  if (names.length === 0) return undefined;
  if (!limits.allow_structured_metadata) {
    return `stream '${selector}' includes structured metadata, but this feature is disallowed. Please see \`limits_config.allow_structured_metadata\` or contact your Loki administrator to enable it.`;
  }
  if (limits.max_structured_metadata_entries_count > 0 && names.length > limits.max_structured_metadata_entries_count) {
    return `stream '${selector}' has too many structured metadata labels: '${names.length}', limit: '${limits.max_structured_metadata_entries_count}'. Please see \`limits_config.max_structured_metadata_entries_count\` or contact your Loki administrator to increase it.`;
  }
  let size = 0;
  for (const name of names) {
    const value = metadata[name];
    if (!isValidLabelName(name)) {
      return `stream '${selector}' has invalid structured metadata name ${JSON.stringify(name)}: names must match [a-zA-Z_][a-zA-Z0-9_]*`;
    }
    if (typeof value !== 'string' || !isValidUtf8(value)) {
      return `stream '${selector}' has an invalid structured metadata value for ${JSON.stringify(name)}: values must be valid UTF-8 strings`;
    }
    size += Buffer.byteLength(name) + Buffer.byteLength(value);
  }
  if (limits.max_structured_metadata_size > 0 && size > limits.max_structured_metadata_size) {
    return `stream '${selector}' has structured metadata too large: '${size}' bytes, limit: '${limits.max_structured_metadata_size}'. Please see \`limits_config.max_structured_metadata_size\` or contact your Loki administrator to increase it.`;
  }
  return undefined;
}

const TENANT_CHARS = /^[a-zA-Z0-9!\-_.*'()]+$/;

/** Loki's tenant id rules: 1–150 characters from `[a-zA-Z0-9!-_.*'()]`, not `.` or `..`. */
export function assertValidTenant(tenant: string): void {
  if (typeof tenant !== 'string' || tenant.length === 0) throw new InvalidTenantError('no org id');
  if (tenant.length > 150) throw new InvalidTenantError(`tenant ID is too long: max 150 characters`);
  if (!TENANT_CHARS.test(tenant) || tenant === '.' || tenant === '..') {
    throw new InvalidTenantError(`tenant ID '${tenant}' contains unsupported characters: use only [a-zA-Z0-9!-_.*'()]`);
  }
}

const U64_MASK = (1n << 64n) - 1n;

/** The stream id a label set hashes to (first 8 bytes of SHA-256 over the canonical selector). */
export function hashStreamId(selector: string): bigint {
  return createHash('sha256').update(selector).digest().readBigUInt64BE(0);
}

/** The next id to try when `id` is taken by a different label set (deterministic probing). */
export function nextStreamId(id: bigint): bigint {
  return (id + 1n) & U64_MASK;
}

export function streamIdHex(id: bigint): string {
  return id.toString(16).padStart(16, '0');
}
