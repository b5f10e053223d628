import type { Labels } from '@lode/store';

/** Renders labels as Loki does in messages and keys: `{a="b", c="d"}`, names sorted, Go-quoted values. */
export function formatLabels(labels: Labels): string {
  const names = Object.keys(labels).sort();
  let out = '{';
  for (let i = 0; i < names.length; i++) {
    if (i > 0) out += ', ';
    const name = names[i]!;
    out += `${name}=${quote(labels[name]!)}`;
  }
  return out + '}';
}

/** Go `%q`-style quoting for the characters that matter in label values. */
export function quote(value: string): string {
  if (!/["\\\n\r\t]/.test(value)) return `"${value}"`;
  return `"${value.replace(/["\\\n\r\t]/g, (c) => ESCAPES[c]!)}"`;
}
const ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Makes an attribute name a valid Prometheus/Loki label name: every run of characters outside
 * `[A-Za-z0-9]` becomes one `_`, and a leading digit gets the prefix `key_` (API.md).
 */
export function sanitizeLabelName(name: string): string {
  let out = name.replace(/[^A-Za-z0-9]+/g, '_');
  if (/^[0-9]/.test(out)) out = `key_${out}`;
  return out;
}

/** Cuts a string to at most `maxBytes` UTF-8 bytes without splitting a character. */
export function truncateUtf8(s: string, maxBytes: number): string {
  const buf = Buffer.from(s, 'utf8');
  if (buf.length <= maxBytes) return s;
  let end = maxBytes;
  while (end > 0 && (buf[end]! & 0xc0) === 0x80) end--;
  return buf.subarray(0, end).toString('utf8');
}
