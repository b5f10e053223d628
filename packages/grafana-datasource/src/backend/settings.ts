// Datasource instance settings from Grafana's plugin context → what the lode client needs.
import { DEFAULT_MAX_LINES, DEFAULT_TIMEOUT_SECONDS, type LodeSettingsJson } from '../shared/types.js';
import type { PluginContextMsg } from './messages.js';

export interface LodeSettings {
  url: string;
  tenant?: string;
  apiKey?: string;
  timeoutMs: number;
  maxLines: number;
}

function parseJsonData(bytes: Buffer | undefined): LodeSettingsJson {
  if (!bytes || bytes.length === 0) return {};
  try {
    const parsed: unknown = JSON.parse(bytes.toString('utf8'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as LodeSettingsJson) : {};
  } catch {
    throw new Error('the datasource jsonData is not valid JSON: save the datasource settings again');
  }
}

export function settingsFromContext(ctx: PluginContextMsg | null): LodeSettings {
  const ds = ctx?.dataSourceInstanceSettings;
  if (!ds) throw new Error('the request carries no datasource settings: this plugin only serves datasource instances');
  const url = ds.url.trim().replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]/.test(url)) {
    throw new Error(`the datasource URL ${JSON.stringify(ds.url)} is not an http(s) URL: set it to lode's address, e.g. http://localhost:3100`);
  }
  const json = parseJsonData(ds.jsonData);
  const timeout = Number(json.timeoutSeconds);
  const maxLines = Number(json.maxLines);
  return {
    url,
    tenant: typeof json.tenant === 'string' && json.tenant.trim() !== '' ? json.tenant.trim() : undefined,
    apiKey: ds.decryptedSecureJsonData?.apiKey || undefined,
    timeoutMs: (Number.isFinite(timeout) && timeout > 0 ? timeout : DEFAULT_TIMEOUT_SECONDS) * 1000,
    maxLines: Number.isFinite(maxLines) && maxLines > 0 ? Math.floor(maxLines) : DEFAULT_MAX_LINES,
  };
}
