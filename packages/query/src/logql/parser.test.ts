import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatExpr, parseExpr, ParseError, requiredLineSubstrings, logSelections, isLogQuery } from './index.js';
import type { BinaryOpExpr, Expr, LogQueryExpr, RangeAggregationExpr } from './index.js';

const roundTrip = (q: string): Expr => {
  const ast = parseExpr(q);
  assert.deepEqual(parseExpr(formatExpr(ast)), ast, `${q} -> ${formatExpr(ast)}`);
  return ast;
};

const fails = (q: string, message: string): void => {
  assert.throws(() => parseExpr(q), (e: unknown) => e instanceof ParseError && e.message === message, q);
};

test('syntax errors carry Loki messages and positions', () => {
  const cases: Array<[string, string]> = [
    ['{foo="bar"', 'parse error at line 1, col 11: syntax error: unexpected $end, expecting } or ,'],
    ['{foo="bar"} |~', 'parse error at line 1, col 15: syntax error: unexpected $end, expecting STRING or ip'],
    ['{foo="bar}', 'parse error at line 1, col 6: literal not terminated'],
    ['rate({app="api"}[5minutes])', 'parse error at line 0, col 17: unknown unit "minutes" in duration "5minutes"'],
    ['rate({app="api"}[5m)', "parse error at line 0, col 17: missing closing ']' in duration"],
    ['-count_over_time({app="foo"}[1m])', 'parse error at line 1, col 2: syntax error: unexpected COUNT_OVER_TIME, expecting NUMBER'],
    ['vector(count_over_time({app="a"}[1m]))', 'parse error at line 1, col 8: syntax error: unexpected COUNT_OVER_TIME, expecting NUMBER'],
    ['count_over_time({app="a"} | drop [1m])', 'parse error at line 0, col 34: syntax error: unexpected RANGE, expecting IDENTIFIER'],
    ['sum by (id) (count_over_time({app="l"}[1m])) bool > 1', 'parse error at line 1, col 46: syntax error: unexpected bool'],
    ['{app="a"} | logfmt | addr =~ ip("10.0.0.0/8")', 'parse error at line 1, col 30: syntax error: unexpected ip, expecting STRING'],
    ['{app="a" | json', 'parse error at line 1, col 10: syntax error: unexpected |, expecting } or ,'],
    ['{app}', 'parse error at line 1, col 5: syntax error: unexpected }, expecting = or =~ or !~ or !='],
    ['{app=}', 'parse error at line 1, col 6: syntax error: unexpected }, expecting STRING'],
  ];
  for (const [q, msg] of cases) fails(q, msg);
});

test('semantic errors as Loki raises them', () => {
  const cases: Array<[string, string]> = [
    ['{}', 'parse error : queries require at least one regexp or equality matcher that does not have an empty-compatible value. For instance, app=~".*" does not meet this requirement, but app=~".+" will'],
    ['{app=~".*"}', 'parse error : queries require at least one regexp or equality matcher that does not have an empty-compatible value. For instance, app=~".*" does not meet this requirement, but app=~".+" will'],
    ['topk(count_over_time({app="api"}[1m]))', 'parse error : parameter required for operation topk'],
    ['topk(0, count_over_time({app="api"}[1m]))', 'parse error : invalid parameter (must be greater than 0) topk(0'],
    ['topk(1.5, count_over_time({app="api"}[1m]))', 'parse error : invalid parameter topk(1.5,'],
    ['sum(2, count_over_time({app="api"}[1m]))', 'parse error : unsupported parameter for operation sum(2,'],
    ['count_over_time({app="api"} | logfmt | unwrap x [1m])', 'parse error : invalid aggregation count_over_time with unwrap'],
    ['sum_over_time({app="api"}[1m])', 'parse error : invalid aggregation sum_over_time without unwrap'],
    ['rate({app="api"}[1m]) by (x)', 'parse error : grouping not allowed for rate aggregation'],
    ['quantile_over_time({app="api"} | unwrap x [1m])', 'parse error : parameter required for operation quantile_over_time'],
    ['rate(0.5, {app="api"}[1m])', 'parse error : parameter 0.5 not supported for operation rate'],
    ['1 and 2', 'parse error : unexpected literal for left leg of logical/set binary operation (and): 1.000000'],
    ['0x1A', 'parse error : unable to parse literal as a float: strconv.ParseFloat: parsing "0x1A": invalid syntax'],
    ['{app="a"} + 1', 'parse error : unexpected type for left leg of binary operation (+): *syntax.MatchersExpr'],
    ['sort by (a) (count_over_time({app="a"}[1m]))', "parse error : sort and sort_desc doesn't allow grouping by "],
    ['approx_topk(2, count_over_time({app="a"}[1m])) by (a)', 'parse error : grouping not allowed for approx_topk aggregation'],
    [`{app="${'x'.repeat(5200)}"}`, 'parse error : input size too long (5208 > 5120)'],
  ];
  for (const [q, msg] of cases) fails(q, msg);
});

