import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Labels } from '@lode/store';
import { parseExpr, type LogQueryExpr, type RangeAggregationExpr } from '../logql/index.js';
import { compilePipeline, type PipelineOptions, type PipelineResult } from './index.js';

function pipe(query: string, opts: PipelineOptions = {}) {
  const e = parseExpr(query);
  if (e.kind === 'LogQuery') return compilePipeline((e as LogQueryExpr).pipeline, opts);
  const r = (e as RangeAggregationExpr).range;
  return compilePipeline(r.pipeline, { ...opts, unwrap: r.unwrap });
}

function run(query: string, line: string, stream: Labels = { app: 'a' }, metadata: Labels = {}, opts: PipelineOptions = {}): PipelineResult | undefined {
  return pipe(query, opts).process(1_000_000_000n, line, Buffer.from(line), stream, metadata);
}

function labels(query: string, line: string, stream: Labels = { app: 'a' }, metadata: Labels = {}, opts: PipelineOptions = {}): Labels | undefined {
  const r = run(query, line, stream, metadata, opts);
  return r && { ...r.labels };
}

describe('line filters', () => {
  it('substring, regexp, pattern, negations and or chains', () => {
    const l = 'req id=1 err=connrefused';
    assert.ok(run('{app="a"} |= "err"', l));
    assert.equal(run('{app="a"} |= "ERR"', l), undefined);
    assert.equal(run('{app="a"} != "err"', l), undefined);
    assert.ok(run('{app="a"} |= ""', l));
    assert.ok(run('{app="a"} |~ "(?i)ERR=conn"', l));
    assert.equal(run('{app="a"} !~ "err=c.nn"', l), undefined);
    assert.ok(run('{app="a"} |> "GET <_> 200"', 'GET /api 200'));
    assert.equal(run('{app="a"} |> "GET /api"', 'GET /api 200'), undefined);
    assert.ok(run('{app="a"} !> "GET <_> 200"', 'POST /api 500'));
    assert.ok(run('{app="a"} |= "error" or "warn"', 'level=warn y'));
    assert.equal(run('{app="a"} != "error" or "warn"', 'level=warn y'), undefined);
    assert.ok(run('{app="a"} |~ "err.r" or "wa.n"', 'level=warn y'));
  });

  it('ip() in lines, CIDR, ranges, IPv6, or chains', () => {
    assert.ok(run('{app="a"} |= ip("192.168.1.0/24")', 'src 192.168.1.10 ok'));
    assert.equal(run('{app="a"} |= ip("192.168.1.0/24")', 'src 10.0.0.9 ok'), undefined);
    assert.ok(run('{app="a"} != ip("192.168.1.0/24")', 'no ip here'));
    assert.ok(run('{app="a"} |= ip("10.0.0.0/8") or "special"', 'special no ip'));
    assert.ok(run('{app="a"} |= ip("2001:db8::/32")', 'from 2001:db8::1 x'));
    assert.ok(run('{app="a"} |= ip("10.0.0.1-10.0.0.9")', 'client 10.0.0.7:80'));
  });

  it('reports required literals for the store', () => {
    assert.deepEqual(pipe('{app="a"} |= "x" |~ "y" |= "z" | line_format "q" |= "w"').requiredLiterals, ['x', 'z']);
    assert.deepEqual(pipe('{app="a"} |= "x" or "y" != "z"').requiredLiterals, []);
  });

  it('rejects bad regexps, ip patterns and named captures at compile time', () => {
    assert.throws(() => pipe('{app="a"} |~ "("'), /error parsing regexp/);
    assert.throws(() => pipe('{app="a"} |= ip("notanip")'), /ip: invalid pattern/);
    assert.throws(() => pipe('{app="a"} |> "<verb> /api 200"'), /named captures are not allowed/);
  });
});

