import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Labels } from '@lode/store';
import { syslogEntry, syslogLabels } from './map.js';
import { parseRfc3339Nanos, parseSyslog, type SyslogMessage } from './parse.js';

const now = new Date(2024, 5, 15, 12, 0, 0).getTime();
const RECV_MS = 42;
const RECV = 42_000_000n;

const mapSyslog = (msg: SyslogMessage, extra: Labels, receivedMs: number) => ({ labels: syslogLabels(msg, extra), entry: syslogEntry(msg, receivedMs) });

test('RFC 5424 with structured data, BOM and fractional time', () => {
  const text = '<165>1 2003-10-11T22:14:15.003000123+02:00 mymachine.example.com evntslog 123 ID47 [exampleSDID@32473 iut="3" eventSource="App\\"x\\]" eventID="1011"][b@1 k="v"] \uFEFFAn application event';
  const m = mapSyslog(parseSyslog(text, now), { env: 'prod' }, RECV_MS);
  assert.deepEqual(m.labels, { env: 'prod', service_name: 'evntslog', hostname: 'mymachine.example.com', facility: 'local4' });
  assert.equal(m.entry.ts, parseRfc3339Nanos('2003-10-11T20:14:15.003000123Z'));
  assert.equal(m.entry.ts, 1065903255003000123n);
  assert.equal(m.entry.line, 'An application event');
  assert.deepEqual(m.entry.metadata, {
    severity: 'notice',
    detected_level: 'info',
    procid: '123',
    msgid: 'ID47',
    exampleSDID_32473_iut: '3',
    exampleSDID_32473_eventSource: 'App"x]',
    exampleSDID_32473_eventID: '1011',
    b_1_k: 'v',
  });
});

test('RFC 5424 with nil fields and no SD', () => {
  const m = mapSyslog(parseSyslog('<11>1 - - - - - - hello', now), {}, RECV_MS);
  assert.deepEqual(m.labels, { service_name: 'unknown_service', facility: 'user' });
  assert.equal(m.entry.ts, RECV);
  assert.equal(m.entry.line, 'hello');
  assert.deepEqual(m.entry.metadata, { severity: 'err', detected_level: 'error' });
});

test('RFC 3164 with host and tag[pid], current year in local time', () => {
  const m = mapSyslog(parseSyslog('<34>Oct  3 22:14:15 mymachine su[230]: \'su root\' failed for lonvick', now), {}, RECV_MS);
  assert.deepEqual(m.labels, { service_name: 'su', hostname: 'mymachine', facility: 'auth' });
  assert.equal(m.entry.ts, BigInt(new Date(2023, 9, 3, 22, 14, 15).getTime()) * 1_000_000n, 'October is in the future in June → last year');
  assert.equal(m.entry.line, "'su root' failed for lonvick");
  assert.deepEqual(m.entry.metadata, { severity: 'crit', detected_level: 'critical', procid: '230' });
  const jan = mapSyslog(parseSyslog('<13>Jan  2 03:04:05 host app: hi', now), {}, RECV_MS);
  assert.equal(jan.entry.ts, BigInt(new Date(2024, 0, 2, 3, 4, 5).getTime()) * 1_000_000n);
});

test('RFC 3164 without timestamp or host keeps the line and uses receive time', () => {
  const m = mapSyslog(parseSyslog('<13>myapp: no header here', now), {}, RECV_MS);
  assert.equal(m.labels['service_name'], 'myapp');
  assert.equal(m.entry.ts, RECV);
  assert.equal(m.entry.line, 'no header here');
});

test('non-syslog text is kept whole as unknown_service / unknown level', () => {
  for (const text of ['just some garbage', '<999>bad pri', '\u0000\u0001binary']) {
    const m = mapSyslog(parseSyslog(text, now), {}, RECV_MS);
    assert.deepEqual(m.labels, { service_name: 'unknown_service' });
    assert.equal(m.entry.line, text);
    assert.deepEqual(m.entry.metadata, { detected_level: 'unknown' });
  }
});

test('a broken RFC 5424 header still keeps the message as 3164', () => {
  const m = mapSyslog(parseSyslog('<14>1 2024-01-01T00:00:00Z host app - - [unterminated sd', now), {}, RECV_MS);
  assert.equal(m.entry.line, '1 2024-01-01T00:00:00Z host app - - [unterminated sd');
});

test('RFC 3339 timestamps: the cached second gives the same answers as a full parse', () => {
  assert.equal(parseRfc3339Nanos('2024-01-02T03:04:05.5Z'), 1704164645500000000n);
  assert.equal(parseRfc3339Nanos('2024-01-02T03:04:05.123456789Z'), 1704164645123456789n);
  assert.equal(parseRfc3339Nanos('2024-01-02T03:04:05Z'), 1704164645000000000n);
  assert.equal(parseRfc3339Nanos('2024-01-02T03:04:05.1+01:00'), 1704161045100000000n);
  assert.equal(parseRfc3339Nanos('2024-01-02T03:04:05.1Zjunk'), undefined);
  assert.equal(parseRfc3339Nanos('2024-01-02T03:04:06.000001z'), 1704164646000001000n);
});

test('timestamps of a repeated second (cached) parse like the first one of it', () => {
  assert.equal(parseRfc3339Nanos('2024-01-02T03:04:05Z'), 1704164645000000000n);
  assert.equal(parseRfc3339Nanos('2024-01-02T03:04:05.123456789z'), 1704164645123456789n);
  assert.equal(parseRfc3339Nanos('2024-01-02T03:04:05.1Z'), 1704164645100000000n);
  assert.equal(parseRfc3339Nanos('2024-01-02T03:04:05.+01:00'), undefined);
  assert.equal(parseRfc3339Nanos('2024-01-02T03:04:05.1234567891Z'), undefined);
  assert.equal(parseRfc3339Nanos('2024-01-02T03:04:05+01:00'), 1704161045000000000n);
});

test('PRI: 1–3 digits up to 191, else the text is not syslog', () => {
  assert.equal(parseSyslog('<191>x: y', now).syslog, true);
  assert.equal(parseSyslog('<192>x: y', now).syslog, false);
  assert.equal(parseSyslog('<0013>x: y', now).syslog, false);
  assert.equal(parseSyslog('<>x: y', now).syslog, false);
  assert.equal(parseSyslog('<13x: y', now).syslog, false);
  const m = parseSyslog('<013>x: y', now);
  assert.deepEqual([m.facility, m.severity], [1, 5]);
});
