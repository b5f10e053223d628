/**
 * Prometheus' alert templating on top of lode's Go text/template engine: `$labels`, `$value`,
 * `$externalLabels`, `$externalURL` are declared as Prometheus declares them, and the
 * `humanize*` family plus `toUpper`/`toLower` are added to the function map.
 */
import { Executor, type TemplateFunc } from '../template/exec.js';
import { TEMPLATE_FUNCS } from '../template/funcs.js';
import { parseTemplate } from '../template/parser.js';
import { sprintf, type GoValue } from '../template/index.js';

// Prometheus prepends exactly these declarations to every label and annotation template.
const PRELUDE = '{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}';

function toFloat(v: GoValue | undefined, fn: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string') {
    const n = Number(v);
    if (v.trim() !== '' && !Number.isNaN(n)) return n;
    if (/^[+-]?(nan|inf(inity)?)$/i.test(v.trim())) return parseFloat(v.replace(/inf$/i, 'Infinity'));
  }
  throw new Error(`${fn}: cannot convert ${String(v)} to float`);
}

const g4 = (v: number): string => sprintf('%.4g', [v]);

function humanize(v: number): string {
  if (v === 0 || !Number.isFinite(v)) return g4(v);
  let prefix = '';
  if (Math.abs(v) >= 1) {
    for (const p of ['k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y']) {
      if (Math.abs(v) < 1000) break;
      prefix = p;
      v /= 1000;
    }
  } else {
    for (const p of ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y']) {
      if (Math.abs(v) >= 1) break;
      prefix = p;
      v *= 1000;
    }
  }
  return g4(v) + prefix;
}

function humanize1024(v: number): string {
  if (Math.abs(v) <= 1 || !Number.isFinite(v)) return g4(v);
  let prefix = '';
  for (const p of ['ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'Zi', 'Yi']) {
    if (Math.abs(v) < 1024) break;
    prefix = p;
    v /= 1024;
  }
  return g4(v) + prefix;
}

function humanizeDuration(v: number): string {
  if (!Number.isFinite(v)) return g4(v);
  if (v === 0) return g4(v) + 's';
  const sign = v < 0 ? '-' : '';
  v = Math.abs(v);
  if (v >= 1) {
    const secs = Math.trunc(v);
    const [d, h, m, s] = [Math.trunc(secs / 86400), Math.trunc(secs / 3600) % 24, Math.trunc(secs / 60) % 60, secs % 60];
    if (d !== 0) return `${sign}${d}d ${h}h ${m}m ${s}s`;
    if (h !== 0) return `${sign}${h}h ${m}m ${s}s`;
    if (m !== 0) return `${sign}${m}m ${s}s`;
    return `${sign}${g4(v)}s`;
  }
  let prefix = '';
  for (const p of ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y']) {
    if (v >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return `${sign}${g4(v)}${prefix}s`;
}

const unary = (name: string, f: (v: number) => string): [string, TemplateFunc] => [
  name,
  (a) => {
    if (a.length !== 1) throw new Error(`wrong number of args for ${name}: want 1 got ${a.length}`);
    return f(toFloat(a[0], name));
  },
];

const ALERT_FUNCS: ReadonlyMap<string, TemplateFunc> = new Map([
  ...TEMPLATE_FUNCS,
  unary('humanize', humanize),
  unary('humanize1024', humanize1024),
  unary('humanizeDuration', humanizeDuration),
  unary('humanizePercentage', (v) => sprintf('%.4g%%', [v * 100])),
  ['toUpper', (a) => String(a[0] ?? '').toUpperCase()],
  ['toLower', (a) => String(a[0] ?? '').toLowerCase()],
]);

/**
 * `$labels` is a Go map[string]string in Prometheus, so a missing key reads as "". The template
 * engine gives that zero value only to its root map; this view answers "" for any absent key.
 */
function stringMap(labels: Readonly<Record<string, string>>): Record<string, string> {
  return new Proxy(
    { ...labels },
    {
      getOwnPropertyDescriptor: (target, key) =>
        Object.getOwnPropertyDescriptor(target, key) ?? { value: '', writable: true, enumerable: false, configurable: true },
      get: (target, key) => (typeof key === 'string' ? (target[key] ?? '') : undefined),
    },
  );
}

export interface AlertTemplateData {
  labels: Readonly<Record<string, string>>;
  value: number;
}

/** A label or annotation template, compiled once per rule. */
export class AlertTemplate {
  private readonly exec: Executor | undefined;

  constructor(
    name: string,
    private readonly source: string,
  ) {
    // Plain text (the common case) needs no parsing at evaluation time.
    if (!source.includes('{{')) return;
    this.exec = new Executor(
      parseTemplate(name, PRELUDE + source, (n) => ALERT_FUNCS.has(n)),
      ALERT_FUNCS,
    );
  }

  /** Expands; on failure returns Prometheus' `<error expanding template: …>` text instead of throwing. */
  expand(data: AlertTemplateData): string {
    if (!this.exec) return this.source;
    try {
      return this.exec.execute({
        Labels: stringMap(data.labels),
        ExternalLabels: {},
        ExternalURL: '',
        Value: data.value,
      });
    } catch (err) {
      return `<error expanding template: ${(err as Error).message}>`;
    }
  }
}
