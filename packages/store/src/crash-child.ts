/**
 * Child process of crash.test.ts: appends batches forever with fsync durability and prints
 * `ack <batch id>` once each append resolves. The test SIGKILLs it at random moments.
 * Usage: node crash-child.js <data dir> <first batch id>
 */
import { Store } from './store.js';

const [dir, first] = process.argv.slice(2);
if (!dir || !first) {
  process.stderr.write('usage: crash-child <data dir> <first batch id>\n');
  process.exit(2);
}

const ENTRIES_PER_BATCH = 20;
const APPENDERS = 3;

const store = await Store.open({ dir, durability: 'fsync', chunkTargetBytes: 2048, flushCheckIntervalMs: 50 });
let next = Number(first);
process.stdout.write('ready\n');

async function appender(worker: number): Promise<never> {
  for (;;) {
    const id = next++;
    const base = BigInt(Date.now()) * 1_000_000n;
    const entries = [];
    for (let i = 0; i < ENTRIES_PER_BATCH; i++) entries.push({ ts: base + BigInt(i), line: `batch=${id} entry=${i} worker=${worker}` });
    await store.append('crash', [{ labels: { app: 'crash', worker: String(worker) }, entries }]);
    process.stdout.write(`ack ${id}\n`);
  }
}

await Promise.all(Array.from({ length: APPENDERS }, (_, w) => appender(w)));
