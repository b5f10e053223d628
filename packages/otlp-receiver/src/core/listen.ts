import type { AddressInfo } from 'node:net';

export interface ListenAddress {
  host: string;
  port: number;
}

/** Parses `host:port`, `[v6]:port` or `:port` (all interfaces); throws a message naming the value. */
export function parseListen(value: string | ListenAddress): ListenAddress {
  if (typeof value !== 'string') return value;
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(value.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new Error(`invalid listen address "${value}": expected host:port, e.g. 127.0.0.1:4318`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

/** `host:port` of a bound socket, with IPv6 hosts bracketed. */
export function formatAddress(a: AddressInfo | string | null): string {
  if (!a || typeof a === 'string') return String(a);
  return a.family === 'IPv6' || a.address.includes(':') ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
}
