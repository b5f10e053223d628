/**
 * Table-driven parser tests: Loki's exact syntax-error texts and positions (syntax-errors.cases.ts),
 * Loki's validation errors, and canonical printer output with round-trips for valid queries.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatExpr, parseExpr, ParseError } from './index.js';
import { SYNTAX_ERRORS } from './syntax-errors.cases.js';

function messageOf(q: string): string | undefined {
  try {
    parseExpr(q);
    return undefined;
  } catch (e) {
    assert.ok(e instanceof ParseError, `${JSON.stringify(q)} threw ${String(e)}`);
    return e.message;
  }
}

test('syntax errors: Loki text, line and column', () => {
  assert.ok(SYNTAX_ERRORS.length >= 250);
  const wrong = SYNTAX_ERRORS.flatMap(([q, want]) => {
    const got = messageOf(q);
    return got === want ? [] : [`${JSON.stringify(q)}\n  want ${want}\n  got  ${got}`];
  });
  assert.deepEqual(wrong, []);
});

/** Errors Loki raises while building nodes or validating (reported at 0:0). */
const SEMANTIC_ERRORS: ReadonlyArray<readonly [string, string]> = [
  ['{}', 'parse error : queries require at least one regexp or equality matcher that does not have an empty-compatible value. For instance, app=~".*" does not meet this requirement, but app=~".+" will'],
  ['{a=""}', 'parse error : queries require at least one regexp or equality matcher that does not have an empty-compatible value. For instance, app=~".*" does not meet this requirement, but app=~".+" will'],
  ['{a!="x"}', 'parse error : queries require at least one regexp or equality matcher that does not have an empty-compatible value. For instance, app=~".*" does not meet this requirement, but app=~".+" will'],
  ['rate({a=~".*"}[1m])', 'parse error : queries require at least one regexp or equality matcher that does not have an empty-compatible value. For instance, app=~".*" does not meet this requirement, but app=~".+" will'],
  ['topk(count_over_time({app="api"}[1m]))', 'parse error : parameter required for operation topk'],
  ['bottomk(count_over_time({app="api"}[1m]))', 'parse error : parameter required for operation bottomk'],
  ['topk(0, count_over_time({app="api"}[1m]))', 'parse error : invalid parameter (must be greater than 0) topk(0'],
  ['topk(1.5, count_over_time({app="api"}[1m]))', 'parse error : invalid parameter topk(1.5,'],
  ['sum(2, count_over_time({app="api"}[1m]))', 'parse error : unsupported parameter for operation sum(2,'],
  ['count_over_time({app="api"} | logfmt | unwrap x [1m])', 'parse error : invalid aggregation count_over_time with unwrap'],
  ['bytes_rate({app="api"} | unwrap x [1m])', 'parse error : invalid aggregation bytes_rate with unwrap'],
  ['sum_over_time({app="api"}[1m])', 'parse error : invalid aggregation sum_over_time without unwrap'],
  ['quantile_over_time(0.5, {app="api"}[1m])', 'parse error : invalid aggregation quantile_over_time without unwrap'],
  ['rate({app="api"}[1m]) by (x)', 'parse error : grouping not allowed for rate aggregation'],
  ['count_over_time({app="api"}[1m]) without (x)', 'parse error : grouping not allowed for count_over_time aggregation'],
  ['quantile_over_time({app="api"} | unwrap x [1m])', 'parse error : parameter required for operation quantile_over_time'],
  ['rate(0.5, {app="api"}[1m])', 'parse error : parameter 0.5 not supported for operation rate'],
  ['1 and 2', 'parse error : unexpected literal for left leg of logical/set binary operation (and): 1.000000'],
  ['vector(1) or 2', 'parse error : unexpected literal for right leg of logical/set binary operation (or): 2.000000'],
  ['0x1A', 'parse error : unable to parse literal as a float: strconv.ParseFloat: parsing "0x1A": invalid syntax'],
  ['0b1010', 'parse error : unable to parse literal as a float: strconv.ParseFloat: parsing "0b1010": invalid syntax'],
  ['{app="a"} + 1', 'parse error : unexpected type for left leg of binary operation (+): *syntax.MatchersExpr'],
  ['1 + {app="a"} |= "x"', 'parse error : unexpected type for right leg of binary operation (+): *syntax.PipelineExpr'],
  ['sort by (a) (count_over_time({app="a"}[1m]))', "parse error : sort and sort_desc doesn't allow grouping by "],
  ['approx_topk(2, count_over_time({app="a"}[1m])) by (a)', 'parse error : grouping not allowed for approx_topk aggregation'],
  ['{app="a"} |~ "("', 'parse error : stage \'|~ "("\' : error parsing regexp: missing closing ): `(`'],
  ['{app="a"} |> "<method> /api"', "parse error : stage '|> \"<method> /api\"' : named captures are not allowed: found '<method>'"],
  ['{app="a"} | line_format "{{.foo"', 'parse error : stage \'| line_format "{{.foo"\' : invalid line template: template: line:1: unclosed action'],
  ['label_replace(rate({app="a"}[1m]), "dst", "$1", "src", "(")', 'parse error : invalid regex in label_replace: error parsing regexp: missing closing ): `^(?:()$`'],
  [`{app="${'x'.repeat(5200)}"}`, 'parse error : input size too long (5208 > 5120)'],
];