test('operator precedence and associativity follow Prometheus', () => {
  const shape = (e: Expr): string =>
    e.kind === 'BinaryOp' ? `(${shape(e.left)} ${e.op} ${shape(e.right)})` : e.kind === 'Vector' ? `v${e.value}` : '?';
  const cases: Array<[string, string]> = [
    ['vector(1) + vector(2) * vector(3)', '(v1 + (v2 * v3))'],
    ['vector(1) - vector(2) - vector(3)', '((v1 - v2) - v3)'],
    ['vector(1) ^ vector(2) ^ vector(3)', '(v1 ^ (v2 ^ v3))'],
    ['vector(1) * vector(2) ^ vector(3)', '(v1 * (v2 ^ v3))'],
    ['vector(1) or vector(2) and vector(3)', '(v1 or (v2 and v3))'],
    ['vector(1) and vector(2) unless vector(3)', '((v1 and v2) unless v3)'],
    ['vector(1) > vector(2) + vector(3)', '(v1 > (v2 + v3))'],
    ['vector(1) == vector(2) or vector(3)', '((v1 == v2) or v3)'],
    ['(vector(1) + vector(2)) * vector(3)', '((v1 + v2) * v3)'],
    ['vector(1) % vector(2) / vector(3)', '((v1 % v2) / v3)'],
  ];
  for (const [q, want] of cases) assert.equal(shape(roundTrip(q)), want, q);
  assert.deepEqual(parseExpr('1 + 2 * 3 ^ 2'), { kind: 'Literal', value: 19 });
  assert.deepEqual(parseExpr('2 ^ 3 ^ 2'), { kind: 'Literal', value: 512 });
  assert.deepEqual(parseExpr('10 / 0'), { kind: 'Literal', value: NaN });
  assert.deepEqual(parseExpr('-1 - -2'), { kind: 'Literal', value: 1 });
});

test('binary operator modifiers', () => {
  const e = roundTrip('sum by (a,b) (rate({x="y"}[1m])) / on (a) group_left (c) sum by (a) (rate({x="y"}[1m]))') as BinaryOpExpr;
  assert.deepEqual(e.matching, { on: true, labels: ['a'], card: 'many-to-one', include: ['c'] });
  const b = roundTrip('count_over_time({x="y"}[1m]) > bool ignoring (p) count_over_time({x="z"}[1m])') as BinaryOpExpr;
  assert.equal(b.returnBool, true);
  assert.deepEqual(b.matching, { on: false, labels: ['p'], card: 'one-to-one', include: [] });
});

test('log query AST: filters, parsers, label filters, formats', () => {
  const e = roundTrip(
    '{app="x", env!="dev"} |= "a" or "b" != "c" or "d" |~ `(?i)err` |> "<_> x" | json a="b.c", d, e="f[0]" ' +
      '| logfmt --strict --keep-empty k | regexp "(?P<x>.)" | pattern "<a> <_>" | unpack ' +
      '| level="error" or status >= 500 and latency > 1.5s | size < 5KB | addr = ip("10.0.0.0/8") ' +
      '| line_format "{{.a}}" | label_format x=y, z="{{.w}}" | drop a, b="c" | keep d | decolorize',
  ) as LogQueryExpr;
  assert.equal(e.kind, 'LogQuery');
  assert.deepEqual(e.pipeline.slice(0, 3), [
    { kind: 'LineFilter', op: '|=', values: [{ kind: 'String', value: 'a' }, { kind: 'String', value: 'b' }] },
    { kind: 'LineFilter', op: '!=', values: [{ kind: 'String', value: 'c' }] },
    { kind: 'LineFilter', op: '!=', values: [{ kind: 'String', value: 'd' }] },
  ]);
  assert.deepEqual(e.pipeline[5], {
    kind: 'JsonParser',
    params: [{ label: 'a', expr: 'b.c' }, { label: 'd', expr: 'd' }, { label: 'e', expr: 'f[0]' }],
  });
  assert.deepEqual(e.pipeline[6], { kind: 'LogfmtParser', strict: true, keepEmpty: true, params: [{ label: 'k', expr: 'k' }] });
  assert.deepEqual(e.pipeline[10], {
    kind: 'LabelFilter',
    filter: {
      kind: 'BinaryFilter',
      op: 'or',
      left: { kind: 'StringFilter', matcher: { name: 'level', op: '=', value: 'error' } },
      right: {
        kind: 'BinaryFilter',
        op: 'and',
        left: { kind: 'NumericFilter', name: 'status', op: '>=', value: 500 },
        right: { kind: 'DurationFilter', name: 'latency', op: '>', value: 1_500_000_000n },
      },
    },
  });
  assert.deepEqual(e.pipeline[11], { kind: 'LabelFilter', filter: { kind: 'BytesFilter', name: 'size', op: '<', value: 5000 } });
  assert.deepEqual(e.pipeline[12], { kind: 'LabelFilter', filter: { kind: 'IpFilter', name: 'addr', op: '=', pattern: '10.0.0.0/8' } });
  assert.deepEqual(e.pipeline[15], {
    kind: 'Drop',
    labels: [{ kind: 'Name', name: 'a' }, { kind: 'Matcher', matcher: { name: 'b', op: '=', value: 'c' } }],
  });
});

