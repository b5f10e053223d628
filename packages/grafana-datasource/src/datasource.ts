// The lode datasource in the browser. Queries run through the backend executable (DataSourceWithBackend →
// Data.QueryData), metadata calls through its resource proxy; live tail through Grafana Live (Stream service).
import {
  AdHocVariableFilter,
  AnnotationEvent,
  AnnotationQuery,
  DataFrame,
  DataQueryRequest,
  DataQueryResponse,
  DataSourceGetTagKeysOptions,
  DataSourceGetTagValuesOptions,
  DataSourceInstanceSettings,
  DataSourceWithLogsContextSupport,
  DataSourceWithQueryModificationSupport,
  DataSourceWithSupplementaryQueriesSupport,
  LiveChannelScope,
  LogRowContextOptions,
  LogRowContextQueryDirection,
  LogRowModel,
  MetricFindValue,
  QueryFixAction,
  ScopedVars,
  SupplementaryQueryOptions,
  SupplementaryQueryType,
  TimeRange,
  dateTime,
} from '@grafana/data';
import { DataSourceWithBackend, getGrafanaLiveSrv, getTemplateSrv } from '@grafana/runtime';
import { Observable, lastValueFrom, map, merge, of } from 'rxjs';
import { buildContextRequest } from './shared/context.js';
import { fnv1a, labelsToString } from './shared/labels.js';
import { isLogsQuery, selectorLabelNames } from './shared/logql.js';
import { SUPPORTED_MODIFICATIONS, modifyExpr } from './shared/modify.js';
import { supplementaryQuery } from './shared/supplementary.js';
import { formatVariable, interpolateQuery } from './shared/templating.js';
import { framesToAnnotations } from './shared/annotations.js';
import { DEFAULT_MAX_LINES } from './shared/types.js';
import { parseVariableQuery, queryResultText, variableResource } from './shared/variables.js';
import { DEFAULT_QUERY, type LodeOptions, type LodeQuery } from './types';

interface LabelsResponse {
  status: string;
  data: string[];
}
interface VectorResponse {
  data: { resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> };
}

function rangeParams(range?: TimeRange): Record<string, string> {
  if (!range) return {};
  return { start: `${range.from.valueOf()}000000`, end: `${range.to.valueOf()}000000` };
}

