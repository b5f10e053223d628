/**
 * Response examples written from Loki's HTTP API documentation (grafana.com/docs/loki/latest/
 * reference/loki-http-api/), and `shapeOf`, which reduces a JSON value to its structure (keys,
 * element shapes, leaf types) so a live answer can be compared with the documented one.
 */

/**
 * `{"k": 1}` → `{"k": "number"}`; arrays by the shape of their first element; sorted keys. A
 * non-empty object of strings only is a label set, whatever its names: `"labels"`.
 */
export function shapeOf(v: unknown): unknown {
  if (Array.isArray(v)) return v.length === 0 ? [] : [shapeOf(v[0])];
  if (v !== null && typeof v === 'object') {
    const values = Object.values(v);
    if (values.length > 0 && values.every((x) => typeof x === 'string')) return 'labels';
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, shapeOf((v as Record<string, unknown>)[k])]),
    );
  }
  return v === null ? 'null' : typeof v;
}

export const docs = {
  labels: { status: 'success', data: ['foo', 'bar', 'baz'] },
  labelValues: { status: 'success', data: ['cortex-ops', 'default'] },
  series: { status: 'success', data: [{ container_name: 'loki', app: 'loki', stream: 'stderr' }] },
  streams: {
    status: 'success',
    data: {
      resultType: 'streams',
      result: [{ stream: { filename: '/var/hostlog/syslog', job: 'varlogs' }, values: [['1568234281726420425', 'foo']] }],
    },
  },
  matrix: {
    status: 'success',
    data: { resultType: 'matrix', result: [{ metric: { level: 'info' }, values: [[1588889221, '137.95']] }] },
  },
  vector: {
    status: 'success',
    data: { resultType: 'vector', result: [{ metric: {}, value: [1588889221, '1267.1266666666666'] }] },
  },
  indexStats: { streams: 100, chunks: 1000, entries: 5000, bytes: 100000 },
  tailFrame: { streams: [{ stream: { filename: '/var/log/myproject.log', job: 'varlogs' }, values: [['1569266497240578000', 'foo']] }] },
  patterns: { status: 'success', data: [{ pattern: '<_> caller=grpc_logging.go:66 <_> level=error <_>', level: 'error', samples: [[1711839260, 1]] }] },
  detectedLabels: { detectedLabels: [{ label: 'app', cardinality: 2 }] },
  buildinfo: { version: '3.4.6', revision: 'abc', branch: 'HEAD', buildUser: 'x', buildDate: 'x', goVersion: 'go1.23' },
} as const;
