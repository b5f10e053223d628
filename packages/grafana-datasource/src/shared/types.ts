// The query and settings model shared by the frontend (webpack bundle) and the backend executable.
// Nothing here may import Node or browser APIs: both sides compile it.

/** What the user asked for: a log query, a metric query over a range, or one instant. */
export type LodeQueryType = 'logs' | 'metrics' | 'instant';
export type LodeDirection = 'backward' | 'forward';
/** Set on queries the datasource generates itself (Explore's histogram and sample panes). */
export type SupportingQueryType = 'logsVolume' | 'logsSample' | 'dataSample';

export interface LodeQueryModel {
  refId: string;
  expr: string;
  queryType?: LodeQueryType;
  legendFormat?: string;
  /** Log queries: the `limit` parameter. */
  maxLines?: number;
  direction?: LodeDirection;
  /** Metric range queries: the resolution step as a Go duration (`30s`); empty = automatic. */
  step?: string;
  supportingQueryType?: SupportingQueryType;
}

/** `jsonData` of a lode datasource (not secret). */
export interface LodeSettingsJson {
  /** Sent as `X-Scope-OrgID`; empty means single-tenant lode (tenant `fake`). */
  tenant?: string;
  /** Per-request timeout towards lode, seconds. */
  timeoutSeconds?: number;
  /** Default `limit` for log queries without maxLines. */
  maxLines?: number;
}

/** `secureJsonData` of a lode datasource; only the backend sees the decrypted values. */
export interface LodeSecureJson {
  apiKey?: string;
}

export const DEFAULT_MAX_LINES = 1000;
export const DEFAULT_TIMEOUT_SECONDS = 60;
