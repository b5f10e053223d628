import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LabelOverlay } from './label-overlay.js';

/** The overlay's labels next to a plain Map receiving the same operations. */
function check(o: LabelOverlay, model: Map<string, string>): void {
  const got = new Map(o.entries());
  assert.deepEqual([...got.entries()].sort(), [...model.entries()].sort());
  for (const [k, v] of model) assert.equal(o.get(k), v);
}

describe('LabelOverlay', () => {
  it('behaves like a copied Map, past the indexed size too, and resets per entry', () => {
    const base = new Map([
      ['app', 'a'],
      ['env', 'prod'],
    ]);
    const o = new LabelOverlay();
    for (let round = 0; round < 3; round++) {
      o.reset(base);
      const model = new Map(base);
      check(o, model);
      for (let i = 0; i < 40; i++) {
        const name = `k${i % 25}`;
        o.set(name, `v${i}`, 1);
        model.set(name, `v${i}`);
        if (i % 7 === 0) {
          o.delete(`k${(i * 3) % 25}`);
          model.delete(`k${(i * 3) % 25}`);
        }
        check(o, model);
      }
      o.delete('app');
      model.delete('app');
      assert.equal(o.get('app'), undefined);
      o.set('env', 'dev');
      model.set('env', 'dev');
      check(o, model);
      o.delete('env');
      o.set('env', 'again');
      model.set('env', 'again');
      check(o, model);
      o.delete('missing');
      check(o, model);
    }
    o.reset(base);
    check(o, new Map(base));
  });

  it('remembers which parser run set a label', () => {
    const o = new LabelOverlay();
    o.reset(new Map([['app', 'a']]));
    assert.equal(o.genOf('app'), 0);
    o.set('x', '1', 5);
    assert.equal(o.genOf('x'), 5);
    o.set('x', '2', 6);
    assert.equal(o.genOf('x'), 6);
    o.delete('x');
    assert.equal(o.genOf('x'), 0);
  });
});
