// Test fixture for crash.test.ts: appends records until killed, printing each acknowledged LSN.
// Usage: node crash-child.js <dir> <durability>
import { Wal, type Durability } from './wal.js';

const [dir, durability] = process.argv.slice(2) as [string, Durability];
const wal = await Wal.open({ dir, durability, segmentBytes: 256 * 1024 });
await wal.replay(() => {});
let i = 0;
async function appender(): Promise<never> {
  for (;;) {
    const size = 1 + ((i++ * 7919) % 40_000);
    const body = Buffer.alloc(size, size & 0xff);
    const { lsn, durable } = wal.append(body);
    await durable;
    process.stdout.write(`${lsn} ${size}\n`);
  }
}
await Promise.all([appender(), appender(), appender(), appender()]);
