// The write-ahead log: append-only segment files with group commit, replay with torn-tail
// recovery, and checkpointing (deleting segments whose records are all committed elsewhere).
import { mkdir, open, readFile, stat, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describeIoError, WalClosedError, WalIoError } from './errors.js';
import { encodeHeader, HEADER_BYTES, MAX_PAYLOAD_BYTES } from './format.js';
import { scanSegment } from './scan.js';
import { listSegments, segmentName, syncDir, type SegmentFile } from './segments.js';

export type Durability = 'fsync' | 'batch' | 'none';

export interface WalOptions {
  /** Directory of the segment files; created if missing. */
  dir: string;
  /** 'fsync' (default): an append is durable after fdatasync. 'batch': after the write, with an
   * fdatasync at most every batchIntervalMs. 'none': after the write; fdatasync only at close. */
  durability?: Durability;
  /** 'batch' mode: fdatasync at most every N ms (default 100). */
  batchIntervalMs?: number;
  /** Start a new segment file when the current one would grow past this size (default 64 MiB). */
  segmentBytes?: number;
  /** LSNs handed out are above this even when the log holds less (pass the highest LSN already
   * committed elsewhere, so a lost or deleted WAL never makes LSNs go backwards). Default 0. */
  lsnFloor?: bigint;
  /** A corrupt record (or stretch of bytes) was skipped during replay. */
  onCorrupt?: (c: WalCorruption) => void;
  /** After each fdatasync: its duration and the bytes it made durable. */
  onSync?: (seconds: number, bytes: number) => void;
}

export interface WalCorruption {
  /** Path of the segment file. */
  segment: string;
  offset: number;
  reason: string;
}

export interface ReplayReport {
  records: number;
  corrupt: number;
  /** The last segment ended in an incomplete write, which was cut off at open. */
  tornTail: boolean;
  segments: number;
  lastLsn: bigint;
}

export interface WalAppend {
  lsn: bigint;
  durable: Promise<void>;
}

const DEFAULT_BATCH_INTERVAL_MS = 100;
const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;

/** Records queued between two writes: they share one write, one sync and one promise. */
class Batch {
  readonly bufs: Buffer[] = [];
  bytes = 0;
  lastLsn: bigint;
  readonly durable: Promise<void>;
  resolve!: () => void;
  reject!: (err: Error) => void;

  constructor(readonly firstLsn: bigint) {
    this.lastLsn = firstLsn;
    this.durable = new Promise<void>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    // Callers may ignore `durable` (e.g. in 'none' mode); a rejection must not crash the process.
    this.durable.catch(() => {});
  }

  describe(): string {
    const n = this.lastLsn - this.firstLsn + 1n;
    return `${n} record${n === 1n ? '' : 's'} (lsn ${this.firstLsn}..${this.lastLsn}, ${this.bytes} bytes)`;
  }
}

/** What open() learned from the last segment, handed to replay(). */
interface Recovered {
  /** Intact bytes of the last segment, so replay does not read it again. */
  lastSegmentData: Buffer | undefined;
  tornTail: boolean;
}

export class Wal {
  private readonly segments: SegmentFile[];
  /** The segment appended to; `fh` is its handle. */
  private active: SegmentFile | undefined;
  private fh: FileHandle | undefined;
  private rollBeforeNextWrite = false;
  private dirDirty = false;
  private unsynced = 0;
  private syncs = 0;
  private lastSyncAt = 0;
  private syncTimer: NodeJS.Timeout | undefined;
  private syncDue = false;

  private last: bigint;
  private pending: Batch | undefined;
  private pumping = false;
  private pumpScheduled = false;
  private idleWaiters: (() => void)[] = [];

  private failure: WalIoError | undefined;
  private closing: Promise<void> | undefined;
  private checkpoints: Promise<void> = Promise.resolve();
  private recovered: Recovered | undefined;
  private appended = false;

  private constructor(
    private readonly dir: string,
    private readonly durability: Durability,
    private readonly batchIntervalMs: number,
    private readonly segmentBytes: number,
    private readonly onCorrupt: ((c: WalCorruption) => void) | undefined,
    private readonly onSync: ((seconds: number, bytes: number) => void) | undefined,
    segments: SegmentFile[],
    lastLsn: bigint,
    recovered: Recovered,
  ) {
    this.segments = segments;
    this.last = lastLsn;
    this.recovered = recovered;
  }

