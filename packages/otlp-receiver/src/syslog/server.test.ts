import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import { testIngester } from '../test-support/recording-store.js';
import { startSyslog } from './server.js';

function sendTcp(address: string, data: string | Buffer): Promise<void> {
  const [host, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))];
  return new Promise((resolve, reject) => {
    const s = net.connect(port, host, () => s.end(data));
    s.on('close', () => resolve());
    s.on('error', reject);
  });
}

function sendUdp(address: string, msg: string): Promise<void> {
  const port = Number(address.slice(address.lastIndexOf(':') + 1));
  const sock = dgram.createSocket('udp4');
  return new Promise((resolve, reject) => sock.send(msg, port, '127.0.0.1', (err) => (sock.close(), err ? reject(err) : resolve())));
}

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
}

test('syslog over TCP (both framings) and UDP on one port, garbage kept, tenant and labels from config', async () => {
  const { store, options } = testIngester();
  const srv = await startSyslog({ ...options, listen: '127.0.0.1:0', tenant: 'net', labels: { source: 'fw' } });
  try {
    await sendTcp(srv.address, '<13>1 2024-01-01T00:00:00Z h1 app1 - - - newline one\n<13>Jan  1 00:00:00 h1 app2: newline two\n');
    const m = '<14>1 2024-01-01T00:00:01Z h2 app3 7 - [x@1 a="b"] counted\nwith newline';
    await sendTcp(srv.address, `${Buffer.byteLength(m)} ${m}`);
    await sendTcp(srv.address, Buffer.from([0xff, 0xfe, 0x00, 0x41, 0x0a]));
    await sendUdp(srv.address, '<15>1 2024-01-01T00:00:02Z h3 app4 - - - over udp');
    await until(() => store.entries().length === 5);
    const entries = store.entries('net');
    assert.equal(entries.length, 5);
    const byLine = new Map(entries.map((e) => [e.line, e]));
    assert.deepEqual(byLine.get('newline one')!.labels, { source: 'fw', service_name: 'app1', hostname: 'h1', facility: 'user' });
    assert.equal(byLine.get('newline two')!.labels['service_name'], 'app2');
    assert.deepEqual(byLine.get('counted\nwith newline')!.metadata, { severity: 'info', detected_level: 'info', procid: '7', x_1_a: 'b' });
    assert.equal(byLine.get('over udp')!.labels['hostname'], 'h3');
    const garbage = entries.find((e) => e.labels['service_name'] === 'unknown_service' && e.metadata?.['detected_level'] === 'unknown');
    assert.ok(garbage, 'garbage is stored, not dropped');
  } finally {
    await srv.close();
  }
});
