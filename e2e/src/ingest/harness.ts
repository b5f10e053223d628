import { startServer } from '../support/server.js';

export interface Lode {
  http: string;
  otlpHttp: string;
  otlpGrpc: string;
  syslogPort: number;
  dataDir: string;
  /** SIGTERM (graceful drain), then removes the data dir. */
  stop(): Promise<void>;
  /** SIGKILL, keeping the data dir so a new server can be started on it (`startLode([], {dataDir})`). */
  kill(): Promise<void>;
}

export interface StartOptions {
  /** Reuse this temp dir (from an earlier, killed server) instead of creating one. */
  dataDir?: string;
}

/** Starts the real `lode serve` in a temp dir (support/server.ts), with its listeners as URLs. */
export async function startLode(extraArgs: string[] = [], opts: StartOptions = {}): Promise<Lode> {
  const server = await startServer({ args: extraArgs, root: opts.dataDir });
  const url = (port: number) => `http://127.0.0.1:${port}`;
  return {
    http: server.addr,
    otlpHttp: url(server.ports.otlpHttp),
    otlpGrpc: url(server.ports.otlpGrpc),
    syslogPort: server.ports.syslog,
    dataDir: server.root,
    stop: () => server.close(),
    kill: () => server.kill(),
  };
}

export interface QueriedEntry {
  labels: Record<string, string>;
  metadata: Record<string, string>;
  ts: string;
  line: string;
}

/** Every entry of a selector in the last hour (categorized labels), via the Loki query API. */
export async function queryAll(base: string, selector: string, headers: Record<string, string> = {}): Promise<QueriedEntry[]> {
  const u = new URL('/loki/api/v1/query_range', base);
  u.searchParams.set('query', selector);
  u.searchParams.set('limit', '5000');
  u.searchParams.set('start', String((Date.now() - 3600_000) * 1e6));
  u.searchParams.set('end', String((Date.now() + 60_000) * 1e6));
  const res = await fetch(u, { headers: { 'X-Loki-Response-Encoding-Flags': 'categorize-labels', ...headers } });
  if (res.status !== 200) throw new Error(`query ${selector}: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { data: { result: { stream: Record<string, string>; values: [string, string, { structuredMetadata?: Record<string, string> }?][] }[] } };
  return body.data.result.flatMap((s) => s.values.map(([ts, line, extra]) => ({ labels: s.stream, metadata: extra?.structuredMetadata ?? {}, ts, line })));
}

/** Polls until `n` entries match (ingest acks before queries see them only with durability off). */
export async function waitFor(base: string, selector: string, n: number): Promise<QueriedEntry[]> {
  let got: QueriedEntry[] = [];
  for (let i = 0; i < 100; i++) {
    got = await queryAll(base, selector);
    if (got.length >= n) return got;
    await new Promise((r) => setTimeout(r, 50));
  }
  return got;
}
