/**
 * Go text/template for LogQL's `line_format` and `label_format`: compile once per query, render
 * per entry. Labels are the template's data (`{{.level}}`); `__line__` and `__timestamp__` are
 * functions bound to the entry being rendered, as in Loki.
 */
import { Executor, type TemplateFunc } from './exec.js';
import { TEMPLATE_FUNCS } from './funcs.js';
import { TemplateError } from './lexer.js';
import { parseTemplate, type Node } from './parser.js';
import { GoTime, type GoValue } from './values.js';

export { TemplateError } from './lexer.js';
export { ExecError } from './exec.js';
export { sprintf } from './printf.js';
export { GoTime, formatTime, sprint, type GoValue } from './values.js';

export class CompiledTemplate {
  private line = '';
  private ts = 0n;
  private readonly exec: Executor;
  /** True when the template is plain text (no actions): rendering is the text itself. */
  readonly constant: string | undefined;

  constructor(name: string, source: string) {
    const funcs = new Map<string, TemplateFunc>(TEMPLATE_FUNCS);
    funcs.set('__line__', () => this.line);
    funcs.set('__timestamp__', () => new GoTime(this.ts));
    const parsed = parseTemplate(name, source, (n) => funcs.has(n));
    this.exec = new Executor(parsed, funcs);
    this.constant = constantText(parsed.root);
  }

  /** Renders for one entry; throws ExecError (Loki sets `__error__=TemplateFormatErr`). */
  render(data: Readonly<Record<string, string>>, line: string, ts: bigint): string {
    if (this.constant !== undefined) return this.constant;
    this.line = line;
    this.ts = ts;
    return this.exec.execute(data as GoValue);
  }
}

function constantText(nodes: Node[]): string | undefined {
  let s = '';
  for (const n of nodes) {
    if (n.kind !== 'text') return undefined;
    s += n.text;
  }
  return s;
}

/** Compiles a template; throws TemplateError with Go's `template: name:line: …` message. */
export function compileTemplate(name: string, source: string): CompiledTemplate {
  try {
    return new CompiledTemplate(name, source);
  } catch (err) {
    if (err instanceof TemplateError) throw err;
    throw new TemplateError(`template: ${name}: ${(err as Error).message}`);
  }
}
