import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DecodeError } from '../core/decoded.js';
import { decodeLokiJson } from './decode.js';

const body = (line: string, labelValue = 'api') =>
  Buffer.from(JSON.stringify({ streams: [{ stream: { app: labelValue }, values: [['1700000000000000001', line, { user: labelValue }]] }] }));

test('Loki JSON push: ASCII, non-ASCII and escaped strings decode as JSON.parse gives them', () => {
  for (const [line, label] of [['plain ascii line', 'api'], ['grüße 日本 🙂', 'ü'], ['escaped \u00e9 "quote" \\ \n', 'x'], ['', '']]) {
    assert.deepEqual(decodeLokiJson(body(line!, label)), {
      streams: [{ labels: { app: label }, entries: [{ ts: 1700000000000000001n, line, metadata: { user: label } }] }],
      rejected: [],
    });
  }
});

test('Loki JSON push: invalid UTF-8 becomes U+FFFD as in a UTF-8 decode; bad JSON is a DecodeError', () => {
  const raw = Buffer.concat([Buffer.from('{"streams":[{"stream":{"a":"b"},"values":[["1","x'), Buffer.from([0xff]), Buffer.from('y"]]}]}')]);
  assert.equal(decodeLokiJson(raw).streams[0]!.entries[0]!.line, 'x\ufffdy');
  assert.throws(() => decodeLokiJson(Buffer.from('{"streams":[')), DecodeError);
});

test('Loki JSON push: timestamp strings read as BigInt(string) reads decimal digits, others refused', () => {
  const tsOf = (ts: unknown) => decodeLokiJson(Buffer.from(JSON.stringify({ streams: [{ stream: { a: 'b' }, values: [[ts, 'x']] }] }))).streams[0]!.entries[0]!.ts;
  for (const text of ['0', '7', '-0', '-5', '000123', '1700000000000000001', '9223372036854775807', '-9223372036854775808', '123456789', '1234567890', '999999999999999999999999', '1234567890123456789012345678']) {
    assert.equal(tsOf(text), BigInt(text), text);
  }
  assert.equal(tsOf(1700000000), 1700000000n);
  for (const bad of ['', '-', '12a4', ' 1', '1 ', '+1', '0x10', '1e9', '１２', '--1', 1.5, null]) {
    assert.throws(() => tsOf(bad), DecodeError, JSON.stringify(bad));
  }
});

/** The same body made ineligible for piecewise parsing (trailing space), so JSON.parse sees it whole. */
function decodeWhole(body: Buffer): unknown {
  try {
    return decodeLokiJson(Buffer.concat([body, Buffer.from(' ')]));
  } catch (e) {
    return { error: (e as Error).message };
  }
}

function decodeEither(body: Buffer): unknown {
  try {
    return decodeLokiJson(body);
  } catch (e) {
    return { error: (e as Error).message };
  }
}

test('Loki JSON push: large bodies parsed stream by stream decode exactly as one JSON.parse, also broken ones', () => {
  let seed = 5;
  const next = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const tricky = ['},{"stream":{"a":"b"}}', '},{"', '"]}', '\\', 'ü€🙂', '{"level":"info"}', 'plain text ', '\u2028', ']}'];
  const line = () => Array.from({ length: 1 + next(6) }, () => tricky[next(tricky.length)]).join(' ').repeat(1 + next(8));
  const bodyOf = (streams: number, values: number): Buffer =>
    Buffer.from(
      JSON.stringify({
        streams: Array.from({ length: streams }, (_, s) => ({
          stream: { app: `a${s}`, ...(s % 3 === 0 ? { 'bad-name': 'x' } : {}) },
          values: Array.from({ length: values }, (_, v) => (v % 5 === 0 ? [String(1_700_000_000_000_000_000n + BigInt(v)), line(), { k: line() }] : [String(v), line()])),
        })),
      }),
    );
  for (let round = 0; round < 8; round++) {
    const body = bodyOf(4 + next(30), 120 + next(60));
    assert.ok(body.length >= 64 * 1024, `body of ${body.length} bytes is large enough to be parsed piecewise`);
    assert.deepEqual(decodeEither(body), decodeWhole(body));
    // Damage: a flipped byte, a cut, a stray separator, invalid UTF-8; results and errors still agree.
    for (let k = 0; k < 40; k++) {
      const copy = Buffer.from(body);
      const at = next(copy.length);
      const damaged =
        k % 4 === 0
          ? Buffer.concat([copy.subarray(0, at), Buffer.from([0xff, 0xc3]), copy.subarray(at)])
          : k % 4 === 1
            ? Buffer.concat([copy.subarray(0, at), Buffer.from('},{"'), copy.subarray(at)])
            : k % 4 === 2
              ? Buffer.concat([copy.subarray(0, at), copy.subarray(at + 1 + next(50))])
              : ((copy[at] = 0x20 + next(90)), copy);
      assert.deepEqual(decodeEither(damaged), decodeWhole(damaged), `round ${round} damage ${k} at ${at}`);
    }
  }
  const extra = Buffer.concat([Buffer.from('{"streams":[{"stream":{"a":"b"},"values":[["1","x"]]}],"more":[{},{"x":1}],"pad":"'), Buffer.alloc(70_000, 0x61), Buffer.from('","z":[]}')]);
  assert.deepEqual(decodeEither(extra), decodeWhole(extra));
});