test('range aggregations: range/pipeline orders, offset, unwrap, grouping', () => {
  const a = roundTrip('quantile_over_time(0.99, {a="b"} | json | unwrap duration(lat) | __error__="" [5m] offset 1h) by (x)') as RangeAggregationExpr;
  assert.equal(a.param, 0.99);
  assert.equal(a.range.range, 300_000_000_000n);
  assert.equal(a.range.offset, 3_600_000_000_000n);
  assert.deepEqual(a.range.unwrap, {
    label: 'lat',
    conversion: 'duration',
    postFilters: [{ kind: 'StringFilter', matcher: { name: '__error__', op: '=', value: '' } }],
  });
  assert.deepEqual(a.grouping, { without: false, labels: ['x'] });
  // The range may come before the pipeline, and the selection may be parenthesised.
  assert.deepEqual(parseExpr('count_over_time({a="b"}[5m] |= "x")'), parseExpr('count_over_time({a="b"} |= "x" [5m])'));
  assert.deepEqual(parseExpr('count_over_time(({a="b"} |= "x")[5m])'), parseExpr('count_over_time({a="b"} |= "x" [5m])'));
  assert.deepEqual(parseExpr('sum_over_time({a="b"}[1d] | unwrap x)'), parseExpr('sum_over_time({a="b"} | unwrap x [24h])'));
  assert.equal(formatExpr(parseExpr('rate({a="b"}[90m])')), 'rate({a="b"}[1h30m])');
  assert.equal(formatExpr(parseExpr('rate({a="b"}[1w] offset 90s)')), 'rate({a="b"}[1w] offset 1m30s)');
});

test('vector aggregations: grouping before or after, by () is no grouping', () => {
  assert.deepEqual(parseExpr('sum by (a) (rate({x="y"}[1m]))'), parseExpr('sum(rate({x="y"}[1m])) by (a)'));
  assert.deepEqual(parseExpr('sum by () (rate({x="y"}[1m]))'), parseExpr('sum(rate({x="y"}[1m]))'));
  const t = roundTrip('topk without (a) (3, rate({x="y"}[1m]))');
  assert.equal(formatExpr(t), 'topk without (a)(3,rate({x="y"}[1m]))');
  roundTrip('label_replace(rate({x="y"}[1m]), "d", "$1", "s", "(.*)")');
  roundTrip('SUM BY (a) (COUNT_OVER_TIME({x="y"}[1m]))');
  roundTrip('sort_desc(sum(rate({x="y"}[1m])))');
});

test('lexer details: strings, comments, keywords as identifiers, numbers', () => {
  const e = parseExpr('{app="a\\tb\\u00e9", x=`raw\\n`} # comment\n |= "\\x41"') as LogQueryExpr;
  assert.deepEqual(e.matchers, [
    { name: 'app', op: '=', value: 'a\tbé' },
    { name: 'x', op: '=', value: 'raw\\n' },
  ]);
  assert.deepEqual(e.pipeline, [{ kind: 'LineFilter', op: '|=', values: [{ kind: 'String', value: 'A' }] }]);
  // Function names are identifiers unless followed by `(`.
  roundTrip('{rate="x", sum="y"} | count > 2');
  assert.deepEqual(parseExpr('1e3'), { kind: 'Literal', value: 1000 });
  assert.equal(formatExpr(parseExpr('1000000 * vector(1)')), '(1e+06 * vector(1.000000))');
});

test('helpers: required substrings and the log/metric split', () => {
  const sel = (q: string) => (parseExpr(q) as LogQueryExpr).pipeline;
  assert.deepEqual(requiredLineSubstrings(sel('{a="b"} |= "x" |= "y" or "z" != "w" |~ "lit" |~ "(?i)abc" |= ""')), ['x', 'lit']);
  assert.deepEqual(requiredLineSubstrings(sel('{a="b"} |= "x" | line_format "{{.a}}" |= "y"')), ['x']);
  assert.equal(isLogQuery(parseExpr('{a="b"}')), true);
  assert.equal(isLogQuery(parseExpr('rate({a="b"}[1m])')), false);
  const sels = logSelections(parseExpr('rate({a="b"} |= "q" [1m]) / rate({c="d"}[1m])'));
  assert.equal(sels.length, 2);
  assert.deepEqual(requiredLineSubstrings(sels[0]!.pipeline), ['q']);
});