export class LodeDatasource
  extends DataSourceWithBackend<LodeQuery, LodeOptions>
  implements
    DataSourceWithSupplementaryQueriesSupport<LodeQuery>,
    DataSourceWithLogsContextSupport<LodeQuery>,
    DataSourceWithQueryModificationSupport<LodeQuery>
{
  readonly maxLines: number;

  constructor(settings: DataSourceInstanceSettings<LodeOptions>) {
    super(settings);
    this.maxLines = settings.jsonData.maxLines ?? DEFAULT_MAX_LINES;
    // Annotations use the normal query editor; log lines become events below.
    this.annotations = {
      processEvents: (anno: AnnotationQuery<LodeQuery>, frames: DataFrame[]): Observable<AnnotationEvent[]> =>
        of(framesToAnnotations(frames, anno.iconColor)),
    };
  }

  override getDefaultQuery(): Partial<LodeQuery> {
    return DEFAULT_QUERY;
  }

  override filterQuery(query: LodeQuery): boolean {
    return !query.hide && (query.expr ?? '').trim() !== '';
  }

  override getQueryDisplayText(query: LodeQuery): string {
    return query.expr ?? '';
  }

  // ---- queries, live tail ----

  override query(request: DataQueryRequest<LodeQuery>): Observable<DataQueryResponse> {
    if (!request.liveStreaming) return super.query(request);
    const streams = request.targets
      .filter((t) => this.filterQuery(t))
      .map((t) => this.applyTemplateVariables(t, request.scopedVars, request.filters))
      .filter((t) => isLogsQuery(t.expr ?? ''))
      .map((t) => this.tail(t));
    return streams.length ? merge(...streams) : of({ data: [] });
  }

  private tail(query: LodeQuery): Observable<DataQueryResponse> {
    const maxLines = query.maxLines ?? this.maxLines;
    return getGrafanaLiveSrv()
      .getDataStream({
        key: `${this.uid}-${query.refId}`,
        addr: {
          scope: LiveChannelScope.DataSource,
          namespace: this.uid,
          path: `tail/${fnv1a(query.expr ?? '')}`,
          data: { expr: query.expr, refId: query.refId, maxLines },
        },
        buffer: { maxLength: maxLines },
      })
      .pipe(map((res) => ({ ...res, key: `${this.uid}-${query.refId}` })));
  }

  override applyTemplateVariables(query: LodeQuery, scopedVars: ScopedVars, filters?: AdHocVariableFilter[]): LodeQuery {
    const templates = getTemplateSrv();
    return interpolateQuery(query, (text, format) => templates.replace(text, scopedVars, format), filters);
  }

  // ---- Explore: log volume and logs sample ----

  getSupportedSupplementaryQueryTypes(): SupplementaryQueryType[] {
    return [SupplementaryQueryType.LogsVolume, SupplementaryQueryType.LogsSample];
  }

  getSupplementaryQuery(options: SupplementaryQueryOptions, query: LodeQuery): LodeQuery | undefined {
    const kind = options.type === SupplementaryQueryType.LogsVolume ? 'logsVolume' : 'logsSample';
    const q = supplementaryQuery(kind, { ...query, expr: query.expr ?? '' });
    return q ? { ...q, datasource: query.datasource } : undefined;
  }

  getSupplementaryRequest(
    type: SupplementaryQueryType,
    request: DataQueryRequest<LodeQuery>,
    options?: SupplementaryQueryOptions,
  ): DataQueryRequest<LodeQuery> | undefined {
    const targets = request.targets
      .filter((t) => this.filterQuery(t))
      .map((t) => this.getSupplementaryQuery(options ?? { type }, t))
      .filter((t): t is LodeQuery => t !== undefined);
    if (targets.length === 0) return undefined;
    return { ...request, targets, requestId: `${request.requestId}_${type}` };
  }

  // ---- log context ----

  async getLogRowContext(row: LogRowModel, options?: LogRowContextOptions, origQuery?: LodeQuery): Promise<DataQueryResponse> {
    const indexed = await this.indexedLabelNames();
    const ctx = buildContextRequest({
      refId: row.dataFrame.refId ?? 'A',
      rowTimeMs: row.timeEpochMs,
      rowLabels: row.labels ?? {},
      indexedNames: indexed,
      originalExpr: origQuery?.expr ?? '',
      direction: options?.direction === LogRowContextQueryDirection.Forward ? 'FORWARD' : 'BACKWARD',
      limit: options?.limit ?? 50,
    });
    const range: TimeRange = { from: dateTime(ctx.fromMs), to: dateTime(ctx.toMs), raw: { from: dateTime(ctx.fromMs), to: dateTime(ctx.toMs) } };
    const request = {
      targets: [{ ...ctx.query, datasource: this.getRef() }],
      range,
      requestId: `lode-context-${row.uid}`,
      interval: '1s',
      intervalMs: 1000,
      scopedVars: options?.scopedVars ?? {},
      timezone: 'UTC',
      app: 'explore',
      startTime: Date.now(),
    } as DataQueryRequest<LodeQuery>;
    return lastValueFrom(super.query(request));
  }

  private indexedNamesCache?: Promise<string[]>;

  /** lode's `labels` endpoint lists indexed (stream) labels only, which is what a context selector needs. */
  private indexedLabelNames(): Promise<string[]> {
    this.indexedNamesCache ??= this.getResource<LabelsResponse>('labels').then(
      (r) => r.data ?? [],
      () => {
        this.indexedNamesCache = undefined;
        return [];
      },
    );
    return this.indexedNamesCache;
  }

  // ---- filter for / filter out from log details ----

  override modifyQuery(query: LodeQuery, action: QueryFixAction): LodeQuery {
    const expr = query.expr ?? '';
    const streamLabels = selectorLabelNames(expr);
    return { ...query, expr: modifyExpr(expr, action, streamLabels) };
  }

  getSupportedQueryModifications(): string[] {
    return [...SUPPORTED_MODIFICATIONS];
  }

  // ---- template variables and ad-hoc filters ----

  override async metricFindQuery(query: string, options?: { range?: TimeRange }): Promise<MetricFindValue[]> {
    const interpolated = getTemplateSrv().replace(query, {}, formatVariable);
    const parsed = parseVariableQuery(interpolated);
    if (parsed.kind === 'queryResult') {
      const time = `${(options?.range?.to.valueOf() ?? Date.now())}000000`;
      const res = await this.getResource<VectorResponse>('query', { query: parsed.expr, time });
      const result = res.data?.resultType === 'vector' ? res.data.result : [];
      return result.map((s) => ({ text: queryResultText(labelsToString(s.metric), Number(s.value[1]), s.value[0] * 1000) }));
    }
    const { path, params } = variableResource(parsed);
    const res = await this.getResource<LabelsResponse>(path, { ...params, ...rangeParams(options?.range) });
    return (res.data ?? []).map((text) => ({ text }));
  }

  override async getTagKeys(options?: DataSourceGetTagKeysOptions<LodeQuery>): Promise<MetricFindValue[]> {
    const res = await this.getResource<LabelsResponse>('labels', rangeParams(options?.timeRange));
    return (res.data ?? []).map((text) => ({ text }));
  }

  override async getTagValues(options: DataSourceGetTagValuesOptions<LodeQuery>): Promise<MetricFindValue[]> {
    const res = await this.getResource<LabelsResponse>(`label/${encodeURIComponent(options.key)}/values`, rangeParams(options.timeRange));
    return (res.data ?? []).map((text) => ({ text }));
  }

  // ---- editor helpers ----

  async labelNames(selector: string, range?: TimeRange): Promise<string[]> {
    const res = await this.getResource<LabelsResponse>('labels', { ...(selector ? { query: selector } : {}), ...rangeParams(range) });
    return res.data ?? [];
  }

  async labelValues(label: string, selector: string, range?: TimeRange): Promise<string[]> {
    const res = await this.getResource<LabelsResponse>(`label/${encodeURIComponent(label)}/values`, {
      ...(selector ? { query: selector } : {}),
      ...rangeParams(range),
    });
    return res.data ?? [];
  }
}
