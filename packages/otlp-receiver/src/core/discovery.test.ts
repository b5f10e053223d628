import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_LIMITS } from '@lode/store';
import { detectLevel, levelFromLine, logfmtLevelValue, withServiceName } from './discovery.js';

const candidates = DEFAULT_LIMITS.discover_service_name;

test('service_name is copied from the first candidate label present', () => {
  assert.deepEqual(withServiceName({ job: 'j', app: 'a' }, candidates), { job: 'j', app: 'a', service_name: 'a' });
  assert.deepEqual(withServiceName({ foo: 'x' }, candidates), { foo: 'x', service_name: 'unknown_service' });
  const given = { service_name: 's', app: 'a' };
  assert.equal(withServiceName(given, candidates), given);
});

test('an empty candidate list disables service_name discovery', () => {
  const labels = { app: 'a' };
  assert.equal(withServiceName(labels, []), labels);
});

test('detected_level prefers labels, then metadata, then OTLP severity, then the line', () => {
  assert.equal(detectLevel({ level: 'WARN' }, { level: 'debug' }, 'error'), 'WARN');
  assert.equal(detectLevel({}, { severity: 'debug' }, 'error'), 'debug');
  assert.equal(detectLevel({}, { severity_number: '17' }, 'info'), 'error');
  assert.equal(detectLevel({}, { severity_number: '0' }, 'info'), 'unknown');
  assert.equal(detectLevel({}, undefined, '{"msg":"x","level":"ERR"}'), 'error');
});

test('line sniffing follows Loki: JSON and logfmt fields, then keywords', () => {
  assert.equal(levelFromLine('{"level":"warning","msg":"disk"}'), 'warn');
  assert.equal(levelFromLine('ts=1 lvl=dbg msg=hello'), 'debug');
  assert.equal(levelFromLine('level="fatal" msg=x'), 'fatal');
  assert.equal(levelFromLine('something ERROR happened'), 'error');
  assert.equal(levelFromLine('an INFO line with error'), 'info');
  assert.equal(levelFromLine('CRITICAL: meltdown'), 'critical');
  assert.equal(levelFromLine('plain text'), 'unknown');
});

test('the logfmt level scanner captures what Loki\'s regexp captures, on generated lines', () => {
  const oracle = /(?:^|\s)(?:level|LEVEL|Level|severity|SEVERITY|Severity|lvl|LVL|Lvl)="?([^"\s]*)/;
  const tokens = [' ', '\t', '\u00a0', '\u2028', '\ufeff', '=', '"', 'level', 'LEVEL', 'Level', 'lEvel', 'lvl', 'Lvl', 'severity', 'SEVERITY', 'xlevel', 'levels', 'info', 'WARN', 'x', 'é', '日'];
  let seed = 7;
  const next = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  for (let i = 0; i < 20_000; i++) {
    let line = '';
    const parts = 1 + next(12);
    for (let p = 0; p < parts; p++) line += tokens[next(tokens.length)];
    assert.equal(logfmtLevelValue(line), oracle.exec(line)?.[1], JSON.stringify(line));
  }
  assert.equal(levelFromLine('ts=1 Severity="WARNING" level=debug'), 'warn');
  assert.equal(levelFromLine('xlevel=error but info later'), 'info');
});

test('logfmt level values map to levels as lower-casing and Loki\'s names do, in any case and with look-alike letters', () => {
  const names: Record<string, string> = { trace: 'trace', trc: 'trace', debug: 'debug', dbg: 'debug', info: 'info', inf: 'info', warn: 'warn', wrn: 'warn', warning: 'warn', error: 'error', err: 'error', critical: 'critical', fatal: 'fatal' };
  const pieces = ['i', 'I', 'n', 'N', 'f', 'F', 'o', 'O', 'e', 'E', 'r', 'R', 'w', 'W', 'a', 'A', 'g', 'G', 'd', 'D', 'b', 'B', 't', 'T', 'c', 'C', 'l', 'L', 'u', 'U', '\u0130', '\u212a', 'ı', 'é', 'x'];
  let seed = 11;
  const next = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const values = [...Object.keys(names), ...Object.keys(names).map((w) => w.toUpperCase()), 'WaRnInG', 'İnfo', 'info\u212a', 'ınfo', 'infos', ''];
  for (let i = 0; i < 20_000; i++) {
    let v = '';
    const n = 1 + next(8);
    for (let k = 0; k < n; k++) v += pieces[next(pieces.length)];
    values.push(v);
  }
  for (const v of values) {
    // An unknown value leaves the level to keywords anywhere in the line: the same as for the value alone.
    const expected = names[v.toLowerCase()] ?? levelFromLine(`x ${v}`);
    assert.equal(levelFromLine(`ts=1 level=${v} msg=x`), expected, JSON.stringify(v));
  }
});

test('service_name is added after the labels in their order, as a spread would, __proto__ and numeric names included', () => {
  const candidates = ['app'];
  for (const text of ['{"b":"1","a":"2","app":"x"}', '{"2":"two","a":"x","10":"ten"}', '{"__proto__":"p","app":"x"}', '{"z":"1"}']) {
    const labels = JSON.parse(text) as Record<string, string>;
    const got = withServiceName(labels, candidates);
    const want = { ...labels, service_name: labels['app'] ?? 'unknown_service' };
    assert.deepEqual(Object.entries(got), Object.entries(want), text);
    assert.equal(Object.getPrototypeOf(got), Object.prototype, text);
  }
});

