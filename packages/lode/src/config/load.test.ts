import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_LIMITS } from '@lode/store';
import { ConfigError, limitsResolver, loadServeConfig } from './load.js';

function withYaml(text: string, fn: (path: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'lode-config-'));
  try {
    const path = join(dir, 'lode.yaml');
    writeFileSync(path, text);
    fn(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('defaults match API.md and Loki', () => {
  const { config, help } = loadServeConfig([], {});
  assert.equal(help, false);
  assert.equal(config.data, './data');
  assert.deepEqual(config.http_listen, { host: '0.0.0.0', port: 3100 });
  assert.deepEqual(config.otlp_grpc_listen, { host: '0.0.0.0', port: 4317 });
  assert.equal(config.durability, 'fsync');
  assert.equal(config.multi_tenant, false);
  assert.equal(config.wal_batch_interval, 100);
  assert.equal(config.chunk_target_size, 256 * 1024);
  assert.deepEqual(config.limits, DEFAULT_LIMITS);
});

test('flags beat environment, environment beats YAML', () => {
  withYaml('durability: none\nhttp_listen: 127.0.0.1:3000\nlimits:\n  max_line_size: 1KB\n', (path) => {
    const env = { LODE_DURABILITY: 'batch', LODE_LIMITS_MAX_LINE_SIZE: '2KB' };
    const { config } = loadServeConfig(['--config', path, '--durability=fsync'], env);
    assert.equal(config.durability, 'fsync');
    assert.equal(config.limits.max_line_size, 2000);
    assert.deepEqual(config.http_listen, { host: '127.0.0.1', port: 3000 });
  });
});

test('limit flags: empty discover_service_name disables it, booleans and durations parse', () => {
  const { config } = loadServeConfig(
    ['--limits.discover_service_name=', '--limits.discover_log_levels=false', '--limits.reject_old_samples_max_age', '2h', '--multi-tenant'],
    {},
  );
  assert.deepEqual(config.limits.discover_service_name, []);
  assert.equal(config.limits.discover_log_levels, false);
  assert.equal(config.limits.reject_old_samples_max_age, 2 * 3600 * 1000);
  assert.equal(config.multi_tenant, true);
});

test('per-tenant overrides sit on top of the global limits', () => {
  withYaml('limits:\n  ingestion_rate_mb: 8\noverrides:\n  team-a:\n    ingestion_rate_mb: 20\n    retention_period: 24h\n', (path) => {
    const { config } = loadServeConfig(['--config', path], {});
    const limits = limitsResolver(config);
    assert.equal(limits('team-a').ingestion_rate_mb, 20);
    assert.equal(limits('team-a').retention_period, 24 * 3600 * 1000);
    assert.equal(limits('team-b').ingestion_rate_mb, 8);
  });
});

test('errors name the offending key and its source', () => {
  assert.throws(() => loadServeConfig(['--bogus'], {}), (e: Error) => e instanceof ConfigError && /unknown option --bogus/.test(e.message));
  assert.throws(() => loadServeConfig(['--durability', 'sometimes'], {}), /option --durability: "sometimes" is not one of fsync, batch, none/);
  assert.throws(() => loadServeConfig([], { LODE_HTTP_LISTEN: 'nowhere' }), /environment LODE_HTTP_LISTEN: "nowhere" is not a listen address/);
  assert.throws(() => loadServeConfig(['--chunk-compression-level', '30'], {}), /chunk_compression_level must be a whole number from 1 to 19/);
  withYaml('limits:\n  max_line_sise: 10\n', (path) => {
    assert.throws(() => loadServeConfig(['--config', path], {}), /limits\.max_line_sise is not a known limit/);
  });
  withYaml('htp_listen: 1\n', (path) => {
    assert.throws(() => loadServeConfig(['--config', path], {}), /unknown key "htp_listen"/);
  });
  withYaml('api_keys:\n  - key: short\n    tenant: a\n    role: read\n', (path) => {
    assert.throws(() => loadServeConfig(['--config', path], {}), /api_keys\[0\]\.key must be a string of at least 8 characters/);
  });
});

test('port 0 is kept so the listener can be disabled', () => {
  const { config } = loadServeConfig(['--syslog-listen', '127.0.0.1:0'], {});
  assert.equal(config.syslog_listen.port, 0);
});

test('--help is reported, not an error', () => {
  assert.equal(loadServeConfig(['--help'], {}).help, true);
});
