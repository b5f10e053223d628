/**
 * Turns stored entries into samples for a range aggregation: the log pipeline (with `unwrap` and
 * its post filters, which the pipeline applies as Loki does) gives the series labels and the value;
 * counting ops weigh each entry by 1 or by its line's byte length after the pipeline.
 */
import type { Labels, StoredEntry } from '@lode/store';
import type { LogRange } from '../logql/ast.js';
import { parserHints, type HintGrouping, type Pipeline } from '../pipeline/index.js';
import { compileStages } from './compile.js';

export interface Sample {
  labels: Labels;
  value: number;
  /** Byte length of the line after the pipeline (what `bytes_*` count). */
  bytes: number;
}

export class SampleExtractor {
  private readonly pipeline: Pipeline;
  /** Literal substrings every matching line contains (for the store's content filters). */
  readonly requiredLiterals: readonly string[];
  /** No stage changes labels and there is no unwrap: series are stream labels + metadata. */
  readonly labelsUnchanged: boolean;
  /** No stage at all and no unwrap: every entry is a sample of its stream labels + metadata. */
  readonly noStages: boolean;
  private readonly sample: Sample = { labels: {}, value: 0, bytes: 0 };

  /**
   * `grouping`: what the query reads of the samples, for the parser hints (see pipeline/hints.ts).
   * `project`: the only labels the aggregation reads of error-free samples (see PipelineOptions).
   * Parsers keep the first of duplicate keys in metric queries, as Loki's do, and `json` drops
   * empty string values (absent from Loki 3.4.6's metric series).
   */
  constructor(range: LogRange, grouping: HintGrouping, project?: readonly string[]) {
    this.pipeline = compileStages(range.pipeline, {
      ...(range.unwrap ? { unwrap: range.unwrap } : {}),
      ...(project ? { project } : {}),
      hints: parserHints(range.pipeline, range.unwrap, grouping),
      firstDuplicateWins: true,
      dropEmptyJson: true,
    });
    this.requiredLiterals = this.pipeline.requiredLiterals;
    this.labelsUnchanged = this.pipeline.labelsUnchanged;
    this.noStages = this.pipeline.noStages;
  }

  /** A byte-level necessary condition for an entry to yield a sample (see Pipeline.mayPass). */
  get mayPass(): Pipeline['mayPass'] {
    return this.pipeline.mayPass;
  }

  /** Bytes every line that yields a sample contains (see Pipeline.lineNeedle). */
  lineNeedle(streamLabels: Labels, hasMetadata: boolean): Buffer | undefined {
    return this.pipeline.lineNeedle(streamLabels, hasMetadata);
  }

  /** Literals every sample's line contains in a chunk without metadata (see Pipeline.metadataFreeLiterals). */
  metadataFreeLiterals(streamLabels: Labels): readonly string[] {
    return this.pipeline.metadataFreeLiterals(streamLabels);
  }

  /** `extract` for an entry read from chunk columns: the line stays bytes unless a stage needs text. */
  extractBytes(ts: bigint, bytes: Buffer, streamLabels: Labels, metadata: Labels): Sample | undefined {
    const r = this.pipeline.processBytes(ts, bytes, streamLabels, metadata);
    if (!r) return undefined;
    const s = this.sample;
    s.bytes = this.pipeline.rewritesLine ? Buffer.byteLength(r.line) : bytes.length;
    s.labels = r.labels;
    s.value = r.value ?? 1;
    return s;
  }

  /** `extractBytes` for the line `block[start..end)` of a chunk's lines block. */
  extractRange(ts: bigint, block: Buffer, start: number, end: number, streamLabels: Labels, metadata: Labels): Sample | undefined {
    const r = this.pipeline.processRange(ts, block, start, end, streamLabels, metadata);
    if (!r) return undefined;
    const s = this.sample;
    s.bytes = this.pipeline.rewritesLine ? Buffer.byteLength(r.line) : end - start;
    s.labels = r.labels;
    s.value = r.value ?? 1;
    return s;
  }

  /** The sample of an entry, or undefined when the pipeline filters it out. Reuses one object. */
  extract(e: StoredEntry, lineBytes: number): Sample | undefined {
    const bytes = e.lineBytes;
    const r =
      bytes !== undefined
        ? this.pipeline.processBytes(e.ts, bytes, e.stream.labels, e.metadata)
        : this.pipeline.process(e.ts, e.line, undefined, e.stream.labels, e.metadata);
    if (!r) return undefined;
    const s = this.sample;
    s.bytes = !this.pipeline.rewritesLine ? lineBytes : Buffer.byteLength(r.line);
    s.labels = r.labels;
    s.value = r.value ?? 1;
    return s;
  }
}
