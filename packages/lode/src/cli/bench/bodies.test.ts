import assert from 'node:assert/strict';
import { test } from 'node:test';
import snappy from 'snappy';
import { LokiPushRequestType, OtlpExportLogsServiceRequestType } from '@lode/otlp-receiver';
import { lokiJson, lokiProto, otlpProto, snappyBlock, syslogFrames, type Batch } from './bodies.js';
import { LinePool } from './generator.js';
import { unixNanosWords, varintSize } from './wire.js';

const pool = new LinePool(3, 64);

/** Two streams; timestamps cover a second boundary, a zero-nanosecond second and the epoch itself. */
const batch: Batch = {
  pool,
  streams: [
    { labels: { app: 'api', instance: 'i-0' }, lines: [0, 1, 2], seconds: [1_763_700_000, 1_763_700_000, 1_763_700_001], nanos: [999_999_998, 999_999_999, 0] },
    { labels: { app: 'web', env: 'prod' }, lines: [3, 63], seconds: [0, 4_102_444_800], nanos: [5, 123] },
  ],
};
const nanosOf = (s: number, n: number) => BigInt(s) * 1_000_000_000n + BigInt(n);
const expected = batch.streams.map((s) => ({
  labels: s.labels,
  values: s.lines.map((i, j) => [nanosOf(s.seconds[j]!, s.nanos[j]!).toString(), pool.lines[i]!]),
}));

test('bench Loki JSON body: labels, decimal nanosecond timestamps and lines as JSON.stringify gives them', () => {
  const body = lokiJson(batch).body as Buffer;
  const doc = JSON.parse(body.toString()) as { streams: Array<{ stream: object; values: string[][] }> };
  assert.deepEqual(
    doc.streams.map((s) => ({ labels: s.stream, values: s.values })),
    expected,
  );
  assert.equal(body.toString(), JSON.stringify({ streams: expected.map((s) => ({ stream: s.labels, values: s.values })) }));
});

test('bench Loki protobuf body decodes to the same streams', () => {
  const msg = LokiPushRequestType.toObject(LokiPushRequestType.decode(snappy.uncompressSync(lokiProto(batch).body as Buffer) as Buffer), { longs: String }) as {
    streams: Array<{ labels: string; entries: Array<{ timestamp: { seconds?: string; nanos?: number }; line: string }> }>;
  };
  assert.deepEqual(
    msg.streams.map((s) => ({ labels: s.labels, values: s.entries.map((e) => [nanosOf(Number(e.timestamp.seconds ?? 0), e.timestamp.nanos ?? 0).toString(), e.line]) })),
    [
      { labels: '{app="api", instance="i-0"}', values: expected[0]!.values },
      { labels: '{app="web", env="prod"}', values: expected[1]!.values },
    ],
  );
});

test('bench OTLP body carries each line with its fixed64 nanosecond time', () => {
  const msg = OtlpExportLogsServiceRequestType.toObject(OtlpExportLogsServiceRequestType.decode(otlpProto(batch).body as Buffer), { longs: String }) as {
    resourceLogs: Array<{ scopeLogs: Array<{ logRecords: Array<{ timeUnixNano: string; body: { stringValue: string } }> }> }>;
  };
  assert.deepEqual(
    msg.resourceLogs.map((r) => r.scopeLogs[0]!.logRecords.map((l) => [l.timeUnixNano, l.body.stringValue])),
    expected.map((s) => s.values),
  );
});

test('bench syslog frames are octet-counted RFC 5424 messages at millisecond precision', () => {
  const text = syslogFrames(batch).toString();
  const first = `<134>1 2025-11-21T04:40:00.999Z i-0 api - - - ${pool.lines[0]}`;
  assert.ok(text.startsWith(`${Buffer.byteLength(first)} ${first}`), text.slice(0, 200));
});

test('unixNanosWords splits seconds·1e9 + nanos into exact 32-bit words', () => {
  let seed = 7;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
  const cases: Array<[number, number]> = [[0, 0], [0, 999_999_999], [4_294_967_295, 999_999_999], [1_763_700_000, 1], [65_536, 0], [65_535, 999_999_999]];
  for (let i = 0; i < 2000; i++) cases.push([next(), next() % 1_000_000_000]);
  for (const [s, n] of cases) {
    const [lo, hi] = unixNanosWords(s, n);
    assert.equal((BigInt(hi) << 32n) | BigInt(lo), nanosOf(s, n), `${s}.${n}`);
  }
});

test('snappy blocks of request bodies decode to the input', () => {
  let seed = 3;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
  for (const size of [0, 1, 65_535, 65_536, 65_537, 131_072, 200_003]) {
    // Repetitive text with some noise.
    const raw = Buffer.alloc(size);
    for (let i = 0; i < size; i++) raw[i] = i % 97 < 60 ? 0x61 + (i % 7) : next() & 0xff;
    const block = snappyBlock(raw);
    assert.deepEqual(snappy.uncompressSync(block), raw, `${size} bytes`);
  }
});

test('varintSize counts 7 bits a byte up to 2^53', () => {
  const bytes = (n: number) => {
    let size = 1;
    for (; n >= 128; n = Math.floor(n / 128)) size++;
    return size;
  };
  for (let bits = 0; bits <= 53; bits++) {
    for (const n of [2 ** bits - 1, 2 ** bits, 2 ** bits + 1]) if (n <= Number.MAX_SAFE_INTEGER) assert.equal(varintSize(n), bytes(n), String(n));
  }
});
