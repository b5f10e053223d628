/**
 * LogQL's `ip("…")` matcher: a single address, a CIDR (`10.0.0.0/8`, `2001:db8::/32`) or a range
 * (`192.168.1.1-192.168.1.9`), IPv4 or IPv6. Like Loki it looks for addresses anywhere in the
 * input (a line, or a label value such as `client 10.0.0.7:80`).
 */
export class IpPatternError extends Error {
  override readonly name = 'IpPatternError';
}

interface Addr {
  v6: boolean;
  n: bigint;
}

function parseV4(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || (p.length > 1 && p[0] === '0')) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = (n << 8n) | BigInt(v);
  }
  return n;
}

function parseV6(s: string): bigint | undefined {
  if (!s.includes(':')) return undefined;
  let tail4: bigint | undefined;
  const lastColon = s.lastIndexOf(':');
  if (s.slice(lastColon + 1).includes('.')) {
    tail4 = parseV4(s.slice(lastColon + 1));
    if (tail4 === undefined) return undefined;
    s = s.slice(0, lastColon + 1) + '0:0';
  }
  const dbl = s.split('::');
  if (dbl.length > 2) return undefined;
  const head = dbl[0] ? dbl[0].split(':') : [];
  const tail = dbl.length === 2 && dbl[1] ? dbl[1].split(':') : [];
  const groups = dbl.length === 2 ? [...head, ...Array(8 - head.length - tail.length).fill('0'), ...tail] : head;
  if (groups.length !== 8 || (dbl.length === 2 && head.length + tail.length > 7)) return undefined;
  let n = 0n;
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    n = (n << 16n) | BigInt(parseInt(g, 16));
  }
  if (tail4 !== undefined) n = (n & ~0xffffffffn) | tail4;
  return n;
}

function parseAddr(s: string): Addr | undefined {
  const v4 = parseV4(s);
  if (v4 !== undefined) return { v6: false, n: v4 };
  const v6 = parseV6(s);
  if (v6 !== undefined) return { v6: true, n: v6 };
  return undefined;
}

/** Candidate address substrings: IPv4 dotted quads, and runs of hex digits/colons (IPv6). */
const CANDIDATES = /[0-9a-fA-F:.]*[:.][0-9a-fA-F:.]*/g;

export class IpMatcher {
  private readonly v6: boolean;
  private readonly lo: bigint;
  private readonly hi: bigint;

  constructor(readonly pattern: string) {
    const bad = (): never => {
      throw new IpPatternError(`ip: invalid pattern: ${JSON.stringify(pattern)}`);
    };
    const slash = pattern.indexOf('/');
    const dash = pattern.indexOf('-');
    if (slash >= 0) {
      const a = parseAddr(pattern.slice(0, slash));
      const bitsS = pattern.slice(slash + 1);
      if (!a || !/^\d{1,3}$/.test(bitsS)) bad();
      const bits = BigInt(bitsS);
      const width = a!.v6 ? 128n : 32n;
      if (bits > width) bad();
      const mask = ((1n << width) - 1n) ^ ((1n << (width - bits)) - 1n);
      this.v6 = a!.v6;
      this.lo = a!.n & mask;
      this.hi = this.lo | ((1n << (width - bits)) - 1n);
    } else if (dash >= 0) {
      const a = parseAddr(pattern.slice(0, dash).trim());
      const b = parseAddr(pattern.slice(dash + 1).trim());
      if (!a || !b || a.v6 !== b.v6 || b.n < a.n) bad();
      this.v6 = a!.v6;
      this.lo = a!.n;
      this.hi = b!.n;
    } else {
      const a = parseAddr(pattern.trim());
      if (!a) bad();
      this.v6 = a!.v6;
      this.lo = this.hi = a!.n;
    }
  }

  private contains(a: Addr): boolean {
    return a.v6 === this.v6 && a.n >= this.lo && a.n <= this.hi;
  }

  /** True when some address in `input` falls inside the pattern. */
  matchesIn(input: string): boolean {
    CANDIDATES.lastIndex = 0;
    for (let m = CANDIDATES.exec(input); m; m = CANDIDATES.exec(input)) {
      const cand = m[0];
      const a = parseAddr(cand) ?? parseAddr(cand.replace(/^[:.]+|[:.]+$/g, ''));
      if (a && this.contains(a)) return true;
      // `10.0.0.7:80`: an IPv4 address followed by a port
      const v4 = /\d{1,3}(?:\.\d{1,3}){3}/.exec(cand);
      if (v4) {
        const b = parseAddr(v4[0]);
        if (b && this.contains(b)) return true;
      }
    }
    return false;
  }
}
