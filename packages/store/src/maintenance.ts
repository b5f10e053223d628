/**
 * Background maintenance: retention (max age globally, per tenant, per stream selector; an
 * optional total size cap deleting the oldest chunks first) and compaction (merging a stream's
 * small adjacent chunks). Every change is one LMDB write transaction, so a crash leaves either
 * the old or the new state; readers keep their snapshot, and appends never wait on this.
 */
import type { Dbs, StreamRecord } from './db.js';
import type { LimitsFor } from './limits.js';
import type { MaintenanceReport, RetentionOptions, StoreHooks } from './options.js';
import { chunkKey, decodeChunkMeta, encodeChunkMeta, parseChunkKey, postingKey, streamKey, tenantOfKey } from './keys.js';
import { compileMatchers } from './matchers.js';
import { chunkRefs } from './read.js';
import { decodeChunk, encodeChunk, type EncodeOptions, type RawEntry } from './chunk/index.js';
import type { StreamState, TenantState } from './streams.js';

export interface MaintenanceContext {
  dbs: Dbs;
  tenants: Map<string, TenantState>;
  limitsFor: LimitsFor;
  retention: RetentionOptions;
  now: () => number;
  chunkTarget: number;
  compactBelow: number;
  /** The store's zstd level and chunk encoding: merged chunks are written as new ones are. */
  encode: EncodeOptions;
  counters: { chunks: number; chunkBytes: number; chunkStoredBytes: number; corruptChunks: number };
  allocateSeq: () => bigint;
  currentSeq: () => bigint;
  hooks: StoreHooks;
}

const ALL_TIME = { from: -(1n << 63n), to: (1n << 63n) - 1n };
const NS_PER_MS = 1_000_000n;

const yieldToEventLoop = () => new Promise<void>((r) => setImmediate(r));

export async function runMaintenance(ctx: MaintenanceContext): Promise<MaintenanceReport> {
  const report: MaintenanceReport = { deletedChunks: 0, deletedBytes: 0, compactedChunks: 0, writtenChunks: 0, removedStreams: 0 };
  await applyRetention(ctx, report);
  await applySizeCap(ctx, report);
  await compact(ctx, report);
  ctx.hooks.onMaintenance?.(report);
  return report;
}

/** The retention period of a stream in ms (0 = forever): selector rule, then tenant, then global. */
export function retentionPeriod(ctx: MaintenanceContext, s: StreamState): number {
  let best: { period: number; priority: number } | undefined;
  for (const rule of ctx.retention.streams ?? []) {
    if (rule.tenant !== undefined && rule.tenant !== s.tenant) continue;
    if (!compileMatchers(rule.matchers)(s.labels)) continue;
    const priority = rule.priority ?? 0;
    if (!best || priority > best.priority) best = { period: rule.periodMs, priority };
  }
  if (best) return best.period;
  const perTenant = ctx.retention.tenants?.[s.tenant];
  if (perTenant !== undefined) return perTenant;
  const fromLimits = ctx.limitsFor(s.tenant).retention_period;
  if (fromLimits > 0) return fromLimits;
  return ctx.retention.periodMs ?? 0;
}

async function applyRetention(ctx: MaintenanceContext, report: MaintenanceReport): Promise<void> {
  const now = BigInt(Math.floor(ctx.now())) * NS_PER_MS;
  for (const t of ctx.tenants.values()) {
    for (const s of [...t.byId.values()]) {
      const period = retentionPeriod(ctx, s);
      if (period <= 0) continue;
      const cutoff = now - BigInt(period) * NS_PER_MS;
      const expired = chunkRefs(ctx.dbs, s, { from: ALL_TIME.from, to: cutoff }).filter((r) => r.maxTs < cutoff);
      if (expired.length === 0) continue;
      await deleteChunks(ctx, t, s, expired.map((r) => r.key), report);
      await yieldToEventLoop();
    }
  }
}

