/**
 * Groups physical lines into entries: a line matching `start` opens an entry, other lines join
 * the open one (stack traces). Without a start pattern every line is its own entry. Tracks the
 * byte offset where the open entry began, so offsets are only committed past finished entries.
 */
export class LineGrouper {
  private lines: string[] = [];
  private startOffset = 0;

  constructor(
    private readonly start: RegExp | undefined,
    private readonly maxLines: number,
    private readonly emit: (text: string, endOffset: number) => void,
  ) {}

  /** Offset of the first byte not yet part of an emitted entry. */
  get pendingFrom(): number {
    return this.lines.length > 0 ? this.startOffset : -1;
  }

  get hasPending(): boolean {
    return this.lines.length > 0;
  }

  /** One physical line (without its newline) that began at `offset` and ends before `end`. */
  line(text: string, offset: number, end: number): void {
    if (!this.start) {
      this.emit(text, end);
      return;
    }
    if (this.lines.length > 0 && (this.start.test(text) || this.lines.length >= this.maxLines)) this.flushAt(offset);
    if (this.lines.length === 0) this.startOffset = offset;
    this.lines.push(text);
  }

  /** Emits the open entry (the file went quiet or ended); `end` is the offset after its last line. */
  flushAt(end: number): void {
    if (this.lines.length === 0) return;
    const text = this.lines.join('\n');
    this.lines = [];
    this.emit(text, end);
  }
}
