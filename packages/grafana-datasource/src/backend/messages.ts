// TypeScript shapes of the pluginv2 messages as proto-loader decodes them (keepCase, int64 as string,
// enums as numbers, defaults filled).

export interface DataSourceInstanceSettingsMsg {
  id: string;
  name: string;
  url: string;
  uid: string;
  jsonData: Buffer;
  decryptedSecureJsonData: Record<string, string>;
  basicAuthEnabled: boolean;
  basicAuthUser: string;
}

export interface PluginContextMsg {
  orgId: string;
  pluginId: string;
  dataSourceInstanceSettings: DataSourceInstanceSettingsMsg | null;
}

export interface DataQueryMsg {
  refId: string;
  maxDataPoints: string;
  intervalMS: string;
  timeRange: { fromEpochMS: string; toEpochMS: string } | null;
  json: Buffer;
  queryType: string;
}

export interface QueryDataRequestMsg {
  pluginContext: PluginContextMsg | null;
  headers: Record<string, string>;
  queries: DataQueryMsg[];
}

export interface DataResponseMsg {
  frames: Buffer[];
  error?: string;
  status?: number;
  errorSource?: string;
}

export interface CheckHealthRequestMsg {
  pluginContext: PluginContextMsg | null;
}

export const HEALTH_OK = 1;
export const HEALTH_ERROR = 2;

export interface StringListMsg {
  values: string[];
}

export interface CallResourceRequestMsg {
  pluginContext: PluginContextMsg | null;
  path: string;
  method: string;
  url: string;
  headers: Record<string, StringListMsg>;
  body: Buffer;
}

export interface CallResourceResponseMsg {
  code: number;
  headers: Record<string, StringListMsg>;
  body: Buffer;
}

export interface StreamRequestMsg {
  pluginContext: PluginContextMsg | null;
  path: string;
  data: Buffer;
}
