/**
 * Reads the figures out of each benchmark's printed summary. The benchmarks print aligned text,
 * not JSON, so every pattern here is anchored on a line's label and fails loudly (naming the line
 * it wanted) rather than reporting a wrong number when the output format changes.
 */
import type { Figure } from './figures.js';

/** MiB → MB (10^6 bytes): the issue's RSS targets are in MB, the benchmarks print MiB. */
const MIB_TO_MB = 1.048576;

const num = (s: string): number => Number(s.replace(/,/g, ''));

function grab(text: string, pattern: RegExp, what: string, benchmark: string): RegExpExecArray {
  const m = pattern.exec(text);
  if (!m) throw new Error(`${benchmark} output has no ${what} line (looked for ${pattern}); has its output format changed?`);
  return m;
}

export function parseStore(text: string): Figure[] {
  const b = 'store';
  const wall = grab(text, /^ingest wall clock:\s+([\d.,]+) s → ([\d,]+) entries\/s, ([\d.,]+) MB\/s/m, '"ingest wall clock"', b);
  const only = grab(text, /^ingest store only:\s+([\d,]+) entries\/s/m, '"ingest store only"', b);
  const flush = grab(text, /^ingest \+ flush:\s+([\d,]+) entries\/s/m, '"ingest + flush"', b);
  const entries = grab(text, /^entries:\s+([\d,]+) in (\d+) streams/m, '"entries"', b);
  const chunks = grab(text, /^chunks:\s+([\d,]+), stored ([\d.,]+) MiB → compression ([\d.,]+):1/m, '"chunks"', b);
  const needle = grab(text, /^needle query:\s+([\d,]+) of ([\d,]+) chunks decoded \(([\d.,]+)%\)/m, '"needle query"', b);
  const rss = grab(text, /^RSS:\s+([\d,]+) MiB after ingest, peak ([\d,]+) MiB/m, '"RSS"', b);
  const rate = { op: '>=' as const, value: 400_000 };
  return [
    { name: 'append, wall clock (incl. reading batches)', value: num(wall[2]!), unit: 'entries/s', target: rate, detail: `${num(entries[1]!).toLocaleString('en-US')} entries in ${entries[2]} streams, ${wall[1]} s, ${wall[3]} MB/s` },
    { name: 'append, store only', value: num(only[1]!), unit: 'entries/s', target: rate, detail: 'wall clock minus the time spent reading batches' },
    { name: 'append + final flush', value: num(flush[1]!), unit: 'entries/s', target: rate, detail: 'until every chunk is in LMDB' },
    { name: 'compression (raw / chunk bytes)', value: num(chunks[3]!), unit: ':1', target: { op: '>=', value: 10 }, detail: `${chunks[1]} chunks, ${chunks[2]} MiB stored` },
    { name: 'needle: chunks decoded', value: num(needle[3]!), unit: '%', target: { op: '<=', value: 5 }, detail: `${needle[1]} of ${needle[2]} chunks` },
    { name: 'peak RSS during ingest', value: num(rss[2]!) * MIB_TO_MB, unit: 'MB', target: { op: '<=', value: 500 }, detail: `${rss[2]} MiB peak, ${rss[1]} MiB after ingest` },
  ];
}

const INGEST_TARGETS: Record<string, number> = { loki_json: 340_000, loki_protobuf: 340_000, otlp_protobuf: 150_000 };

export function parseIngest(text: string): Figure[] {
  const rows = [...text.matchAll(/^(loki_json|loki_protobuf|otlp_protobuf)\s+([\d,]+)\s+([\d.]+)\s+([\d.]+)\s+([\d,]+)\s+([\d.]+)\s*$/gm)];
  if (rows.length === 0) throw new Error('ingest-http output has no protocol rows (looked for lines starting with loki_json, loki_protobuf or otlp_protobuf)');
  const figures: Figure[] = rows.map((r) => ({
    name: `${r[1]} push`,
    value: num(r[2]!),
    unit: 'entries/s',
    target: { op: '>=', value: INGEST_TARGETS[r[1]!]! },
    detail: `${r[3]} line MB/s, ${r[4]} wire MB/s, ${num(r[5]!).toLocaleString('en-US')} entries`,
  }));
  const peakMib = Math.max(...rows.map((r) => num(r[6]!)));
  figures.push({ name: 'server peak RSS while ingesting', value: peakMib * MIB_TO_MB, unit: 'MB', target: { op: '<=', value: 500 }, detail: `${peakMib} MiB, highest over the protocols` });
  return figures;
}

export function parseMetadata(text: string): Figure[] {
  const header = grab(text, /^endpoint\s+p50\s+p99\s+max\s+bytes\s*$/m, 'table header ("endpoint p50 p99 max bytes")', 'metadata');
  const rows = [...text.slice(header.index + header[0].length).matchAll(/^(\S.*?)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+(\d+)\s*$/gm)];
  if (rows.length === 0) throw new Error('metadata output has a table header but no rows');
  return rows.map((r) => ({
    name: `${r[1]} p99`,
    value: Number(r[3]),
    unit: 'ms',
    target: { op: '<=', value: 20 },
    detail: `p50 ${r[2]} ms, max ${r[4]} ms, ${Number(r[5]).toLocaleString('en-US')} bytes`,
  }));
}

export function parseQuery(text: string): Figure[] {
  const rows = [...text.matchAll(/^(\S.*?)\s+([\d,.]+) ms\s+([\d,.]+) ms {2}(.+?)\s+([\d,]+\/[\d,]+) {2}(.*)$/gm)];
  if (rows.length === 0) throw new Error('query output has no result rows (looked for "<name>  <median> ms  <min> ms  <result>  <decoded>/<chunks>  <target>")');
  return rows.map((r) => {
    const target = /≤\s*([\d,.]+)\s*ms/.exec(r[6]!);
    return {
      name: r[1]!,
      value: num(r[2]!),
      unit: 'ms',
      ...(target ? { target: { op: '<=' as const, value: num(target[1]!) } } : {}),
      detail: `median; min ${r[3]} ms; ${r[4]}; ${r[5]} chunks decoded${target ? '' : `; target: ${r[6]!.trim()}`}`,
    };
  });
}
