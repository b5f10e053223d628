/**
 * What every query endpoint needs: the store, per-tenant limits and the tenancy rules of the
 * composition root (shared with ingest, so both sides resolve tenants the same way).
 */
import type { LimitsFor, LogStore } from '@lode/store';
import type { AvgOverTimeSharding } from '../engine/index.js';

export type TenantResolution = { ok: true; tenant: string } | { ok: false; status: number; message: string };

/** Resolves one tenant from request headers for an access kind ('read' for the query API). */
export type TenantResolver = (headers: Readonly<Record<string, string | string[] | undefined>>, access: 'read' | 'write' | 'admin') => TenantResolution;

export interface QueryApiOptions {
  store: LogStore;
  limits: LimitsFor;
  resolveTenant: TenantResolver;
  /** How a grouped `avg_over_time` is computed; default `exact` (the ruler always uses `exact`, as Loki's local ruler). */
  avgOverTimeSharding?: AvgOverTimeSharding;
  /** Version reported by /status/buildinfo. */
  version: string;
  /** Called after each query with its figures, for metrics. */
  onQuery?: (info: { endpoint: string; tenant: string; seconds: number; status: number }) => void;
}
