import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import net from 'node:net';
import { startLode, waitFor, type Lode } from './harness.js';

let lode: Lode;
before(async () => {
  lode = await startLode();
});
after(async () => {
  await lode.stop();
});

function logger(args: string[], message: string): void {
  execFileSync('logger', ['--server', '127.0.0.1', '--port', String(lode.syslogPort), ...args, message]);
}

test('logger over UDP, TCP and octet-counted TCP, RFC 3164 and RFC 5424 with structured data', async () => {
  logger(['--udp', '--rfc5424', '-t', 'udp5424', '-p', 'local3.err'], 'udp message');
  logger(['--tcp', '--rfc3164', '-t', 'tcp3164', '-p', 'user.warning'], 'tcp message');
  logger(['--tcp', '--octet-count', '--rfc5424', '-t', 'octet5424', '--sd-id', 'acme@32473', '--sd-param', 'env="prod"', '--msgid', 'M1'], 'octet message');
  const udp = await waitFor(lode.http, '{service_name="udp5424"}', 1);
  assert.equal(udp.length, 1);
  assert.equal(udp[0]!.line, 'udp message');
  assert.equal(udp[0]!.labels['facility'], 'local3');
  assert.equal(udp[0]!.metadata['severity'], 'err');
  assert.equal(udp[0]!.metadata['detected_level'], 'error');
  const tcp = await waitFor(lode.http, '{service_name="tcp3164"}', 1);
  assert.equal(tcp.length, 1);
  assert.equal(tcp[0]!.line, 'tcp message');
  assert.equal(tcp[0]!.metadata['detected_level'], 'warn');
  const octet = await waitFor(lode.http, '{service_name="octet5424"}', 1);
  assert.equal(octet.length, 1);
  assert.equal(octet[0]!.line, 'octet message');
  assert.equal(octet[0]!.metadata['acme_32473_env'], 'prod');
  assert.equal(octet[0]!.metadata['msgid'], 'M1');
  assert.ok(octet[0]!.labels['hostname']);
});

test('garbage on the syslog socket is stored whole and the listener keeps serving', async () => {
  await new Promise<void>((resolve, reject) => {
    const s = net.connect(lode.syslogPort, '127.0.0.1', () => s.end('this is not syslog e2e-garbage\n'));
    s.on('close', () => resolve());
    s.on('error', reject);
  });
  const got = await waitFor(lode.http, '{service_name="unknown_service"} |= "e2e-garbage"', 1);
  assert.equal(got.length, 1);
  assert.equal(got[0]!.metadata['detected_level'], 'unknown');
  logger(['--tcp', '-t', 'after-garbage'], 'still serving');
  assert.equal((await waitFor(lode.http, '{service_name="after-garbage"}', 1)).length, 1);
});
