import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import type { Labels } from '@lode/store';
import { PushBatcher } from '../core/batcher.js';
import { formatAddress, parseListen, type ListenAddress } from '../core/listen.js';
import { sharedIngester } from '../core/shared.js';
import type { Closable, IngestOptions } from '../core/types.js';
import { SyslogFramer } from './framing.js';
import { SyslogStreams } from './streams.js';
import { syslogEntry } from './map.js';
import { parseSyslog } from './parse.js';

/** PEM material for a TLS listener, inline or as file paths. */
export type SyslogTls = { cert: string | Buffer; key: string | Buffer; ca?: string | Buffer } | { certFile: string; keyFile: string; caFile?: string };

export interface SyslogOptions {
  /** Without `tls`: UDP and TCP on the same port (e.g. `0.0.0.0:1514`). With `tls`: an RFC 5425 TLS listener only (e.g. `0.0.0.0:6514`). */
  listen: string | ListenAddress;
  tls?: SyslogTls;
  /** Tenant of everything received here. */
  tenant: string;
  /** Extra index labels added to every stream. */
  labels?: Labels;
  /** Longer messages are truncated to this many bytes. Default 64 KiB. */
  maxMessageBytes?: number;
}

const DEFAULT_MAX_MESSAGE = 64 * 1024;

function loadTls(t: SyslogTls): tls.TlsOptions {
  if ('certFile' in t) {
    const read = (file: string, what: string) => {
      try {
        return fs.readFileSync(file);
      } catch (e) {
        throw new Error(`cannot read syslog TLS ${what} ${file}: ${(e as Error).message}`);
      }
    };
    return { cert: read(t.certFile, 'certificate'), key: read(t.keyFile, 'key'), ...(t.caFile ? { ca: read(t.caFile, 'CA') } : {}) };
  }
  return { cert: t.cert, key: t.key, ...(t.ca ? { ca: t.ca } : {}) };
}

/** Starts syslog: UDP and TCP on one port, or (with `tls`) a TLS listener; same framing and mapping. */
export async function startSyslog(opts: IngestOptions & SyslogOptions): Promise<Closable> {
  const ingester = sharedIngester(opts);
  const { host, port } = parseListen(opts.listen);
  const max = opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE;
  const extra = opts.labels ?? {};
  const batcher = new PushBatcher(ingester, opts.tenant, 'syslog');
  const streams = new SyslogStreams(extra);

  const receive = (raw: Buffer, start: number, end: number) => {
    const nowMs = Date.now();
    const msg = parseSyslog(raw.toString('utf8', start, end), nowMs);
    const stream = streams.of(msg);
    batcher.add(stream.labels, stream.key, syslogEntry(msg, nowMs));
  };

  const sockets = new Set<net.Socket>();
  const paused = new Set<net.Socket>();
  const onDrain = () => {
    for (const s of paused) s.resume();
    paused.clear();
  };
  ingester.budget.on('drain', onDrain);
  batcher.onRoom(onDrain);

  const handleStream = (socket: net.Socket) => {
    sockets.add(socket);
    const framer = new SyslogFramer(max, receive);
    socket.on('data', (chunk: Buffer) => {
      framer.push(chunk);
      // Backpressure: stop reading while the in-flight budget is exhausted or a batch is waiting.
      if (ingester.budget.full || batcher.full) {
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

  if (opts.tls) {
    const tlsServer = tls.createServer(loadTls(opts.tls), handleStream);
    tlsServer.on('tlsClientError', (err) => ingester.logger.debug({ err }, 'syslog TLS handshake failed'));
    await listenTcp(tlsServer, port, host);
    return { address: formatAddress(tlsServer.address()), close: () => shutdown([closeServer(tlsServer)]) };
  }

  const tcp = net.createServer(handleStream);
  const udp = dgram.createSocket({ type: host.includes(':') ? 'udp6' : 'udp4' });
  udp.on('message', (msg) => {
    if (ingester.budget.full) {
      ingester.metrics.syslogDropped.inc({ transport: 'udp' });
      return;
    }
    let end = msg.length;
    while (end > 0 && (msg[end - 1] === 0x0a || msg[end - 1] === 0x0d || msg[end - 1] === 0)) end--;
    if (end > 0) receive(msg, 0, Math.min(end, max));
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
  return {
    address: formatAddress(tcp.address()),
    close: () => shutdown([closeServer(tcp), new Promise<void>((r) => udp.close(() => r()))]),
  };

  async function shutdown(closing: Promise<void>[]): Promise<void> {
    ingester.budget.off('drain', onDrain);
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
  }
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