describe('parsers', () => {
  it('logfmt: sanitising, empty values, quoting, clashes', () => {
    const l = 'a-b=1 9x=2 dup=first dup=second msg="hi there" empty=';
    assert.deepEqual(labels('{app="a"} | logfmt', l), { app: 'a', a_b: '1', _9x: '2', dup: 'second', msg: 'hi there' });
    assert.deepEqual(labels('{app="a"} | logfmt --keep-empty', l, undefined, undefined, { firstDuplicateWins: true }), {
      app: 'a', a_b: '1', _9x: '2', dup: 'first', msg: 'hi there', empty: '',
    });
    assert.deepEqual(labels('{app="a"} | logfmt level, code="status"', 'level=info status=200 msg=hi'), { app: 'a', level: 'info', code: '200' });
  });

  it('_extracted precedence: stream > metadata > parsed', () => {
    assert.deepEqual(labels('{app="a"} | logfmt', 'sl=p md=p tri=p', { app: 'a', sl: 's', sm: 's', tri: 's' }, { md: 'm', sm: 'm', tri: 'm' }), {
      app: 'a', sl: 's', sl_extracted: 'p', md: 'm', md_extracted: 'p', sm: 's', sm_extracted: 'm', tri: 's', tri_extracted: 'p',
    });
  });

  it('logfmt: malformed pairs are skipped, --strict fails the line', () => {
    const l = 'good=1 bad="unterminated';
    assert.deepEqual(labels('{app="a"} | logfmt', l), { app: 'a', good: '1' });
    const r = labels('{app="a"} | logfmt --strict', l)!;
    assert.equal(r.__error__, 'LogfmtParserErr');
    assert.equal(run('{app="a"} | logfmt --strict | __error__=""', l), undefined);
  });

  it('json: flattening, literal numbers, arrays and nulls dropped, sanitised keys', () => {
    const l = '{"lvl":"warn","obj":{"x":1,"y":{"z":2}},"ok":true,"no":false,"nil":null,"arr":[1,2],"f":1.50,"a.b":"c","9":"n"}';
    assert.deepEqual(labels('{app="a"} | json', l), { app: 'a', lvl: 'warn', obj_x: '1', obj_y_z: '2', ok: 'true', no: 'false', f: '1.50', a_b: 'c', _9: 'n' });
    assert.deepEqual(labels('{app="a", level="stream"} | json', '{"level":"parsed"}', { app: 'a', level: 'stream' }), { app: 'a', level: 'stream', level_extracted: 'parsed' });
  });

  it('json: invalid line sets JSONParserErr; params read paths', () => {
    const bad = labels('{app="a"} | json', 'broken')!;
    assert.equal(bad.__error__, 'JSONParserErr');
    assert.ok(bad.__error_details__);
    const l = '{"user":{"id":"u1"},"tags":["x","y"],"o":{"k":[1, 2]}}';
    assert.deepEqual(labels('{app="a"} | json who="user.id", tag="tags[0]", age="user.age", raw="o", q="[\\"user\\"][\\"id\\"]"', l), {
      app: 'a', who: 'u1', tag: 'x', age: '', raw: '{"k":[1, 2]}', q: 'u1',
    });
    assert.throws(() => pipe('{app="a"} | json bad="user["'), /cannot parse expression/);
  });

  it('unpack: string fields become labels, _entry replaces the line', () => {
    const r = run('{app="a"} | unpack | logfmt', '{"lvl":"packed","num":5,"_entry":"code=42"}', { app: 'a', lvl: 'stream' })!;
    assert.deepEqual({ ...r.labels }, { app: 'a', lvl: 'stream', lvl_extracted: 'packed', code: '42' });
    assert.equal(r.line, 'code=42');
    assert.equal(labels('{app="a"} | unpack', 'not json')!.__error__, 'JSONParserErr');
  });

  it('regexp and pattern', () => {
    assert.deepEqual(labels('{app="a"} | regexp `(?P<method>\\w+) (?P<path>\\S+) (?P<status>\\d+)`', 'GET /home 200'), { app: 'a', method: 'GET', path: '/home', status: '200' });
    assert.deepEqual(labels('{app="a"} | regexp `(?P<num>\\d+)`', 'PUT /x'), { app: 'a' });
    assert.throws(() => pipe('{app="a"} | regexp `nocapture`'), /at least one named capture must be supplied/);
    assert.throws(() => pipe('{app="a"} | regexp `(?P<x>.)(?P<x>.)`'), /duplicate extracted label name/);
    assert.deepEqual(labels('{app="a"} | pattern `<method> <_> <status>`', 'GET /home 200'), { app: 'a', method: 'GET', status: '200' });
    assert.deepEqual(labels('{app="a", method="stream"} | pattern `<method> <path>`', 'POST', { app: 'a', method: 'stream' }), { app: 'a', method: 'stream', method_extracted: 'POST' });
    assert.throws(() => pipe('{app="a"} | pattern `no captures here`'), /at least one capture is required/);
  });
});

