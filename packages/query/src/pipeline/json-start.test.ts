import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { flattenJson, JsonSyntaxError, notAnObjectError } from './json.js';

function thrown(line: string): string | undefined {
  try {
    flattenJson(line, () => {});
  } catch (err) {
    assert.ok(err instanceof JsonSyntaxError);
    return err.message;
  }
  return undefined;
}

describe('notAnObjectError', () => {
  it('gives exactly the error flattenJson throws for lines that do not start an object', () => {
    for (const line of ['', '   ', 'level=info a=b', ' \t"str"', '[1]', 'true', 'nul', '-1', '42', 'INFO [w] x', '\ud83d\ude00', 'é']) {
      const msg = notAnObjectError(line);
      assert.notEqual(msg, undefined, line);
      assert.equal(msg, thrown(line), line);
    }
  });

  it('lets object lines through to the parser', () => {
    for (const line of ['{}', '  {"a":1}', '{"a":', '\n{']) assert.equal(notAnObjectError(line), undefined, line);
  });
});