  /** Opens (or creates) the WAL in `opts.dir` and cuts off a torn tail of the last segment. */
  static async open(opts: WalOptions): Promise<Wal> {
    const o = validateOptions(opts);
    let fh: FileHandle | undefined;
    try {
      const created = await mkdir(o.dir, { recursive: true });
      // A new WAL directory must itself survive a crash.
      if (created !== undefined) await syncDir(dirname(created));
      const segments = await listSegments(o.dir);
      for (const seg of segments) seg.bytes = (await stat(seg.path)).size;
      const recovered: Recovered = { lastSegmentData: undefined, tornTail: false };
      let lastLsn = o.lsnFloor;
      const active = segments[segments.length - 1];
      if (active) {
        const data = await readFile(active.path);
        const scan = scanSegment(data, active.firstLsn - 1n);
        fh = await open(active.path, 'r+');
        if (scan.tail) {
          // Only the last segment can end in a write that was cut short by a crash: such records
          // were never acknowledged as durable, so they are dropped and appends follow intact data.
          await fh.truncate(scan.validEnd);
          await fh.datasync();
          recovered.tornTail = true;
        }
        active.bytes = scan.validEnd;
        recovered.lastSegmentData = data.subarray(0, scan.validEnd);
        if (scan.lastLsn > lastLsn) lastLsn = scan.lastLsn;
      }
      const wal = new Wal(o.dir, o.durability, o.batchIntervalMs, o.segmentBytes, opts.onCorrupt, opts.onSync, segments, lastLsn, recovered);
      wal.active = active;
      wal.fh = fh;
      return wal;
    } catch (err) {
      await fh?.close().catch(() => {});
      throw new WalIoError(`WAL in ${o.dir} cannot be opened: ${describeIoError(err)}`, err);
    }
  }

  get lastLsn(): bigint {
    return this.last;
  }

  stats(): { segments: number; bytes: number; syncs: number } {
    let bytes = 0;
    for (const s of this.segments) bytes += s.bytes;
    return { segments: this.segments.length, bytes, syncs: this.syncs };
  }

  /**
   * Visits every intact record in LSN order; call once, before the first append. Payloads are
   * views into the segment's read buffer (valid after the call; copy small ones you keep long,
   * or the whole segment buffer stays in memory).
   */
  async replay(visit: (lsn: bigint, payload: Buffer) => void): Promise<ReplayReport> {
    const recovered = this.recovered;
    if (recovered === undefined) throw new Error('WAL replay() can run only once');
    if (this.appended) throw new Error('WAL replay() must run before the first append()');
    this.recovered = undefined;
    const report: ReplayReport = { records: 0, corrupt: 0, tornTail: recovered.tornTail, segments: 0, lastLsn: 0n };
    const segments = this.segments.slice();
    let visited = 0n;
    let nextRead = readSegment(segments, 0, this.active, recovered);
    for (let i = 0; i < segments.length; i++) {
      const seg = segments[i]!;
      let data: Buffer;
      try {
        data = await nextRead!;
      } catch (err) {
        throw new WalIoError(`WAL replay cannot read ${seg.path}: ${describeIoError(err)}`, err);
      }
      // Read the next segment while this one is scanned and visited.
      nextRead = readSegment(segments, i + 1, this.active, recovered);
      const floor = seg.firstLsn - 1n > visited ? seg.firstLsn - 1n : visited;
      const scan = scanSegment(data, floor, visit);
      report.segments++;
      report.records += scan.records;
      if (scan.records > 0) visited = scan.lastLsn;
      for (const d of scan.corruptions) this.reportCorrupt(report, seg.path, d.offset, d.reason);
      if (scan.tail) {
        this.reportCorrupt(report, seg.path, scan.tail.offset, `unreadable last ${scan.tail.bytes} bytes of the segment: ${scan.tail.reason}`);
      }
    }
    if (visited > this.last) this.last = visited;
    report.lastLsn = this.last;
    return report;
  }

