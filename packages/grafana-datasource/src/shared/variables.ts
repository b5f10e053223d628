// Template variable queries, in the syntax of Grafana's Loki and Prometheus datasources:
//   label_names()                 label_names({app="x"})
//   label_values(pod)             label_values({app="x"}, pod)
//   query_result(sum by (pod) (rate({app="x"}[5m])))

export type VariableQuery =
  | { kind: 'labelNames'; selector?: string }
  | { kind: 'labelValues'; label: string; selector?: string }
  | { kind: 'queryResult'; expr: string };

const LABEL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function parseVariableQuery(text: string): VariableQuery {
  const q = text.trim();
  let m = /^label_names\(\s*(\{.*\})?\s*\)$/s.exec(q);
  if (m) return m[1] ? { kind: 'labelNames', selector: m[1] } : { kind: 'labelNames' };
  m = /^label_values\(\s*(?:(\{.*\})\s*,\s*)?([^,()\s]+)\s*\)$/s.exec(q);
  if (m) {
    const label = m[2]!;
    if (!LABEL_NAME.test(label)) throw new Error(`label_values: ${JSON.stringify(label)} is not a label name`);
    return m[1] ? { kind: 'labelValues', label, selector: m[1] } : { kind: 'labelValues', label };
  }
  m = /^query_result\((.*)\)$/s.exec(q);
  if (m && m[1]!.trim() !== '') return { kind: 'queryResult', expr: m[1]!.trim() };
  throw new Error(
    `unsupported variable query ${JSON.stringify(q)}: use label_names(), label_values([selector,] label) or query_result(<metric query>)`,
  );
}

/** The resource path and parameters the backend proxies to lode for a label variable. */
export function variableResource(q: Exclude<VariableQuery, { kind: 'queryResult' }>): { path: string; params: Record<string, string> } {
  const params: Record<string, string> = q.selector ? { query: q.selector } : {};
  return q.kind === 'labelNames' ? { path: 'labels', params } : { path: `label/${encodeURIComponent(q.label)}/values`, params };
}

/** Prometheus's rendering of a query_result row: `{labels} value timestamp_ms`. */
export function queryResultText(metric: string, value: number, timeMs: number): string {
  return `${metric} ${value} ${timeMs}`;
}
