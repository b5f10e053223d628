/**
 * The label-producing and rewriting stages: parsers, formatters, drop/keep, decolorize. Each is
 * a function over the entry state returning whether the entry is kept.
 */
import type {
  DropStage,
  JsonParserStage,
  KeepStage,
  LabelFormatStage,
  LogfmtParserStage,
  PatternParserStage,
  RegexpParserStage,
} from '../logql/ast.js';
import { compileTemplate, ExecError } from '../template/index.js';
import { extractJsonPaths, flattenJson, JsonSyntaxError, notAnObjectError, parseJsonPath, sanitizeKey, unpackJson } from './json.js';
import { compileMatcher } from './label-filter.js';
import { decodeLogfmt, LogfmtSyntaxError } from './logfmt.js';
import { HintedLogfmtScanner } from './logfmt-bytes.js';
import { Pattern } from './pattern.js';
import { compileRe2 } from '@lode/store';
import { ERROR_DETAILS_LABEL, ERROR_LABEL, type EntryState } from './state.js';

export type StageFn = (st: EntryState) => boolean;

export class StageError extends Error {
  override readonly name = 'StageError';
}

const JSON_ERR = 'JSONParserErr';
const LOGFMT_ERR = 'LogfmtParserErr';
const TEMPLATE_ERR = 'TemplateFormatErr';
const VALID_LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Whether any required name starts with a flattened json prefix (Loki's `ShouldExtractPrefix`). */
function prefixTest(required: ReadonlySet<string>): (prefix: string) => boolean {
  const names = [...required];
  return (prefix) => names.some((n) => n.startsWith(prefix));
}

export function jsonStage(stage: JsonParserStage): StageFn {
  if (stage.params.length === 0) {
    // One closure per stage, reading the entry being parsed, instead of one per entry.
    let cur: EntryState | undefined;
    // Loki 3.4.6's metric series carry no json key with an empty string value (its log
    // results do): metric pipelines skip such values.
    const emitAll = (k: string, v: string): void => {
      if (v !== '' || !cur!.dropEmptyJson) cur!.setParsed(k, v);
    };
    const emitHinted = (k: string, v: string): boolean => v === '' || cur!.setHinted(k, v);
    let wantPrefix: ((prefix: string) => boolean) | undefined;
    return (st) => {
      const hints = st.hints;
      if (hints.noLabels || st.allRequiredFound()) return true;
      cur = st;
      st.beginParser();
      const notObject = notAnObjectError(st.line);
      if (notObject !== undefined) {
        st.setErr(JSON_ERR, notObject);
        return true;
      }
      try {
        if (hints.required === undefined) flattenJson(st.line, emitAll);
        else flattenJson(st.line, emitHinted, (wantPrefix ??= prefixTest(hints.required)));
      } catch (err) {
        if (!(err instanceof JsonSyntaxError)) throw err;
        st.setErr(JSON_ERR, err.message);
      }
      return true;
    };
  }
  const names = stage.params.map((p) => p.label);
  const paths = stage.params.map((p) => {
    try {
      return parseJsonPath(p.expr ?? p.label);
    } catch (err) {
      throw new StageError((err as Error).message);
    }
  });
  const out: string[] = [];
  return (st) => {
    if (st.hints.noLabels || st.allRequiredFound()) return true;
    st.beginParser();
    try {
      extractJsonPaths(st.line, paths, out);
    } catch (err) {
      if (!(err instanceof JsonSyntaxError)) throw err;
      st.setErr(JSON_ERR, err.message);
      return true;
    }
    for (let i = 0; i < names.length; i++) st.setParsed(names[i]!, out[i]!);
    return true;
  };
}

export function unpackStage(): StageFn {
  return (st) => {
    st.beginParser();
    try {
      const entry = unpackJson(st.line, (k, v) => st.setParsed(k, v));
      if (entry !== undefined) st.line = entry;
    } catch (err) {
      if (!(err instanceof JsonSyntaxError)) throw err;
      st.setErr(JSON_ERR, err.message);
    }
    return true;
  };
}

const MAX_CACHED_KEYS = 4096;
const SURROGATE = /[\uD800-\uDFFF]/;

export function logfmtStage(stage: LogfmtParserStage): StageFn {
  const { strict, keepEmpty } = stage;
  const wanted = stage.params.length ? new Map(stage.params.map((p) => [p.expr ?? p.label, p.label])) : undefined;
  if (!wanted) return logfmtAllStage(strict, keepEmpty);
  return (st) => {
    if (st.hints.noLabels) return true;
    st.beginParser();
    try {
      decodeLogfmt(st.line, strict, (rawKey, value) => {
        if (value === '' && !keepEmpty) return;
        const label = wanted.get(rawKey);
        if (label !== undefined) st.setParsed(label, value);
      });
    } catch (err) {
      if (!(err instanceof LogfmtSyntaxError)) throw err;
      st.setErr(LOGFMT_ERR, err.message);
    }
    return true;
  };
}

/** `| logfmt` without parameters: every key, or only the hinted ones (stopping once all are found). */
function logfmtAllStage(strict: boolean, keepEmpty: boolean): StageFn {
  // Sanitised names of the raw keys seen so far (lines repeat their keys).
  const names = new Map<string, string>();
  const sanitized = (rawKey: string): string => {
    let key = names.get(rawKey);
    if (key === undefined) {
      key = sanitizeKey(rawKey, true);
      if (names.size >= MAX_CACHED_KEYS) names.clear();
      names.set(rawKey, key);
    }
    return key;
  };
  let cur: EntryState | undefined;
  const emitAll = (rawKey: string, value: string): void => {
    if (value === '' && !keepEmpty) return;
    const key = sanitized(rawKey);
    if (key !== '') cur!.setParsed(key, value);
  };
  const emitHinted = (rawKey: string, value: string): boolean => {
    if (value === '' && !keepEmpty) return true;
    const key = sanitized(rawKey);
    return key === '' || cur!.setHinted(key, value);
  };
  let scanner: HintedLogfmtScanner | undefined;
  let scannerBase: object | undefined;
  const isBase = (name: string): boolean => cur!.isBase(name);
  let encoded = Buffer.alloc(0);
  /** Sets the values the scanner found in `b[start..end)` (in line order, as the string parser would). */
  const scanInto = (st: EntryState, s: HintedLogfmtScanner, b: Buffer, start: number, end: number): void => {
    const base = st.baseKey;
    if (base === undefined || base !== scannerBase) {
      s.prepare(isBase, base);
      scannerBase = base;
    }
    const found = s.scan(b, start, end);
    for (let k = 0; k < found; k++) {
      const slot = s.order[k]!;
      if (!st.setHintedKey(s.labels[slot]!, s.value(b, slot))) return;
    }
  };
  return (st) => {
    const hints = st.hints;
    if (hints.noLabels || st.allRequiredFound()) return true;
    cur = st;
    st.beginParser();
    if (hints.required !== undefined && !strict) {
      scanner ??= new HintedLogfmtScanner(hints.required, keepEmpty, sanitized);
      if (st.bytes !== undefined) {
        scanInto(st, scanner, st.bytes, 0, st.bytes.length);
        return true;
      }
      // A line read as text: encoded into a reused buffer, which costs less than decoding every
      // pair of it. Lone surrogates would not survive the round trip (the string parser keeps
      // them), so lines with any surrogate keep the string parser.
      const line = st.line;
      if (!SURROGATE.test(line)) {
        if (encoded.length < line.length * 3) encoded = Buffer.allocUnsafe(line.length * 3 + 64);
        scanInto(st, scanner, encoded, 0, encoded.write(line, 0));
        return true;
      }
    }
    try {
      decodeLogfmt(st.line, strict, hints.required === undefined ? emitAll : emitHinted);
    } catch (err) {
      if (!(err instanceof LogfmtSyntaxError)) throw err;
      st.setErr(LOGFMT_ERR, err.message);
    }
    return true;
  };
}

export function regexpStage(stage: RegexpParserStage): StageFn {
  const names = [...stage.regex.matchAll(/\(\?P?<([^>]*)>/g)].map((m) => m[1]!);
  const seen = new Set<string>();
  for (const n of names) {
    if (!VALID_LABEL.test(n)) throw new StageError(`invalid extracted label name '${n}'`);
    if (seen.has(n)) throw new StageError(`duplicate extracted label name '${n}'`);
    seen.add(n);
  }
  let re: RegExp;
  try {
    // JS rejects duplicate group names; they were refused above with Loki's message.
    re = compileRe2(stage.regex);
  } catch (err) {
    throw new StageError((err as Error).message);
  }
  if (names.length === 0) throw new StageError('at least one named capture must be supplied');
  return (st) => {
    st.beginParser();
    const m = re.exec(st.line);
    if (!m || !m.groups) return true;
    for (const n of names) st.setParsed(n, m.groups[n] ?? '');
    return true;
  };
}

export function patternStage(stage: PatternParserStage): StageFn {
  let p: Pattern;
  try {
    p = new Pattern(stage.pattern, 'parser');
  } catch (err) {
    throw new StageError((err as Error).message);
  }
  const out: string[] = [];
  return (st) => {
    st.beginParser();
    p.extract(st.line, out);
    for (let i = 0; i < out.length; i++) st.setParsed(p.names[i]!, out[i]!);
    return true;
  };
}

/** The template data: the current labels plus the error pair, as Loki's `lbs.Map()`. */
function templateData(st: EntryState): Record<string, string> {
  const data: Record<string, string> = Object.fromEntries(st.labels.entries());
  if (st.err !== '') data[ERROR_LABEL] = st.err;
  if (st.errDetails !== '') data[ERROR_DETAILS_LABEL] = st.errDetails;
  return data;
}

export function lineFormatStage(template: string): StageFn {
  let t: ReturnType<typeof compileTemplate>;
  try {
    t = compileTemplate('line', template);
  } catch (err) {
    throw new StageError(`invalid line template: ${(err as Error).message}`);
  }
  if (t.constant !== undefined) {
    const c = t.constant;
    return (st) => {
      st.line = c;
      return true;
    };
  }
  return (st) => {
    try {
      st.line = t.render(templateData(st), st.line, st.ts);
    } catch (err) {
      if (!(err instanceof ExecError)) throw err;
      st.setErr(TEMPLATE_ERR, err.message);
    }
    return true;
  };
}

export function labelFormatStage(stage: LabelFormatStage): StageFn {
  const seen = new Set<string>();
  const ops = stage.ops.map((op) => {
    if (op.dst === ERROR_LABEL) throw new StageError(`${ERROR_LABEL} cannot be formatted`);
    if (seen.has(op.dst)) throw new StageError(`multiple label name '${op.dst}' not allowed in a single format operation`);
    seen.add(op.dst);
    if (op.kind === 'Rename') return { dst: op.dst, src: op.src, tmpl: undefined };
    try {
      return { dst: op.dst, src: '', tmpl: compileTemplate('label', op.template) };
    } catch (err) {
      throw new StageError(`invalid template for label '${op.dst}': ${(err as Error).message}`);
    }
  });
  return (st) => {
    let data: Record<string, string> | undefined;
    for (const op of ops) {
      if (!op.tmpl) {
        const v = st.labels.get(op.src);
        if (v !== undefined) {
          st.labels.delete(op.src);
          st.labels.set(op.dst, v);
        }
        continue;
      }
      data ??= templateData(st);
      try {
        st.labels.set(op.dst, op.tmpl.render(data, st.line, st.ts));
      } catch (err) {
        if (!(err instanceof ExecError)) throw err;
        st.setErr(TEMPLATE_ERR, err.message);
      }
    }
    return true;
  };
}

type Selection = { name: string; test?: (v: string) => boolean };

function selections(stage: DropStage | KeepStage): Selection[] {
  return stage.labels.map((l) =>
    l.kind === 'Name' ? { name: l.name } : { name: l.matcher.name, test: compileMatcher(l.matcher) },
  );
}

export function dropStage(stage: DropStage): StageFn {
  const sel = selections(stage);
  return (st) => {
    for (const s of sel) {
      if (s.name === ERROR_LABEL) {
        if (st.err !== '' && (!s.test || s.test(st.err))) st.err = '';
        continue;
      }
      if (s.name === ERROR_DETAILS_LABEL) {
        if (st.errDetails !== '' && (!s.test || s.test(st.errDetails))) st.errDetails = '';
        continue;
      }
      const v = st.labels.get(s.name);
      if (v !== undefined && (!s.test || s.test(v))) st.labels.delete(s.name);
    }
    return true;
  };
}

export function keepStage(stage: KeepStage): StageFn {
  const sel = selections(stage);
  return (st) => {
    for (const [name, v] of st.labels.entries()) {
      let keep = false;
      for (const s of sel) {
        if (s.name === name && (!s.test || s.test(v))) {
          keep = true;
          break;
        }
      }
      if (!keep) st.labels.delete(name);
    }
    return true;
  };
}

// ANSI escape sequences (CSI and OSC-terminated), as stripped by Loki's decolorize.
const ANSI = /[\u001B\u009B][[\]()#;?]*(?:(?:(?:[a-zA-Z\d]*(?:;[a-zA-Z\d]*)*)?\u0007)|(?:(?:\d{1,4}(?:;\d{0,4})*)?[\dA-PRZcf-ntqry=><~]))/g;

export function decolorizeStage(): StageFn {
  return (st) => {
    if (st.line.includes('\u001b') || st.line.includes('\u009b')) st.line = st.line.replace(ANSI, '');
    return true;
  };
}
