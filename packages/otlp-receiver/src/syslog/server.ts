import dgram from 'node:dgram';
import net from 'node:net';
import tls from 'node:tls';
import type { Labels } from '@lode/store';
import { PushBatcher } from '../core/batcher.js';
import type { Ingester } from '../core/ingester.js';
import { formatLabels } from '../core/labels.js';
import { formatAddress, parseListen } from '../core/listen.js';
import type { Closable } from '../core/types.js';
import { SyslogFramer } from './framing.js';
import { mapSyslog } from './map.js';
import { parseSyslog } from './parse.js';

export interface SyslogOptions {
  /** UDP and TCP on the same port, e.g. `0.0.0.0:1514`. */
  listen: string;
  /** RFC 5425 TLS listener (e.g. `0.0.0.0:6514`); started only with `tls`. */
  tlsListen?: string;
  /** PEM certificate chain and key for the TLS listener. */
  tls?: { cert: string | Buffer; key: string | Buffer; ca?: string | Buffer };
  /** Tenant of everything received here. */
  tenant: string;
  /** Extra index labels added to every stream. */
  labels?: Labels;
  /** Longer messages are truncated to this many bytes. Default 64 KiB. */
  maxMessageBytes?: number;
}

export interface SyslogListener extends Closable {
  /** The TCP/UDP address; `tlsAddress` when TLS runs. */
  tlsAddress?: string;
}

const DEFAULT_MAX_MESSAGE = 64 * 1024;

/** Starts syslog on UDP and TCP (same port) and, with a certificate, TLS. */
export async function startSyslog(ingester: Ingester, opts: SyslogOptions): Promise<SyslogListener> {
  const { host, port } = parseListen(opts.listen);
  const max = opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE;
  const extra = opts.labels ?? {};
  const batcher = new PushBatcher(ingester, opts.tenant, 'syslog');
  const keys = new Map<string, string>();

  const receive = (raw: Buffer) => {
    const now = new Date();
    const mapped = mapSyslog(parseSyslog(raw.toString('utf8'), now), extra, BigInt(now.getTime()) * 1_000_000n);
    // Streams repeat constantly; cache the label key per distinct label combination.
    const probe = `${mapped.labels['service_name']}\u0000${mapped.labels['hostname'] ?? ''}\u0000${mapped.labels['facility'] ?? ''}`;
    let key = keys.get(probe);
    if (key === undefined) {
      key = formatLabels(mapped.labels);
      if (keys.size < 100_000) keys.set(probe, key);
    }
    batcher.add(mapped.labels, key, mapped.entry);
  };

  const sockets = new Set<net.Socket>();
  const paused = new Set<net.Socket>();
  const onDrain = () => {
    for (const s of paused) s.resume();
    paused.clear();
  };
  ingester.budget.on('drain', onDrain);

  const handleStream = (socket: net.Socket) => {
    sockets.add(socket);
    const framer = new SyslogFramer(max, receive);
    socket.on('data', (chunk: Buffer) => {
      framer.push(chunk);
      // Backpressure: stop reading while the in-flight budget is exhausted.
      if (ingester.budget.full) {
        socket.pause();
        paused.add(socket);
      }
    });
    socket.on('end', () => framer.end());
    socket.on('error', (err) => ingester.logger.debug({ err }, 'syslog connection error'));
    socket.on('close', () => {
      sockets.delete(socket);
      paused.delete(socket);
    });
  };

  const tcp = net.createServer(handleStream);
  const udp = dgram.createSocket({ type: host.includes(':') ? 'udp6' : 'udp4', reuseAddr: false });
  udp.on('message', (msg) => {
    if (ingester.budget.full) {
      ingester.metrics.syslogDropped.inc({ transport: 'udp' });
      return;
    }
    let end = msg.length;
    while (end > 0 && (msg[end - 1] === 0x0a || msg[end - 1] === 0x0d || msg[end - 1] === 0)) end--;
    if (end > 0) receive(msg.subarray(0, Math.min(end, max)));
  });
  udp.on('error', (err) => ingester.logger.warn({ err }, 'syslog UDP error'));

  await listenTcp(tcp, port, host);
  const boundPort = (tcp.address() as net.AddressInfo).port;
  try {
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(boundPort, host, () => {
        udp.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    tcp.close();
    throw e;
  }

  let tlsServer: tls.Server | undefined;
  if (opts.tls) {
    tlsServer = tls.createServer({ cert: opts.tls.cert, key: opts.tls.key, ca: opts.tls.ca }, handleStream);
    tlsServer.on('tlsClientError', (err) => ingester.logger.debug({ err }, 'syslog TLS handshake failed'));
    const t = parseListen(opts.tlsListen ?? `${host}:6514`);
    await listenTcp(tlsServer, t.port, t.host);
  }

  return {
    address: formatAddress(tcp.address()),
    tlsAddress: tlsServer ? formatAddress(tlsServer.address()) : undefined,
    async close() {
      ingester.budget.off('drain', onDrain);
      const closing = [closeServer(tcp), new Promise<void>((r) => udp.close(() => r()))];
      if (tlsServer) closing.push(closeServer(tlsServer));
      // Peers keep TCP connections open; end them so their last data is read and flushed.
      for (const s of sockets) {
        s.resume();
        s.end();
      }
      const force = setTimeout(() => {
        for (const s of sockets) s.destroy();
      }, 5000).unref();
      await Promise.all(closing);
      clearTimeout(force);
      await batcher.flushed();
    },
  };
}

function listenTcp(server: net.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function closeServer(server: net.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
