// Frontend types: the shared query/settings model bound to Grafana's DataQuery and DataSourceJsonData.
import type { DataQuery, DataSourceJsonData } from '@grafana/schema';
import type { LodeQueryModel, LodeQueryType, LodeSecureJson, LodeSettingsJson } from './shared/types.js';

export interface LodeQuery extends DataQuery, Omit<LodeQueryModel, 'refId' | 'queryType'> {
  queryType?: LodeQueryType;
}
export interface LodeOptions extends DataSourceJsonData, LodeSettingsJson {}
export type LodeSecureOptions = LodeSecureJson;

export const DEFAULT_QUERY: Partial<LodeQuery> = { expr: '', queryType: 'logs', direction: 'backward' };
