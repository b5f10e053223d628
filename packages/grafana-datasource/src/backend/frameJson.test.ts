import { test } from 'node:test';
import assert from 'node:assert/strict';
import { streamsToLogsFrame } from '../shared/convert.js';
import { frameToJson } from './frameJson.js';
import { parseTailRequest, tailUrl } from './tail.js';

test('live tail frames are Grafana JSON frames with ms times and ns remainders', () => {
  const frame = streamsToLogsFrame([{ stream: { app: 'a' }, values: [['1700000000123456789', 'hello']] }], { refId: 'A', expr: '{app="a"}', direction: 'forward' });
  const json = JSON.parse(frameToJson(frame)) as {
    schema: { refId: string; meta: { type: string }; fields: Array<{ name: string; type: string }> };
    data: { values: unknown[][]; nanos: Array<number[] | null> };
  };
  assert.equal(json.schema.meta.type, 'log-lines');
  assert.deepEqual(json.schema.fields.map((f) => [f.name, f.type]), [['timestamp', 'time'], ['body', 'string'], ['severity', 'string'], ['id', 'string'], ['labels', 'other']]);
  assert.deepEqual(json.data.values[0], [1700000000123]);
  assert.deepEqual(json.data.nanos[0], [456789]);
  assert.deepEqual(json.data.values[1], ['hello']);
  assert.deepEqual(json.data.values[4], [{ app: 'a' }]);
});

test('tail subscriptions need a tail/ path and a query', () => {
  assert.deepEqual(parseTailRequest('tail/abc', Buffer.from('{"expr":"{app=\\"a\\"}","refId":"B","maxLines":20}')), { expr: '{app="a"}', refId: 'B', limit: 20 });
  assert.throws(() => parseTailRequest('other', Buffer.alloc(0)), /only tail/);
  assert.throws(() => parseTailRequest('tail/x', Buffer.from('{}')), /needs a log query/);
  const url = tailUrl({ url: 'https://lode:3100', timeoutMs: 1000, maxLines: 10 }, { expr: '{a="b"}', refId: 'A', limit: 5 }, 1000);
  assert.equal(url, 'wss://lode:3100/loki/api/v1/tail?query=%7Ba%3D%22b%22%7D&limit=5&start=1000000000');
});
