import fs from 'node:fs/promises';
import type { Labels } from '@lode/store';
import { PushBatcher } from '../core/batcher.js';
import type { Ingester } from '../core/ingester.js';
import { formatLabels } from '../core/labels.js';
import { DEFAULT_TENANT } from '../core/tenancy.js';
import { sharedIngester } from '../core/shared.js';
import type { Closable, IngestOptions } from '../core/types.js';
import { expandGlob } from './glob.js';
import { LineGrouper } from './multiline.js';
import { OffsetStore } from './offsets.js';

/** One `inputs.files` entry of the configuration. */
export interface FileInputConfig {
  /** Glob patterns (`/var/log/app/*.log`, `/srv/**\/*.log`, `{a,b}`). */
  paths: string[];
  /** Index labels of every stream; `filename` (the path) is added. */
  labels?: Labels;
  /** Default `fake`. */
  tenant?: string;
  /** Multi-line grouping: a line matching `start` (a RegExp source) begins a new entry. */
  multiline?: { start: string; maxLines?: number };
}

export interface FileInputsOptions {
  /** `inputs.files` as configured; validated here (an invalid entry throws a message naming it). */
  inputs: readonly unknown[];
  /** Where offsets are persisted (e.g. `<data>/state`). */
  stateDir: string;
  /** How often globs are expanded and files checked for growth. Default 500 ms. */
  pollIntervalMs?: number;
}

const READ_CHUNK = 1024 * 1024;
const MAX_LINE = 1024 * 1024;

interface Followed {
  id: string;
  path: string;
  fh: fs.FileHandle;
  /** Next byte to read. */
  readPos: number;
  /** Bytes of an unterminated last line carried to the next read. */
  partial: Buffer;
  grouper: LineGrouper;
  /** Offset after the last entry handed to the batcher. */
  emitted: number;
  seenThisPoll: boolean;
  idlePolls: number;
  lastTs: bigint;
}

/** One configured input: its globs, labels and the files it follows. */
class FileInput {
  readonly files = new Map<string, Followed>();
  readonly batcher: PushBatcher;
  private readonly start: RegExp | undefined;

  constructor(
    readonly cfg: FileInputConfig,
    private readonly ingester: Ingester,
    private readonly offsets: OffsetStore,
  ) {
    this.batcher = new PushBatcher(ingester, cfg.tenant ?? DEFAULT_TENANT, 'file');
    this.start = cfg.multiline ? new RegExp(cfg.multiline.start) : undefined;
  }

  async poll(): Promise<void> {
    for (const f of this.files.values()) f.seenThisPoll = false;
    for (const pattern of this.cfg.paths) {
      for (const p of await expandGlob(pattern)) await this.track(p);
    }
    for (const f of [...this.files.values()]) {
      const grew = await this.read(f);
      f.idlePolls = grew ? 0 : f.idlePolls + 1;
      // A quiet file: finish the open multi-line entry and any unterminated last line.
      if (f.idlePolls === 2) this.finishPending(f);
      if (!f.seenThisPoll && f.idlePolls >= 2) {
        // Rotated away (renamed out of the globs or deleted) and fully read.
        await f.fh.close();
        this.files.delete(f.id);
        this.offsets.delete(f.id);
      }
    }
    await this.batcher.flushed();
    for (const f of this.files.values()) this.offsets.set(f.id, f.path, f.emitted);
  }

  private async track(p: string): Promise<void> {
    const st = await fs.stat(p).catch(() => undefined);
    if (!st?.isFile()) return;
    const id = `${st.dev}:${st.ino}`;
    const known = this.files.get(id);
    if (known) {
      known.seenThisPoll = true;
      known.path = p;
      return;
    }
    const fh = await fs.open(p, 'r').catch(() => undefined);
    if (!fh) return;
    const saved = this.offsets.get(id);
    const from = saved && saved.offset <= st.size ? saved.offset : 0;
    const labels: Labels = { ...this.cfg.labels, filename: p };
    const key = formatLabels(labels);
    const f: Followed = {
      id,
      path: p,
      fh,
      readPos: from,
      partial: Buffer.alloc(0),
      emitted: from,
      seenThisPoll: true,
      idlePolls: 0,
      lastTs: 0n,
      grouper: new LineGrouper(this.start, this.cfg.multiline?.maxLines ?? 500, (text, end) => {
        // Strictly increasing timestamps keep identical lines distinct entries.
        const now = BigInt(Date.now()) * 1_000_000n;
        f.lastTs = now > f.lastTs ? now : f.lastTs + 1n;
        this.batcher.add(labels, key, { ts: f.lastTs, line: text });
        f.emitted = end;
      }),
    };
    this.files.set(id, f);
  }

  /** Reads what was appended since the last poll; handles truncation. Returns whether data came. */
  private async read(f: Followed): Promise<boolean> {
    const st = await f.fh.stat();
    if (st.size < f.readPos) {
      this.ingester.logger.info({ path: f.path }, 'file truncated; reading from the start');
      this.finishPending(f);
      f.readPos = 0;
      f.emitted = 0;
    }
    let grew = false;
    while (f.readPos < st.size) {
      const len = Math.min(READ_CHUNK, st.size - f.readPos);
      const buf = Buffer.allocUnsafe(len);
      const { bytesRead } = await f.fh.read(buf, 0, len, f.readPos);
      if (bytesRead === 0) break;
      grew = true;
      this.lines(f, buf.subarray(0, bytesRead), f.readPos);
      f.readPos += bytesRead;
    }
    return grew;
  }

