import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { testIngester } from '../test-support/recording-store.js';
import { until } from '../test-support/store.js';
import { startSyslog } from './server.js';

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A self-signed localhost certificate in a temp dir (what an operator would configure as files). */
function selfSigned(dir: string): { certFile: string; keyFile: string } {
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-days', '1', '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
  return { certFile, keyFile };
}

const octetCounted = (msg: string) => `${Buffer.byteLength(msg)} ${msg}`;

test('syslog over TLS (RFC 5425): octet-counted frames are parsed and mapped', { skip: !hasOpenssl() && 'openssl not installed' }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lode-'));
  const { store, options } = testIngester();
  try {
    const files = selfSigned(dir);
    const srv = await startSyslog({ ...options, listen: '127.0.0.1:0', tls: files, tenant: 'secure', labels: { via: 'tls' } });
    try {
      const port = Number(srv.address.slice(srv.address.lastIndexOf(':') + 1));
      const stamp = '2024-05-01T10:00:00.123456Z';
      const a = `<165>1 ${stamp} fw1 sshd 4242 ID47 [origin@32473 ip="10.0.0.1" x-y="z"] \uFEFFaccepted key\nfor root`;
      const b = '<11>Mar  7 12:00:00 fw2 kernel: link down';
      const client = tls.connect({ port, host: '127.0.0.1', ca: fs.readFileSync(files.certFile), servername: 'localhost' });
      await new Promise<void>((resolve, reject) => client.once('secureConnect', resolve).once('error', reject));
      assert.ok(client.authorized, 'the server presents the configured certificate');
      // Split one frame across writes: framing must not depend on TLS record boundaries.
      const frames = octetCounted(a) + octetCounted(b);
      client.write(frames.slice(0, 7));
      client.end(frames.slice(7));
      await new Promise((r) => client.on('close', r));
      assert.ok(await until(() => store.entries().length === 2), 'both frames arrive');

      const [first, second] = store.entries('secure');
      assert.equal(first!.line, 'accepted key\nfor root', 'BOM stripped, newline inside an octet-counted frame kept');
      assert.equal(first!.ts, 1714557600123456000n);
      assert.deepEqual(first!.labels, { via: 'tls', service_name: 'sshd', hostname: 'fw1', facility: 'local4' });
      assert.deepEqual(first!.metadata, { severity: 'notice', detected_level: 'info', procid: '4242', msgid: 'ID47', origin_32473_ip: '10.0.0.1', origin_32473_x_y: 'z' });
      assert.equal(second!.line, 'link down');
      assert.deepEqual(second!.labels, { via: 'tls', service_name: 'kernel', hostname: 'fw2', facility: 'user' });
      assert.equal(second!.metadata?.['severity'], 'err');
      assert.equal(second!.metadata?.['detected_level'], 'error');
    } finally {
      await srv.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('syslog over TLS: a client that fails the handshake does not close the listener', { skip: !hasOpenssl() && 'openssl not installed' }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lode-'));
  const { store, options } = testIngester();
  try {
    const files = selfSigned(dir);
    const srv = await startSyslog({ ...options, listen: '127.0.0.1:0', tls: files, tenant: 'secure' });
    try {
      const port = Number(srv.address.slice(srv.address.lastIndexOf(':') + 1));
      const plain = net.connect(port, '127.0.0.1', () => plain.end('<13>1 - h app - - - not tls\n'));
      await new Promise((r) => plain.on('close', r));
      const client = tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false }, () => client.end(octetCounted('<13>1 - h app - - - after garbage')));
      await new Promise((r) => client.on('close', r));
      assert.ok(await until(() => store.entries().length === 1));
      assert.equal(store.entries()[0]!.line, 'after garbage');
    } finally {
      await srv.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