test('validation errors: Loki text', () => {
  for (const [q, want] of SEMANTIC_ERRORS) assert.equal(messageOf(q), want, q);
});

/** Lexer errors, with the position of the offending token. */
const LEXER_ERRORS: ReadonlyArray<readonly [string, string]> = [
  ['{foo="bar}', 'parse error at line 1, col 6: literal not terminated'],
  ['rate({app="api"}[5minutes])', 'parse error at line 0, col 17: unknown unit "minutes" in duration "5minutes"'],
  ['rate({app="api"}[5m)', "parse error at line 0, col 17: missing closing ']' in duration"],
];

test('lexer errors: Loki text and position', () => {
  for (const [q, want] of LEXER_ERRORS) assert.equal(messageOf(q), want, q);
});

/** Valid queries and their canonical form (Loki's `String()`), which must parse to the same AST. */
const CANONICAL: ReadonlyArray<readonly [string, string]> = [
  ["{app=\"a\"}", "{app=\"a\"}"],
  ["{app=\"a\",env!=\"dev\"}", "{app=\"a\", env!=\"dev\"}"],
  ["{ app =~ \"a.+\" , env !~ \"x|y\" }", "{app=~\"a.+\", env!~\"x|y\"}"],
  ["{app=\"a\"} |= \"x\"", "{app=\"a\"} |= \"x\""],
  ["{app=\"a\"} != \"x\" |~ \"y\" !~ \"z\" |> \"<_> a\" !> \"b <_>\"", "{app=\"a\"} != \"x\" |~ \"y\" !~ \"z\" |> \"<_> a\" !> \"b <_>\""],
  ["{app=\"a\"} |= \"x\" or \"y\"", "{app=\"a\"} |= \"x\" or \"y\""],
  ["{app=\"a\"} != \"x\" or \"y\"", "{app=\"a\"} != \"x\" != \"y\""],
  ["{app=\"a\"} |= ip(\"10.0.0.0/8\")", "{app=\"a\"} |= ip(\"10.0.0.0/8\")"],
  ["{app=\"a\"} |= `raw\\d`", "{app=\"a\"} |= \"raw\\\\d\""],
  ["{app=\"a\"} | json", "{app=\"a\"} | json"],
  ["{app=\"a\"} | json a=\"b.c\", d", "{app=\"a\"} | json a=\"b.c\",d=\"d\""],
  ["{app=\"a\"} | logfmt", "{app=\"a\"} | logfmt"],
  ["{app=\"a\"} | logfmt --strict", "{app=\"a\"} | logfmt --strict"],
  ["{app=\"a\"} | logfmt --keep-empty --strict a, b=\"c\"", "{app=\"a\"} | logfmt --strict --keep-empty a=\"a\",b=\"c\""],
  ["{app=\"a\"} | regexp \"(?P<x>\\\\d+)\"", "{app=\"a\"} | regexp \"(?P<x>\\\\d+)\""],
  ["{app=\"a\"} | pattern \"<ip> - <_>\"", "{app=\"a\"} | pattern \"<ip> - <_>\""],
  ["{app=\"a\"} | unpack", "{app=\"a\"} | unpack"],
  ["{app=\"a\"} | decolorize", "{app=\"a\"} | decolorize"],
  ["{app=\"a\"} | line_format \"{{.a}}\"", "{app=\"a\"} | line_format \"{{.a}}\""],
  ["{app=\"a\"} | label_format a=b, c=\"{{.d}}\"", "{app=\"a\"} | label_format a=b,c=\"{{.d}}\""],
  ["{app=\"a\"} | drop a, b=\"c\"", "{app=\"a\"} | drop a,b=\"c\""],
  ["{app=\"a\"} | keep a, b=~\"c.*\"", "{app=\"a\"} | keep a,b=~\"c.*\""],
  ["{app=\"a\"} | a=\"b\"", "{app=\"a\"} | a=\"b\""],
  ["{app=\"a\"} | a!=\"b\" | c=~\"d\" | e!~\"f\"", "{app=\"a\"} | a!=\"b\" | c=~\"d\" | e!~\"f\""],
  ["{app=\"a\"} | a > 1 | b >= 1.5 | c < -2 | d <= +3 | e == 4 | f != 5 | g = 6", "{app=\"a\"} | a>1 | b>=1.5 | c<-2 | d<=3 | e==4 | f!=5 | g==6"],
  ["{app=\"a\"} | d > 1s | e <= 250ms | f == 1h30m", "{app=\"a\"} | d>1s | e<=250ms | f==1h30m0s"],
  ["{app=\"a\"} | a=\"b\" or c=\"d\" and e=\"f\"", "{app=\"a\"} | ( a=\"b\" or ( c=\"d\" , e=\"f\" ) )"],
  ["{app=\"a\"} | (a=\"b\" or c=\"d\") and e=\"f\"", "{app=\"a\"} | ( ( a=\"b\" or c=\"d\" ) , e=\"f\" )"],
  ["{app=\"a\"} | a=\"b\", c=\"d\"", "{app=\"a\"} | ( a=\"b\" , c=\"d\" )"],
  ["{app=\"a\"} | a=\"b\" c=\"d\"", "{app=\"a\"} | ( a=\"b\" , c=\"d\" )"],
  ["{app=\"a\"} | addr = ip(\"10.0.0.0/8\") | addr2 != ip(\"::1\")", "{app=\"a\"} | addr=ip(\"10.0.0.0/8\") | addr2!=ip(\"::1\")"],
  ["{APP=\"a\"} | LEVEL=\"x\"", "{APP=\"a\"} | LEVEL=\"x\""],
  ["count_over_time({app=\"a\"}[5m])", "count_over_time({app=\"a\"}[5m])"],
  ["count_over_time({app=\"a\"}[1h30m])", "count_over_time({app=\"a\"}[1h30m])"],
  ["count_over_time({app=\"a\"}[90s] offset 1h)", "count_over_time({app=\"a\"}[1m30s] offset 1h0m0s)"],
  ["count_over_time({app=\"a\"} |= \"x\" [5m])", "count_over_time({app=\"a\"} |= \"x\"[5m])"],
  ["count_over_time({app=\"a\"}[5m] |= \"x\")", "count_over_time({app=\"a\"} |= \"x\"[5m])"],
  ["count_over_time(({app=\"a\"} |= \"x\")[5m])", "count_over_time({app=\"a\"} |= \"x\"[5m])"],
  ["rate({app=\"a\"}[1m])", "rate({app=\"a\"}[1m])"],
  ["rate_counter({app=\"a\"} | unwrap x [1m])", "rate_counter({app=\"a\"} | unwrap x[1m])"],
  ["bytes_rate({app=\"a\"}[1m])", "bytes_rate({app=\"a\"}[1m])"],
  ["bytes_over_time({app=\"a\"}[1m])", "bytes_over_time({app=\"a\"}[1m])"],
  ["absent_over_time({app=\"a\"}[1m])", "absent_over_time({app=\"a\"}[1m])"],
  ["sum_over_time({app=\"a\"} | logfmt | unwrap x [1m])", "sum_over_time({app=\"a\"} | logfmt | unwrap x[1m])"],
  ["avg_over_time({app=\"a\"} | unwrap duration(x) [1m]) by (a)", "avg_over_time({app=\"a\"} | unwrap duration(x)[1m]) by (a)"],
  ["max_over_time({app=\"a\"} | unwrap bytes(x) [1m]) without (a, b)", "max_over_time({app=\"a\"} | unwrap bytes(x)[1m]) without (a,b)"],
  ["min_over_time({app=\"a\"} | unwrap duration_seconds(x) | __error__=\"\" [1m])", "min_over_time({app=\"a\"} | unwrap duration_seconds(x) | __error__=\"\"[1m])"],
  ["quantile_over_time(0.99, {app=\"a\"} | unwrap x [1m]) by (a)", "quantile_over_time(0.99,{app=\"a\"} | unwrap x[1m]) by (a)"],
  ["first_over_time({app=\"a\"} | unwrap x [1m])", "first_over_time({app=\"a\"} | unwrap x[1m])"],
  ["last_over_time({app=\"a\"} | unwrap x [1m] offset 5m)", "last_over_time({app=\"a\"} | unwrap x[1m] offset 5m0s)"],
  ["stddev_over_time({app=\"a\"} | unwrap x [1m])", "stddev_over_time({app=\"a\"} | unwrap x[1m])"],
  ["stdvar_over_time({app=\"a\"} | unwrap x [1m])", "stdvar_over_time({app=\"a\"} | unwrap x[1m])"],
  ["sum(rate({app=\"a\"}[1m]))", "sum(rate({app=\"a\"}[1m]))"],
  ["sum by (a) (rate({app=\"a\"}[1m]))", "sum by (a)(rate({app=\"a\"}[1m]))"],
  ["sum(rate({app=\"a\"}[1m])) by (a, b)", "sum by (a,b)(rate({app=\"a\"}[1m]))"],
  ["sum without (a) (rate({app=\"a\"}[1m]))", "sum without (a)(rate({app=\"a\"}[1m]))"],
  ["avg(rate({app=\"a\"}[1m]))", "avg(rate({app=\"a\"}[1m]))"],
  ["min(rate({app=\"a\"}[1m]))", "min(rate({app=\"a\"}[1m]))"],
  ["max(rate({app=\"a\"}[1m]))", "max(rate({app=\"a\"}[1m]))"],
  ["count(rate({app=\"a\"}[1m]))", "count(rate({app=\"a\"}[1m]))"],
  ["stddev(rate({app=\"a\"}[1m]))", "stddev(rate({app=\"a\"}[1m]))"],
  ["stdvar(rate({app=\"a\"}[1m]))", "stdvar(rate({app=\"a\"}[1m]))"],
  ["topk(3, rate({app=\"a\"}[1m]))", "topk(3,rate({app=\"a\"}[1m]))"],
  ["bottomk by (a) (2, rate({app=\"a\"}[1m]))", "bottomk by (a)(2,rate({app=\"a\"}[1m]))"],
  ["sort(rate({app=\"a\"}[1m]))", "sort(rate({app=\"a\"}[1m]))"],
  ["sort_desc(rate({app=\"a\"}[1m]))", "sort_desc(rate({app=\"a\"}[1m]))"],
  ["approx_topk(5, rate({app=\"a\"}[1m]))", "approx_topk(5,rate({app=\"a\"}[1m]))"],
  ["sum by () (rate({app=\"a\"}[1m]))", "sum(rate({app=\"a\"}[1m]))"],
  ["rate({app=\"a\"}[1m]) + rate({app=\"b\"}[1m])", "(rate({app=\"a\"}[1m]) + rate({app=\"b\"}[1m]))"],
  ["rate({app=\"a\"}[1m]) / on (a) group_left (b) rate({app=\"b\"}[1m])", "(rate({app=\"a\"}[1m]) / on (a) group_left (b) rate({app=\"b\"}[1m]))"],
  ["rate({app=\"a\"}[1m]) * ignoring (a) group_right rate({app=\"b\"}[1m])", "(rate({app=\"a\"}[1m]) * ignoring (a) group_right rate({app=\"b\"}[1m]))"],
  ["rate({app=\"a\"}[1m]) > bool 1", "(rate({app=\"a\"}[1m]) > bool 1)"],
  ["rate({app=\"a\"}[1m]) and rate({app=\"b\"}[1m])", "(rate({app=\"a\"}[1m]) and rate({app=\"b\"}[1m]))"],
  ["rate({app=\"a\"}[1m]) or rate({app=\"b\"}[1m])", "(rate({app=\"a\"}[1m]) or rate({app=\"b\"}[1m]))"],
  ["rate({app=\"a\"}[1m]) unless rate({app=\"b\"}[1m])", "(rate({app=\"a\"}[1m]) unless rate({app=\"b\"}[1m]))"],
  ["rate({app=\"a\"}[1m]) ^ 2", "(rate({app=\"a\"}[1m]) ^ 2)"],
  ["rate({app=\"a\"}[1m]) % 2 - 1", "((rate({app=\"a\"}[1m]) % 2) - 1)"],
  ["(rate({app=\"a\"}[1m]))", "rate({app=\"a\"}[1m])"],
  ["vector(1)", "vector(1.000000)"],
  ["vector(1) + vector(2)", "(vector(1.000000) + vector(2.000000))"],
  ["1", "1"],
  ["-1.5", "-1.5"],
  ["1 + 2 * 3", "7"],
  ["2 ^ 3 ^ 2", "512"],
  ["label_replace(rate({app=\"a\"}[1m]), \"dst\", \"$1\", \"src\", \"(.*)\")", "label_replace(rate({app=\"a\"}[1m]),\"dst\",\"$1\",\"src\",\"(.*)\")"],
  ["sum(count_over_time({app=\"a\"} | json | level=\"error\" [5m])) by (host) > 10", "(sum by (host)(count_over_time({app=\"a\"} | json | level=\"error\"[5m])) > 10)"],

];

test('printer: canonical text and round-trip', () => {
  for (const [q, want] of CANONICAL) {
    const ast = parseExpr(q);
    const printed = formatExpr(ast);
    assert.equal(printed, want, q);
    assert.deepEqual(parseExpr(printed), ast, `round-trip of ${q}`);
    assert.equal(formatExpr(parseExpr(printed)), printed, `printing is stable for ${q}`);
  }
});

test('every syntax-error prefix of a valid query is rejected, never crashes', () => {
  for (const [q] of CANONICAL) {
    for (let i = 1; i < q.length; i++) {
      const m = messageOf(q.slice(0, i));
      if (m !== undefined) assert.match(m, /^parse error /, q.slice(0, i));
    }
  }
});