describe('label filters', () => {
  it('string, numeric, duration, bytes comparisons', () => {
    assert.ok(run('{app="a"} | logfmt | name=~"al.*"', 'name=alpha'));
    assert.equal(run('{app="a"} | logfmt | name=~"alph"', 'name=alpha'), undefined);
    assert.ok(run('{app="a"} | logfmt | name=""', 'other=1'));
    assert.ok(run('{app="a"} | logfmt | code == 200', 'code=200.0'));
    assert.ok(run('{app="a"} | logfmt | code > 1e3', 'code=1500'));
    assert.ok(run('{app="a"} | logfmt | took == 1h', 'took=3600000000µs'));
    assert.ok(run('{app="a"} | logfmt | took > 1.5s', 'took=1h30m'));
    assert.equal(run('{app="a"} | logfmt | took > 0s', 'other=1'), undefined);
    assert.ok(run('{app="a"} | logfmt | size == 3000KB', 'size=3MB'));
    assert.ok(run('{app="a"} | logfmt | size > 1MB', 'size=3mb'));
    assert.ok(run('{app="m"} | status >= 500', 'x', { app: 'm' }, { status: '500' }));
  });

  it('conversion errors: LabelFilterErr, first error owns the details', () => {
    assert.equal(labels('{app="a"} | logfmt | status > 400', 'status=oops')!.__error__, 'LabelFilterErr');
    assert.equal(run('{app="a"} | logfmt | status > 400 | __error__=""', 'status=oops'), undefined);
    assert.match(labels('{app="a"} | logfmt | x > 1s and y > 1s', 'x=nope y=90')!.__error_details__!, /invalid duration/);
    assert.match(labels('{app="a"} | logfmt | y > 1s and x > 1s', 'x=nope y=90')!.__error_details__!, /missing unit in duration/);
    assert.match(labels('{app="a"} | logfmt | z > 1MB', 'z=oops')!.__error_details__!, /parsing "": invalid syntax/);
    assert.match(labels('{app="a"} | logfmt | took == 1d', 'took=1d')!.__error_details__!, /unknown unit/);
    assert.equal(run('{app="a"} | logfmt | took > 1s | __error__ > 0', 'took=oops'), undefined);
  });

  it('errored lines: ip() keeps them, converting filters need their label, or short-circuits', () => {
    assert.equal(labels('{app="a"} | json | addr = ip("1.2.3.0/24")', 'not json')!.__error__, 'JSONParserErr');
    assert.equal(run('{app="a"} | json | took > 1s', 'not json'), undefined);
    assert.equal(run('{app="a"} | json | addr="1.2.3.4"', 'not json'), undefined);
    assert.ok(run('{app="a"} | logfmt | lvl="error" or took > 1s', 'lvl=error took=oops')!.labels.__error__ === undefined);
    assert.equal(labels('{app="a"} | logfmt | lvl="error" and took > 1s', 'lvl=error took=oops')!.__error__, 'LabelFilterErr');
  });

  it('and binds tighter than or; ip() label filter', () => {
    const q = '{app="a"} | logfmt | x="1" or y="1" and z="1"';
    assert.ok(run(q, 'x=0 y=1 z=1'));
    assert.equal(run(q, 'x=0 y=1 z=0'), undefined);
    assert.ok(run('{app="a"} | logfmt | addr = ip("10.0.0.0/8")', 'addr="client 10.0.0.7:80"'));
    assert.ok(run('{app="a"} | logfmt | addr != ip("192.168.0.0/16")', 'addr=notanip'));
    assert.equal(run('{app="a"} | logfmt | addr != ip("192.168.0.0/16")', 'other=1'), undefined);
  });
});