async function applySizeCap(ctx: MaintenanceContext, report: MaintenanceReport): Promise<void> {
  const cap = ctx.retention.maxBytes ?? 0;
  if (cap <= 0 || ctx.counters.chunkStoredBytes <= cap) return;
  const all: { key: Buffer; maxTs: bigint; stored: number }[] = [];
  for (const { key, value } of ctx.dbs.chunkIndex.getRange({})) {
    const meta = decodeChunkMeta(parseChunkKey(key).minTs, value);
    all.push({ key: Buffer.from(key), maxTs: meta.maxTs, stored: meta.storedBytes });
  }
  all.sort((a, b) => (a.maxTs < b.maxTs ? -1 : a.maxTs > b.maxTs ? 1 : 0));
  let excess = ctx.counters.chunkStoredBytes - cap;
  const byStream = new Map<StreamState, Buffer[]>();
  for (const c of all) {
    if (excess <= 0) break;
    const t = ctx.tenants.get(tenantOfKey(c.key));
    const s = t?.byId.get(parseChunkKey(c.key).id);
    if (!s) continue;
    let keys = byStream.get(s);
    if (!keys) byStream.set(s, (keys = []));
    keys.push(c.key);
    excess -= c.stored;
  }
  for (const [s, keys] of byStream) {
    await deleteChunks(ctx, ctx.tenants.get(s.tenant)!, s, keys, report);
    await yieldToEventLoop();
  }
}

/**
 * Deletes chunks of one stream and rewrites its record (span of what is left) in one txn; a
 * stream left without any data leaves the postings (its record stays, see TenantState.unindex).
 */
async function deleteChunks(ctx: MaintenanceContext, t: TenantState, s: StreamState, keys: Buffer[], report: MaintenanceReport): Promise<void> {
  const { dbs } = ctx;
  const removed = await dbs.env.transaction(() => {
    let chunks = 0;
    let entries = 0;
    let bytes = 0;
    let stored = 0;
    for (const key of keys) {
      const v = dbs.chunkIndex.get(key);
      if (v === undefined) continue;
      const meta = decodeChunkMeta(parseChunkKey(key).minTs, v);
      dbs.chunkIndex.remove(key);
      dbs.chunks.remove(key);
      dbs.filters.remove(key);
      chunks++;
      entries += meta.entries;
      bytes += meta.bytes;
      stored += meta.storedBytes;
    }
    const left = chunkRefs(dbs, s, ALL_TIME);
    const sk = streamKey(s.tenant, s.id);
    const old = dbs.streams.get(sk);
    const record: StreamRecord = { labels: { ...s.labels }, flushedLsn: old?.flushedLsn ?? s.flushedLsn.toString() };
    if (left.length > 0) {
      let max = left[0].maxTs;
      for (const r of left) if (r.maxTs > max) max = r.maxTs;
      record.minTs = left[0].minTs.toString();
      record.maxTs = max.toString();
    } else {
      for (const [name, value] of Object.entries(s.labels)) dbs.postings.remove(postingKey(s.tenant, name, value, s.id));
    }
    dbs.streams.put(sk, record);
    return { chunks, entries, bytes, stored, left };
  });
  s.adjustChunks(-removed.chunks, -removed.entries, -removed.bytes);
  s.resetChunkSpan(removed.left);
  ctx.counters.chunks -= removed.chunks;
  ctx.counters.chunkBytes -= removed.bytes;
  ctx.counters.chunkStoredBytes -= removed.stored;
  report.deletedChunks += removed.chunks;
  report.deletedBytes += removed.stored;
  if (removed.left.length === 0) s.postingsPersisted = false;
  recomputeSpan(t, s, removed.left, report);
}

/** The in-memory span after deletions: remaining chunks ∪ head and flushing blocks. */
function recomputeSpan(t: TenantState, s: StreamState, left: { minTs: bigint; maxTs: bigint }[], report: MaintenanceReport): void {
  const blocks = [s.head, ...s.flushing].filter((b) => b.length > 0);
  const spans = [...left, ...blocks.map((b) => ({ minTs: b.minTs, maxTs: b.maxTs }))];
  if (spans.length === 0) {
    if (s.pending === 0 && s.hasData) {
      s.hasData = false;
      t.unindex(s);
      report.removedStreams++;
    }
    return;
  }
  s.hasData = false;
  for (const sp of spans) s.extendSpan(sp.minTs, sp.maxTs);
}

