import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tenantOf } from './tenancy.js';

test('multi-tenancy off: every request is tenant fake', () => {
  assert.deepEqual(tenantOf({ 'x-scope-orgid': 'acme' }, { multiTenant: false }, 'write'), { ok: true, tenant: 'fake' });
});

test('multi-tenancy on: X-Scope-OrgID names the tenant, a missing one is 401 no org id', () => {
  assert.deepEqual(tenantOf({ 'x-scope-orgid': 'acme' }, { multiTenant: true }, 'read'), { ok: true, tenant: 'acme' });
  assert.deepEqual(tenantOf({}, { multiTenant: true }, 'read'), { ok: false, status: 401, message: 'no org id' });
  assert.equal(tenantOf({ 'x-scope-orgid': 'a/b' }, { multiTenant: true }, 'read').ok, false);
});

test('api keys: a key names tenant and role; admin may do anything', () => {
  const rules = {
    multiTenant: true,
    apiKeys: [
      { key: 'w1', tenant: 'acme', role: 'write' as const },
      { key: 'a1', tenant: 'ops', role: 'admin' as const },
    ],
  };
  assert.deepEqual(tenantOf({ authorization: 'Bearer w1' }, rules, 'write'), { ok: true, tenant: 'acme' });
  assert.equal(tenantOf({ authorization: 'Bearer w1' }, rules, 'read').ok, false);
  assert.deepEqual(tenantOf({ authorization: 'Bearer a1' }, rules, 'read'), { ok: true, tenant: 'ops' });
  const missing = tenantOf({ 'x-scope-orgid': 'acme' }, rules, 'write');
  assert.equal(!missing.ok && missing.status, 401);
  const wrong = tenantOf({ authorization: 'Bearer nope' }, rules, 'write');
  assert.equal(!wrong.ok && wrong.status, 401);
});