describe('formatters, drop, keep, decolorize', () => {
  it('line_format and label_format', () => {
    assert.equal(run('{app="a", level="error"} | line_format "L={{.level}}"', 'x', { app: 'a', level: 'error' })!.line, 'L=error');
    assert.equal(run('{app="a"} | line_format "V={{.missing}}"', 'x')!.line, 'V=');
    assert.equal(run('{app="a"} | line_format "{{ __line__ | upper }}"', 'abc')!.line, 'ABC');
    assert.deepEqual(labels('{app="a"} | label_format verb=method', 'm', { app: 'a', method: 'get' }), { app: 'a', verb: 'get' });
    assert.deepEqual(labels('{app="a"} | label_format route="{{.method}}-ok", method="{{.method}}!"', 'm', { app: 'a', method: 'get' }), {
      app: 'a', method: 'get!', route: 'get-ok',
    });
    assert.throws(() => pipe('{app="a"} | line_format "{{ nosuchfunc }}"'), /not defined/);
    assert.throws(() => pipe('{app="a"} | label_format x="{{"'), /unclosed action/);
  });

  it('decolorize strips ANSI codes', () => {
    assert.equal(run('{app="a"} | line_format `{{ printf "\\x1b[31m%s\\x1b[0m" .app }}` | decolorize', 'x')!.line, 'a');
  });

  it('drop and keep by name and matcher, errors survive keep', () => {
    const s = { app: 'a', code: '500', zone: 'eu' };
    assert.deepEqual(labels('{app="a"} | drop code, zone', 'm', s), { app: 'a' });
    assert.deepEqual(labels('{app="a"} | drop code="200"', 'm', s), s);
    assert.deepEqual(labels('{app="a"} | keep code="500"', 'm', s), { code: '500' });
    assert.deepEqual(labels('{app="a"} | keep zone', 'm', s), { zone: 'eu' });
    assert.deepEqual(labels('{app="a"} | json | drop __error__, __error_details__', 'x'), { app: 'a' });
    assert.equal(labels('{app="a"} | json | keep app', 'x')!.__error__, 'JSONParserErr');
  });
});

describe('unwrap', () => {
  it('converts values, drops the unwrapped label, flags failures', () => {
    const q = 'sum_over_time({app="a"} | logfmt | unwrap duration(took) [1m])';
    const r = run(q, 'took=1.5s lvl=x')!;
    assert.equal(r.value, 1.5);
    assert.deepEqual({ ...r.labels }, { app: 'a', lvl: 'x' });
    assert.equal(run('sum_over_time({app="a"} | logfmt | unwrap bytes(size) [1m])', 'size=2KiB')!.value, 2048);
    assert.equal(run('sum_over_time({app="a"} | logfmt | unwrap n [1m])', 'n=abc')!.labels.__error__, 'SampleExtractionErr');
    assert.equal(run('sum_over_time({app="a"} | logfmt | unwrap n | __error__="" [1m])', 'n=abc'), undefined);
    assert.equal(run('sum_over_time({app="a"} | logfmt | unwrap n [1m])', 'm=1'), undefined);
  });
});

describe('label set interning', () => {
  it('returns the same object and key for equal label sets', () => {
    const p = pipe('{app="a"} | logfmt');
    const a = p.process(1n, 'x=1', undefined, { app: 'a' }, {})!;
    const b = p.process(2n, 'x=1', undefined, { app: 'a' }, {})!;
    assert.equal(a.labels, b.labels);
    assert.equal(a.key, '{app="a", x="1"}');
  });
});

describe('regexp parser errors', () => {
  it('reports a bad regexp before a missing capture', () => {
    assert.throws(() => pipe('{app="a"} | regexp `(`'), /error parsing regexp/);
  });
});

describe('lineNeedle', () => {
  const needle = (query: string, stream: Labels = { app: 'a' }, hasMetadata = false): string | undefined =>
    pipe(query).lineNeedle(stream, hasMetadata)?.toString('utf8');

  it('is the longest literal a leading filter requires', () => {
    assert.equal(needle('{app="a"} |= "err" |= "connrefused"'), 'connrefused');
    assert.equal(needle('{app="a"} |~ "status=5\\\\d\\\\d"'), 'status=5');
  });

  it('is undefined when no literal is required', () => {
    assert.equal(needle('{app="a"} != "err"'), undefined);
    assert.equal(needle('{app="a"} |~ "(?i)err=conn"'), undefined);
    assert.equal(needle('{app="a"} |= "a" or "b"'), undefined);
    assert.equal(needle('{app="a"} | json | status >= 500'), undefined);
  });

  it('takes the key a logfmt label filter needs, unless a stream label or metadata may supply it', () => {
    assert.equal(needle('{app="a"} | logfmt | status >= 500'), 'status');
    assert.equal(needle('{app="a"} | logfmt | status >= 500', { app: 'a', status: '503' }), undefined);
    assert.equal(needle('{app="a"} | logfmt | status >= 500', { app: 'a' }, true), undefined);
  });
});