async function compact(ctx: MaintenanceContext, report: MaintenanceReport): Promise<void> {
  for (const t of ctx.tenants.values()) {
    for (const s of [...t.byId.values()]) {
      // A block between its commit and its removal from memory must keep its chunk key.
      if (s.flushing.length > 0) continue;
      const refs = chunkRefs(ctx.dbs, s, ALL_TIME);
      for (const run of smallRuns(refs, ctx.compactBelow, ctx.chunkTarget)) {
        await mergeRun(ctx, s, run, report);
        await yieldToEventLoop();
      }
    }
  }
}

type Ref = ReturnType<typeof chunkRefs>[number];

/** Maximal runs (≥ 2) of adjacent small chunks whose total line bytes stay within the target. */
function smallRuns(refs: Ref[], below: number, target: number): Ref[][] {
  const runs: Ref[][] = [];
  let run: Ref[] = [];
  let bytes = 0;
  const close = () => {
    if (run.length >= 2) runs.push(run);
    run = [];
    bytes = 0;
  };
  for (const r of refs) {
    if (r.bytes >= below) {
      close();
      continue;
    }
    if (bytes + r.bytes > target) close();
    run.push(r);
    bytes += r.bytes;
  }
  close();
  return runs;
}

async function mergeRun(ctx: MaintenanceContext, s: StreamState, run: Ref[], report: MaintenanceReport): Promise<void> {
  const { dbs } = ctx;
  const entries: RawEntry[] = [];
  for (const r of run) {
    const data = dbs.chunks.get(r.key);
    if (data === undefined) return;
    let chunk;
    try {
      chunk = decodeChunk(data);
    } catch (err) {
      ctx.counters.corruptChunks++;
      ctx.hooks.onCorruptChunk?.({ tenant: s.tenant, stream: s.selector, minTs: r.minTs, error: err as Error });
      return;
    }
    for (let i = 0; i < chunk.length; i++) {
      const md = chunk.metadata(i);
      const e: RawEntry = { ts: chunk.ts(i), line: chunk.line(i) };
      if (Object.keys(md).length > 0) e.metadata = md;
      entries.push(e);
    }
  }
  // Stable: entries with equal timestamps keep chunk order (chunks are in key order).
  entries.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
  const enc = encodeChunk(entries, ctx.encode);
  const key = chunkKey(s.tenant, s.id, enc.stats.minTs, ctx.allocateSeq());
  // Before the commit, so index scans of readers that see the merged chunk reach back far enough.
  const span = enc.stats.maxTs - enc.stats.minTs;
  if (span > s.maxChunkSpan) s.maxChunkSpan = span;
  const done = await dbs.env.transaction(() => {
    for (const r of run) if (dbs.chunkIndex.get(r.key) === undefined) return false;
    for (const r of run) {
      dbs.chunkIndex.remove(r.key);
      dbs.chunks.remove(r.key);
      dbs.filters.remove(r.key);
    }
    dbs.chunks.put(key, enc.data);
    dbs.filters.put(key, enc.filter);
    dbs.chunkIndex.put(key, encodeChunkMeta({ maxTs: enc.stats.maxTs, entries: enc.stats.entries, bytes: enc.stats.bytes, storedBytes: enc.data.length }));
    dbs.meta.put('nextChunkSeq', ctx.currentSeq().toString());
    return true;
  });
  if (!done) return;
  let stored = 0;
  let entriesBefore = 0;
  let bytesBefore = 0;
  for (const r of run) {
    stored += r.storedBytes;
    entriesBefore += r.entries;
    bytesBefore += r.bytes;
  }
  s.adjustChunks(1 - run.length, enc.stats.entries - entriesBefore, enc.stats.bytes - bytesBefore);
  ctx.counters.chunks -= run.length - 1;
  ctx.counters.chunkStoredBytes += enc.data.length - stored;
  report.compactedChunks += run.length;
  report.writtenChunks++;
}