  /**
   * Assigns the next LSN (call order = LSN order) and queues the record. The payload is not
   * copied: do not modify it until `durable` settles. Throws WalClosedError after close(), and
   * the WAL's WalIoError once it has failed (an fdatasync error).
   */
  append(payload: Buffer | Uint8Array): WalAppend {
    if (this.closing) throw new WalClosedError('append');
    if (this.failure) throw this.failure;
    if (!(payload instanceof Uint8Array)) throw new TypeError('WAL append() takes a Buffer (or Uint8Array) payload');
    if (payload.length > MAX_PAYLOAD_BYTES) {
      throw new RangeError(`WAL record of ${payload.length} bytes is larger than the ${MAX_PAYLOAD_BYTES}-byte limit; split it`);
    }
    const buf = Buffer.isBuffer(payload) ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
    const lsn = ++this.last;
    let batch = this.pending;
    if (batch === undefined) {
      batch = this.pending = new Batch(lsn);
      this.kick();
    }
    batch.bufs.push(encodeHeader(lsn, buf), buf);
    batch.bytes += HEADER_BYTES + buf.length;
    batch.lastLsn = lsn;
    this.appended = true;
    return { lsn, durable: batch.durable };
  }

  /**
   * Deletes every segment that holds only records with lsn < keepFrom, oldest first (a crash
   * in between leaves a contiguous log), then fsyncs the directory. Never deletes the segment
   * being appended to.
   */
  checkpoint(keepFrom: bigint): Promise<void> {
    if (this.closing) return Promise.reject(new WalClosedError('checkpoint'));
    if (typeof keepFrom !== 'bigint' || keepFrom < 0n) {
      return Promise.reject(new TypeError(`WAL checkpoint() takes a non-negative bigint LSN, got ${String(keepFrom)}`));
    }
    const run = this.checkpoints.then(() => this.deleteCovered(keepFrom));
    this.checkpoints = run.catch(() => {});
    return run;
  }

