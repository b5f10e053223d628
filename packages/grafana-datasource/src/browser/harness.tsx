// Browser test page: mounts the plugin's own QueryEditor and ConfigEditor with React 18 and @grafana/ui, with the
// minimal parts of Grafana they touch — a BackendSrv whose `fetch` reaches the datasource's resource URLs on the
// page's own server (which proxies to a real lode, as Grafana + the backend's CallResource do), and a TemplateSrv.
// The real LodeDatasource runs here, so label completion goes through its getResource path.
import React, { useState } from 'react';
import { createRoot } from 'react-dom/client';
import { from, type Observable } from 'rxjs';
import { dateTime, type DataSourceInstanceSettings, type DataSourceSettings, type TimeRange } from '@grafana/data';
import { setBackendSrv, setTemplateSrv, type BackendSrv, type BackendSrvRequest, type FetchResponse, type TemplateSrv } from '@grafana/runtime';
import { ConfigEditor } from '../components/ConfigEditor';
import { QueryEditor } from '../components/QueryEditor';
import { LodeDatasource } from '../datasource';
import type { LodeOptions, LodeQuery, LodeSecureOptions } from '../types';

/** What the test reads back from the page. */
interface HarnessState {
  query: LodeQuery;
  runs: number;
  options: DataSourceSettings<LodeOptions, LodeSecureOptions>;
  resourceCalls: string[];
}
declare global {
  interface Window {
    lodeHarness: HarnessState;
  }
}

function fetchResource<T>(req: BackendSrvRequest): Observable<FetchResponse<T>> {
  const url = new URL(req.url, window.location.origin);
  for (const [k, v] of Object.entries((req.params ?? {}) as Record<string, string>)) url.searchParams.set(k, String(v));
  window.lodeHarness.resourceCalls.push(url.pathname + url.search);
  return from(
    window.fetch(url).then(async (res) => {
      if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
      return { data: (await res.json()) as T, status: res.status, statusText: res.statusText, ok: true, headers: res.headers, redirected: false, type: res.type, url: res.url, config: req };
    }),
  );
}

// Only `fetch` is on the paths the editors use (DataSourceWithBackend.getResource).
setBackendSrv({ fetch: fetchResource } as unknown as BackendSrv);
setTemplateSrv({ replace: (text: string) => text, getVariables: () => [], containsTemplate: () => false, updateTimeRange: () => undefined } as unknown as TemplateSrv);

const instance: DataSourceInstanceSettings<LodeOptions> = {
  id: 1,
  uid: 'lode-test',
  type: 'lode-logs-datasource',
  name: 'lode',
  access: 'proxy',
  readOnly: false,
  jsonData: { maxLines: 500 },
  meta: { id: 'lode-logs-datasource', name: 'lode', type: 'datasource', info: {} } as DataSourceInstanceSettings['meta'],
};
const datasource = new LodeDatasource(instance);
const now = Date.now();
const range: TimeRange = { from: dateTime(now - 3_600_000), to: dateTime(now + 60_000), raw: { from: 'now-1h', to: 'now' } };

const initialOptions = {
  id: 1,
  uid: 'lode-test',
  orgId: 1,
  name: 'lode',
  type: 'lode-logs-datasource',
  typeName: 'lode',
  typeLogoUrl: '',
  access: 'proxy',
  url: '',
  user: '',
  database: '',
  basicAuth: false,
  basicAuthUser: '',
  isDefault: false,
  jsonData: {},
  secureJsonFields: {},
  readOnly: false,
  withCredentials: false,
} as DataSourceSettings<LodeOptions, LodeSecureOptions>;

window.lodeHarness = { query: { refId: 'A', expr: '', queryType: 'logs' }, runs: 0, options: initialOptions, resourceCalls: [] };

function Harness(): React.JSX.Element {
  const [query, setQuery] = useState<LodeQuery>(window.lodeHarness.query);
  const [options, setOptions] = useState(initialOptions);
  return (
    <div style={{ display: 'flex', flexDirection: 'column', gap: 24, padding: 16, width: 900 }}>
      <section data-testid="query-editor">
        <h3>Query editor</h3>
        <QueryEditor
          datasource={datasource}
          query={query}
          range={range}
          onChange={(q) => {
            window.lodeHarness.query = q;
            setQuery(q);
          }}
          onRunQuery={() => void window.lodeHarness.runs++}
        />
      </section>
      <section data-testid="config-editor">
        <h3>Config editor</h3>
        <ConfigEditor
          options={options}
          onOptionsChange={(o) => {
            window.lodeHarness.options = o;
            setOptions(o);
          }}
        />
      </section>
    </div>
  );
}

createRoot(document.getElementById('root')!).render(<Harness />);
