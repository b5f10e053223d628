import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SyslogFramer } from './framing.js';

function frame(chunks: (string | Buffer)[], max = 1024): string[] {
  const out: string[] = [];
  const f = new SyslogFramer(max, (b, start, end) => out.push(b.toString('utf8', start, end)));
  for (const c of chunks) f.push(Buffer.isBuffer(c) ? c : Buffer.from(c));
  f.end();
  return out;
}

test('newline framing, split across chunks, CRLF and a final unterminated message', () => {
  assert.deepEqual(frame(['<13>a\n<13>b', '\r\n<13', '>c\n\n<13>d']), ['<13>a', '<13>b', '<13>c', '<13>d']);
});

test('octet counting, split anywhere, messages may contain newlines', () => {
  const msgs = ['<13>1 - - - - - - one', '<13>two\nlines'];
  const wire = msgs.map((m) => `${Buffer.byteLength(m)} ${m}`).join('');
  for (let cut = 1; cut < wire.length; cut++) {
    assert.deepEqual(frame([wire.slice(0, cut), wire.slice(cut)]), msgs, `cut at ${cut}`);
  }
});

test('oversized messages are truncated, the following ones survive', () => {
  assert.deepEqual(frame([`${'x'.repeat(20)}\nok\n`], 8), ['xxxxxxxx', 'ok']);
  assert.deepEqual(frame([`20 ${'y'.repeat(20)}4 next`], 8), ['yyyyyyyy', 'next']);
});

test('a bad length prefix in octet mode falls back to newline framing', () => {
  assert.deepEqual(frame(['5 hello12x garbage\n3 abc']), ['hello', '12x garbage', 'abc']);
});