  /** Waits for queued appends, syncs, closes the file. Rejects if the WAL failed. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    clearTimeout(this.syncTimer);
    this.syncTimer = undefined;
    await this.idle();
    await this.checkpoints;
    const fh = this.fh;
    this.fh = undefined;
    this.recovered = undefined;
    if (fh) {
      try {
        if (!this.failure && (this.unsynced > 0 || this.dirDirty)) await this.syncActive(fh);
      } finally {
        await fh.close().catch(() => {});
      }
    }
    if (this.failure) throw this.failure;
  }

  private reportCorrupt(report: ReplayReport, segment: string, offset: number, reason: string): void {
    report.corrupt++;
    this.onCorrupt?.({ segment, offset, reason });
  }

  private kick(): void {
    if (this.pumping || this.pumpScheduled) return;
    this.pumpScheduled = true;
    // setImmediate rather than a microtask: appends made by other callbacks of the same
    // event-loop turn join the batch.
    setImmediate(() => void this.pump());
  }

  /** The single writer: all file I/O of appends and syncs happens here, one step at a time. */
  private async pump(): Promise<void> {
    this.pumpScheduled = false;
    this.pumping = true;
    try {
      for (;;) {
        const batch = this.pending;
        if (batch) {
          this.pending = undefined;
          if (this.failure) batch.reject(this.failure);
          else await this.writeBatch(batch);
        } else if (this.syncDue) {
          this.syncDue = false;
          await this.backgroundSync();
        } else {
          break;
        }
      }
    } finally {
      this.pumping = false;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private idle(): Promise<void> {
    if (!this.pumping && !this.pumpScheduled && !this.pending) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Writes one batch with one writev, then (fsync mode) one fdatasync. Never throws: settles the batch. */
  private async writeBatch(batch: Batch): Promise<void> {
    let fh: FileHandle;
    let seg: SegmentFile;
    try {
      [fh, seg] = await this.segmentFor(batch);
    } catch (err) {
      batch.reject(this.failure ?? new WalIoError(`WAL could not start a new segment in ${this.dir} for ${batch.describe()}: ${describeIoError(err)}. These records were not stored.`, err));
      return;
    }
    const at = seg.bytes;
    try {
      await writeFully(fh, batch.bufs, batch.bytes, at);
    } catch (err) {
      await this.undoPartialWrite(fh, seg, at, err);
      batch.reject(this.failure ?? new WalIoError(`WAL write of ${batch.describe()} to ${seg.path} failed: ${describeIoError(err)}. These records were not stored; later appends are tried again.`, err));
      return;
    }
    seg.bytes += batch.bytes;
    this.unsynced += batch.bytes;
    if (this.durability === 'fsync') {
      try {
        await this.syncActive(fh);
      } catch (err) {
        batch.reject(err instanceof Error ? err : new Error(String(err)));
        return;
      }
    } else if (this.durability === 'batch') {
      this.scheduleSync();
    }
    batch.resolve();
  }

  /** The segment the batch goes to, starting a new one when the current one is full. */
  private async segmentFor(batch: Batch): Promise<[FileHandle, SegmentFile]> {
    const seg = this.active;
    if (this.fh && seg && !this.rollBeforeNextWrite) {
      // An empty segment is used only if its name is right (named by its first LSN).
      const fits = seg.bytes === 0 ? seg.firstLsn === batch.firstLsn : seg.bytes + batch.bytes <= this.segmentBytes;
      if (fits) return [this.fh, seg];
    }
    return this.roll(batch.firstLsn);
  }

  private async roll(firstLsn: bigint): Promise<[FileHandle, SegmentFile]> {
    const old = this.fh;
    const oldSeg = this.active;
    if (old && oldSeg) {
      // A finished segment is complete on disk before the next one starts (in 'none' mode no
      // syncs at all), so only the last segment can have a torn tail.
      if (this.durability !== 'none' && this.unsynced > 0) await this.syncActive(old);
      this.fh = undefined;
      this.active = undefined;
      await old.close();
      if (oldSeg.bytes === 0) {
        // Left empty by a failed write: remove it rather than pile up empty files.
        await unlink(oldSeg.path);
        this.segments.splice(this.segments.indexOf(oldSeg), 1);
        this.dirDirty = true;
      }
    }
    const seg: SegmentFile = { firstLsn, path: join(this.dir, segmentName(firstLsn)), bytes: 0 };
    const fh = await open(seg.path, 'wx');
    this.segments.push(seg);
    this.active = seg;
    this.fh = fh;
    this.unsynced = 0;
    this.rollBeforeNextWrite = false;
    // The next fdatasync of this segment also syncs the directory entry.
    this.dirDirty = true;
    return [fh, seg];
  }

  /**
   * After a failed write, cut the segment back to its last intact record. The failed batch's
   * LSNs are never written, so the next batch starts a new segment (LSNs stay consecutive
   * within a segment, which replay's resync relies on).
   */
  private async undoPartialWrite(fh: FileHandle, seg: SegmentFile, at: number, cause: unknown): Promise<void> {
    try {
      await fh.truncate(at);
      this.rollBeforeNextWrite = true;
    } catch (err) {
      this.fail(`WAL write to ${seg.path} failed (${describeIoError(cause)}) and the partial write could not be cut off (${describeIoError(err)})`, err);
    }
  }

  private async syncActive(fh: FileHandle): Promise<void> {
    const bytes = this.unsynced;
    const started = performance.now();
    try {
      await fh.datasync();
      if (this.dirDirty) {
        await syncDir(this.dir);
        this.dirDirty = false;
      }
    } catch (err) {
      throw this.fail(`WAL fdatasync in ${this.dir} failed: ${describeIoError(err)}`, err);
    }
    this.unsynced -= bytes;
    this.syncs++;
    this.lastSyncAt = performance.now();
    if (this.onSync) {
      try {
        this.onSync((this.lastSyncAt - started) / 1000, bytes);
      } catch (err) {
        process.emitWarning(`WAL onSync callback threw: ${describeIoError(err)}`);
      }
    }
  }

  /**
   * A failed fdatasync leaves the on-disk state unknown (the kernel may have dropped the dirty
   * pages), so the WAL stops: every later append throws this error.
   */
  private fail(message: string, cause: unknown): WalIoError {
    this.failure ??= new WalIoError(
      `${message}. The WAL stopped accepting appends: data written since the last successful sync may not be on disk; restart to recover from what the log holds.`,
      cause,
    );
    return this.failure;
  }

  private scheduleSync(): void {
    if (this.syncTimer || this.syncDue) return;
    const delay = Math.max(0, this.lastSyncAt + this.batchIntervalMs - performance.now());
    this.syncTimer = setTimeout(() => {
      this.syncTimer = undefined;
      this.syncDue = true;
      this.kick();
    }, delay);
    this.syncTimer.unref();
  }

  private async backgroundSync(): Promise<void> {
    if (this.unsynced === 0 || this.failure || !this.fh) return;
    // An error is recorded as the WAL's failure and thrown by the next append.
    await this.syncActive(this.fh).catch(() => {});
  }

  private async deleteCovered(keepFrom: bigint): Promise<void> {
    // Segment i holds LSNs below the first LSN of segment i+1.
    const doomed: SegmentFile[] = [];
    for (let i = 0; i + 1 < this.segments.length; i++) {
      const seg = this.segments[i]!;
      if (this.segments[i + 1]!.firstLsn > keepFrom || seg === this.active) break;
      doomed.push(seg);
    }
    if (doomed.length === 0) return;
    for (const seg of doomed) {
      try {
        await unlink(seg.path);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT') throw new WalIoError(`WAL checkpoint cannot delete ${seg.path}: ${describeIoError(err)}`, err);
      }
      const i = this.segments.indexOf(seg);
      if (i >= 0) this.segments.splice(i, 1);
    }
    try {
      await syncDir(this.dir);
    } catch (err) {
      throw new WalIoError(`WAL checkpoint cannot sync directory ${this.dir}: ${describeIoError(err)}`, err);
    }
  }
}

function readSegment(segments: SegmentFile[], i: number, active: SegmentFile | undefined, recovered: Recovered): Promise<Buffer> | undefined {
  const seg = segments[i];
  if (seg === undefined) return undefined;
  const read = seg === active && recovered.lastSegmentData ? Promise.resolve(recovered.lastSegmentData) : readFile(seg.path);
  read.catch(() => {}); // a prefetch may be abandoned when a visit throws
  return read;
}

/** writev that finishes short writes (a file-size limit or a full disk can cut one short). */
async function writeFully(fh: FileHandle, bufs: Buffer[], total: number, position: number): Promise<void> {
  let done = (await fh.writev(bufs, position)).bytesWritten;
  while (done < total) {
    const rest = remainder(bufs, done);
    const n = (await fh.writev(rest, position + done)).bytesWritten;
    if (n === 0) throw new Error(`write made no progress after ${done} of ${total} bytes`);
    done += n;
  }
}

function remainder(bufs: Buffer[], skip: number): Buffer[] {
  const rest: Buffer[] = [];
  for (const b of bufs) {
    if (skip >= b.length) {
      skip -= b.length;
      continue;
    }
    rest.push(skip > 0 ? b.subarray(skip) : b);
    skip = 0;
  }
  return rest;
}

interface ValidOptions {
  dir: string;
  durability: Durability;
  batchIntervalMs: number;
  segmentBytes: number;
  lsnFloor: bigint;
}

function validateOptions(opts: WalOptions): ValidOptions {
  if (typeof opts.dir !== 'string' || opts.dir === '') throw new TypeError('WAL option dir must be a directory path');
  const durability = opts.durability ?? 'fsync';
  if (durability !== 'fsync' && durability !== 'batch' && durability !== 'none') {
    throw new TypeError(`WAL option durability must be 'fsync', 'batch' or 'none', got ${String(durability)}`);
  }
  const batchIntervalMs = opts.batchIntervalMs ?? DEFAULT_BATCH_INTERVAL_MS;
  if (!Number.isFinite(batchIntervalMs) || batchIntervalMs < 0) {
    throw new TypeError(`WAL option batchIntervalMs must be a non-negative number of milliseconds, got ${batchIntervalMs}`);
  }
  const segmentBytes = opts.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
  if (!Number.isSafeInteger(segmentBytes) || segmentBytes < 1) {
    throw new TypeError(`WAL option segmentBytes must be a positive integer, got ${segmentBytes}`);
  }
  const lsnFloor = opts.lsnFloor ?? 0n;
  if (typeof lsnFloor !== 'bigint' || lsnFloor < 0n) throw new TypeError(`WAL option lsnFloor must be a non-negative bigint`);
  return { dir: opts.dir, durability, batchIntervalMs, segmentBytes, lsnFloor };
}
