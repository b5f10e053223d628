/** Samples the server's `process_resident_memory_bytes` from `/metrics` while a run lasts. */
import { send, type Connection } from '../client.js';

const RSS = /^process_resident_memory_bytes(?:\{[^}]*\})? ([0-9.eE+]+)$/m;

export interface RssSampler {
  /** Stops sampling; the peak in bytes, or undefined when `/metrics` gave no RSS (e.g. not lode). */
  stop(): Promise<number | undefined>;
}

async function sample(conn: Connection): Promise<number | undefined> {
  try {
    const res = await send(conn, '/metrics');
    if (!res.ok) return undefined;
    const m = RSS.exec(await res.text());
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

export function sampleRss(conn: Connection, everyMs = 500): RssSampler {
  let peak: number | undefined;
  let pending = Promise.resolve();
  const take = () => {
    pending = sample(conn).then((v) => {
      if (v !== undefined) peak = Math.max(peak ?? 0, v);
    });
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    async stop() {
      clearInterval(timer);
      await pending;
      take();
      await pending;
      return peak;
    },
  };
}
