import fs from 'node:fs';
import path from 'node:path';

/** Saved read position of one file, keyed by its identity (`dev:ino`) so renames keep it. */
export interface SavedOffset {
  path: string;
  offset: number;
}

/**
 * Offsets of followed files, persisted atomically (temp file + rename) in the state dir so a
 * restart resumes exactly after the last entry that was appended.
 */
export class OffsetStore {
  private readonly file: string;
  private offsets = new Map<string, SavedOffset>();
  private dirty = false;

  constructor(stateDir: string) {
    fs.mkdirSync(stateDir, { recursive: true });
    this.file = path.join(stateDir, 'file-offsets.json');
    try {
      const doc = JSON.parse(fs.readFileSync(this.file, 'utf8')) as { files?: Record<string, SavedOffset> };
      for (const [id, v] of Object.entries(doc.files ?? {})) {
        if (typeof v?.offset === 'number' && typeof v.path === 'string') this.offsets.set(id, v);
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot read file input offsets ${this.file}: ${(e as Error).message}`);
    }
  }

  get(id: string): SavedOffset | undefined {
    return this.offsets.get(id);
  }

  set(id: string, filePath: string, offset: number): void {
    const cur = this.offsets.get(id);
    if (cur && cur.offset === offset && cur.path === filePath) return;
    this.offsets.set(id, { path: filePath, offset });
    this.dirty = true;
  }

  delete(id: string): void {
    if (this.offsets.delete(id)) this.dirty = true;
  }

  save(): void {
    if (!this.dirty) return;
    const tmp = `${this.file}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify({ version: 1, files: Object.fromEntries(this.offsets) }));
    fs.renameSync(tmp, this.file);
    this.dirty = false;
  }
}
