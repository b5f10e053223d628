import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Entry } from '@lode/store';
import { LevelTagger } from './level-tagger.js';

test('entries without metadata share one frozen {detected_level} per level', () => {
  const tagger = new LevelTagger(undefined);
  const entries: Entry[] = [{ ts: 1n, line: 'level=error a' }, { ts: 2n, line: 'level=error b' }, { ts: 3n, line: 'level=debug c' }];
  for (const e of entries) tagger.tag(e);
  assert.deepEqual(entries.map((e) => e.metadata), [{ detected_level: 'error' }, { detected_level: 'error' }, { detected_level: 'debug' }]);
  assert.equal(entries[0]!.metadata, entries[1]!.metadata);
  assert.ok(Object.isFrozen(entries[0]!.metadata));
});

test('a shared frozen metadata object gets one shared levelled copy; the source is left alone', () => {
  const md = Object.freeze({ severity_number: '17', k: 'v' });
  const tagger = new LevelTagger(undefined);
  const entries: Entry[] = [{ ts: 1n, line: 'x', metadata: md }, { ts: 2n, line: 'y', metadata: md }];
  for (const e of entries) tagger.tag(e);
  assert.deepEqual(entries[0]!.metadata, { severity_number: '17', k: 'v', detected_level: 'error' });
  assert.equal(entries[0]!.metadata, entries[1]!.metadata);
  assert.deepEqual(md, { severity_number: '17', k: 'v' });
});

test('a shared object without a level field: the line decides per entry', () => {
  const md = Object.freeze({ k: 'v' });
  const tagger = new LevelTagger(undefined);
  const entries: Entry[] = [{ ts: 1n, line: 'an ERROR', metadata: md }, { ts: 2n, line: 'level=info', metadata: md }];
  for (const e of entries) tagger.tag(e);
  assert.deepEqual(entries.map((e) => e.metadata?.['detected_level']), ['error', 'info']);
});

test('unfrozen metadata gets its own copy; a level label wins over everything', () => {
  const md = { level: 'debug' };
  const e: Entry = { ts: 1n, line: 'level=error', metadata: md };
  new LevelTagger(undefined).tag(e);
  assert.deepEqual(e.metadata, { level: 'debug', detected_level: 'debug' });
  assert.notEqual(e.metadata, md);
  const f: Entry = { ts: 1n, line: 'level=error', metadata: { level: 'debug' } };
  new LevelTagger('WARN').tag(f);
  assert.equal(f.metadata?.['detected_level'], 'WARN');
});