  private lines(f: Followed, chunk: Buffer, chunkOffset: number): void {
    const data = f.partial.length > 0 ? Buffer.concat([f.partial, chunk]) : chunk;
    const base = chunkOffset - f.partial.length;
    let pos = 0;
    for (;;) {
      const nl = data.indexOf(0x0a, pos);
      if (nl < 0) break;
      const end = nl > pos && data[nl - 1] === 0x0d ? nl - 1 : nl;
      f.grouper.line(data.toString('utf8', pos, end), base + pos, base + nl + 1);
      pos = nl + 1;
    }
    f.partial = data.subarray(pos);
    if (f.partial.length > MAX_LINE) {
      // A runaway line without newline: emit what we have rather than buffer without bound.
      f.grouper.line(f.partial.toString('utf8'), base + pos, base + data.length);
      f.partial = Buffer.alloc(0);
    }
  }

  private finishPending(f: Followed): void {
    if (f.partial.length > 0) {
      const start = f.readPos - f.partial.length;
      f.grouper.line(f.partial.toString('utf8'), start, f.readPos);
      f.partial = Buffer.alloc(0);
    }
    f.grouper.flushAt(f.readPos);
  }

  async close(): Promise<void> {
    await this.batcher.flushed();
    for (const f of this.files.values()) await f.fh.close();
    this.files.clear();
  }
}

/**
 * Follows files by glob: appends are read every poll, rename- and truncate-style rotation are
 * handled (files are tracked by inode and read through an open handle), and offsets of appended
 * entries are persisted so a restart neither loses nor repeats lines.
 */
export async function startFileInputs(opts: IngestOptions & FileInputsOptions): Promise<Closable> {
  const configs = opts.inputs.map(validateFileInput);
  const ingester = sharedIngester(opts);
  const offsets = new OffsetStore(opts.stateDir);
  const inputs = configs.map((cfg) => new FileInput(cfg, ingester, offsets));
  const interval = opts.pollIntervalMs ?? 500;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();

  const pollAll = async () => {
    for (const input of inputs) {
      try {
        await input.poll();
      } catch (err) {
        ingester.logger.warn({ err, paths: input.cfg.paths }, 'file input poll failed');
      }
    }
    try {
      offsets.save();
    } catch (err) {
      ingester.logger.error({ err }, 'saving file input offsets failed');
    }
  };
  const loop = () => {
    current = pollAll().finally(() => {
      if (!stopped) timer = setTimeout(loop, interval);
    });
  };
  loop();
  await current;
  return {
    address: `files:${configs.flatMap((i) => i.paths).join(',')}`,
    async close() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await current;
      for (const input of inputs) await input.close();
      offsets.save();
    },
  };
}

/** Checks one configured input; the message names the entry and field that is wrong. */
export function validateFileInput(raw: unknown, index: number): FileInputConfig {
  const where = `inputs.files[${index}]`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error(`${where} must be a map with paths, labels, tenant, multiline`);
  const r = raw as Record<string, unknown>;
  const paths = typeof r['paths'] === 'string' ? [r['paths']] : r['paths'];
  if (!Array.isArray(paths) || paths.length === 0 || !paths.every((p) => typeof p === 'string' && p !== '')) {
    throw new Error(`${where}.paths must be a non-empty list of glob patterns`);
  }
  const labels = r['labels'] ?? {};
  if (typeof labels !== 'object' || labels === null || !Object.values(labels).every((v) => typeof v === 'string')) {
    throw new Error(`${where}.labels must be a map of string values`);
  }
  for (const name of Object.keys(labels)) {
    if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name)) throw new Error(`${where}.labels: "${name}" is not a valid label name`);
  }
  if (r['tenant'] !== undefined && (typeof r['tenant'] !== 'string' || r['tenant'] === '')) throw new Error(`${where}.tenant must be a non-empty string`);
  const cfg: FileInputConfig = { paths: paths as string[], labels: labels as Labels };
  if (r['tenant'] !== undefined) cfg.tenant = r['tenant'] as string;
  const ml = r['multiline'];
  if (ml !== undefined) {
    const m = ml as Record<string, unknown>;
    if (typeof m !== 'object' || m === null || typeof m['start'] !== 'string') throw new Error(`${where}.multiline.start must be a regular expression string`);
    try {
      new RegExp(m['start']);
    } catch (e) {
      throw new Error(`${where}.multiline.start is not a valid regular expression: ${(e as Error).message}`);
    }
    const maxLines = m['max_lines'] ?? m['maxLines'];
    if (maxLines !== undefined && (typeof maxLines !== 'number' || maxLines < 1)) throw new Error(`${where}.multiline.max_lines must be a positive number`);
    cfg.multiline = { start: m['start'], ...(maxLines === undefined ? {} : { maxLines: maxLines as number }) };
  }
  return cfg;
}
