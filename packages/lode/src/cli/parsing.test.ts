/** Label sets, durations and timestamps as the client commands read them from the command line. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseLabelSet } from './label-set.js';
import { formatNs, parseDuration, parseTimestamp } from './time.js';
import { UsageError } from './errors.js';

test('label sets', () => {
  assert.deepEqual(parseLabelSet('{app="x"}'), { app: 'x' });
  assert.deepEqual(parseLabelSet(' { app = "a\\"b" , env=`p\\d`, } '), { app: 'a"b', env: 'p\\d' });
  for (const bad of ['app="x"', '{}', '{app=~"x"}', '{app=x}', '{app="x"', '{app="x",app="y"}', '{1a="x"}', '{a="x"} z']) {
    assert.throws(() => parseLabelSet(bad), UsageError, bad);
  }
});

test('durations', () => {
  assert.equal(parseDuration('1h30m', 'd'), 5_400_000_000_000n);
  assert.equal(parseDuration('1.5s', 'd'), 1_500_000_000n);
  assert.equal(parseDuration('250ms', 'd'), 250_000_000n);
  assert.equal(parseDuration('2d', 'd'), 172_800_000_000_000n);
  for (const bad of ['', '5', '5 m', 'm', '1h-1m']) assert.throws(() => parseDuration(bad, '--since'), /--since: .* is not a duration/);
});

test('timestamps', () => {
  assert.equal(parseTimestamp('2024-05-01T10:00:00Z', 't'), 1_714_557_600_000_000_000n);
  assert.equal(parseTimestamp('2024-05-01T10:00:00.123456789Z', 't'), 1_714_557_600_123_456_789n);
  assert.equal(parseTimestamp('1714557600.5', 't'), 1_714_557_600_500_000_000n);
  assert.equal(parseTimestamp('1714557600123456789', 't'), 1_714_557_600_123_456_789n);
  assert.throws(() => parseTimestamp('yesterday', '--from'), /--from: "yesterday" is not a time/);
  assert.equal(formatNs(1_714_557_600_123_456_789n), '2024-05-01T10:00:00.123456789Z');
  assert.equal(formatNs(1_714_557_600_000_000_000n), '2024-05-01T10:00:00Z');
  assert.equal(formatNs(1_714_557_600_500_000_000n), '2024-05-01T10:00:00.5Z');
});
