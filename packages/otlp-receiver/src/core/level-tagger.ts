import type { Entry, Labels } from '@lode/store';
import { DETECTED_LEVEL, levelFromLine, metadataLevel } from './discovery.js';

/** Level values seen in practice are few; past this many, `{detected_level}` objects are no longer cached. */
const MAX_CACHED_LEVELS = 64;
const LEVEL_ONLY = new Map<string, Labels>();

/** The shared, frozen `{detected_level: level}` for entries that had no metadata. */
function levelOnly(level: string): Labels {
  let m = LEVEL_ONLY.get(level);
  if (m === undefined) {
    m = Object.freeze({ [DETECTED_LEVEL]: level });
    if (LEVEL_ONLY.size < MAX_CACHED_LEVELS) LEVEL_ONLY.set(level, m);
  }
  return m;
}

/**
 * Adds `detected_level` to the metadata of one stream's entries (Loki's rules, see discovery.ts)
 * without a new object per entry: entries without metadata get a shared frozen `{detected_level}`,
 * and entries sharing one frozen metadata object (as decoders hand out for equal metadata) share
 * its levelled copy. The store checks and encodes a frozen object once per append, not per entry.
 * Unfrozen metadata belongs to its entry alone and gets its own copy, as before.
 */
export class LevelTagger {
  private source: Labels | undefined;
  /** The level `source` settles by itself; undefined when the line decides. */
  private sourceLevel: string | undefined;
  private tagged: Labels | undefined;
  private taggedLevel = '';

  /** `labelLevel`: a level-like stream label, which wins over everything per entry. */
  constructor(private readonly labelLevel: string | undefined) {}

  /** Sets `entry.metadata` to its metadata plus `detected_level` (the caller checked it had none). */
  tag(entry: Entry): void {
    const md = entry.metadata;
    if (md === undefined) {
      entry.metadata = levelOnly(this.labelLevel ?? levelFromLine(entry.line));
      return;
    }
    if (!Object.isFrozen(md)) {
      entry.metadata = { ...md, [DETECTED_LEVEL]: this.labelLevel ?? metadataLevel(md) ?? levelFromLine(entry.line) };
      return;
    }
    if (md !== this.source) {
      this.source = md;
      this.sourceLevel = this.labelLevel ?? metadataLevel(md);
      this.tagged = undefined;
    }
    const level = this.sourceLevel ?? levelFromLine(entry.line);
    if (this.tagged === undefined || this.taggedLevel !== level) {
      this.tagged = Object.freeze({ ...md, [DETECTED_LEVEL]: level });
      this.taggedLevel = level;
    }
    entry.metadata = this.tagged;
  }
}
