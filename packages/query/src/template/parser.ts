/**
 * Parser for Go text/template: builds the node tree the evaluator walks. Function names are
 * checked here, as Go does (`function "x" not defined` is a parse error).
 */
import { lex, TemplateError, type Token } from './lexer.js';

export type Node =
  | { kind: 'text'; text: string }
  | { kind: 'action'; pipe: Pipe }
  | { kind: 'if' | 'with'; pipe: Pipe; list: Node[]; elseList?: Node[] }
  | { kind: 'range'; pipe: Pipe; list: Node[]; elseList?: Node[] }
  | { kind: 'break' }
  | { kind: 'continue' };

export interface Pipe {
  /** Variables declared (`$x :=`) or assigned (`$x =`) by this pipeline. */
  decl: string[];
  isAssign: boolean;
  cmds: Command[];
}

export interface Command {
  args: Arg[];
}

export type Arg =
  | { kind: 'field'; idents: string[] }
  | { kind: 'variable'; name: string; idents: string[] }
  | { kind: 'func'; name: string }
  | { kind: 'dot' }
  | { kind: 'nil' }
  | { kind: 'bool'; value: boolean }
  | { kind: 'number'; int?: bigint; float: number; isInt: boolean; text: string }
  | { kind: 'string'; value: string }
  | { kind: 'pipe'; pipe: Pipe }
  | { kind: 'chain'; node: Arg; idents: string[] };

export interface ParsedTemplate {
  name: string;
  root: Node[];
}

class Parser {
  private i = 0;
  private vars: string[][] = [['$']];
  private rangeDepth = 0;

  constructor(
    private readonly name: string,
    private readonly toks: Token[],
    private readonly hasFunc: (name: string) => boolean,
  ) {}

  fail(msg: string, tok: Token = this.peek()): never {
    throw new TemplateError(`template: ${this.name}:${tok.line}: ${msg}`);
  }

  peek(): Token {
    return this.toks[this.i]!;
  }

  next(): Token {
    return this.toks[this.i++]!;
  }

  peekNonSpace(): Token {
    let j = this.i;
    while (this.toks[j]!.kind === 'space') j++;
    return this.toks[j]!;
  }

  nextNonSpace(): Token {
    let t = this.next();
    while (t.kind === 'space') t = this.next();
    return t;
  }

  /** Parses nodes until an `{{end}}`/`{{else}}` (returned as the terminator) or EOF. */
  parseList(terminators: boolean): { nodes: Node[]; end?: 'end' | 'else' } {
    const nodes: Node[] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind === 'eof') {
        if (terminators) this.fail('unexpected EOF');
        return { nodes };
      }
      if (t.kind === 'text') {
        this.next();
        nodes.push({ kind: 'text', text: t.text });
        continue;
      }
      // leftDelim
      this.next();
      const kw = this.peekNonSpace();
      if (kw.kind === 'keyword') {
        this.nextNonSpace();
        switch (kw.text) {
          case 'end':
          case 'else':
            if (!terminators) this.fail(`unexpected {{${kw.text}}}`, kw);
            if (kw.text === 'end') this.expectRight('end');
            return { nodes, end: kw.text };
          case 'if':
          case 'with':
          case 'range':
            nodes.push(this.parseBranch(kw.text));
            continue;
          case 'break':
          case 'continue':
            if (this.rangeDepth === 0) this.fail(`{{${kw.text}}} outside {{range}}`, kw);
            this.expectRight(kw.text);
            nodes.push({ kind: kw.text });
            continue;
          default:
            this.fail(`{{${kw.text}}} is not supported in LogQL templates`, kw);
        }
      }
      const pipe = this.parsePipeline('command', true);
      nodes.push({ kind: 'action', pipe });
    }
  }

  expectRight(context: string): void {
    const t = this.nextNonSpace();
    if (t.kind !== 'rightDelim') this.fail(`unexpected "${t.text}" in ${context}`, t);
  }

  parseBranch(kind: 'if' | 'with' | 'range'): Node {
    this.vars.push([]);
    const pipe = this.parsePipeline(kind, kind === 'range');
    if (kind === 'range') this.rangeDepth++;
    const body = this.parseList(true);
    if (kind === 'range') this.rangeDepth--;
    let elseList: Node[] | undefined;
    if (body.end === 'else') {
      // `{{else if …}}` / `{{else with …}}` chains nest a branch inside the else list.
      const nxt = this.peekNonSpace();
      if ((kind === 'if' && nxt.text === 'if') || (kind === 'with' && nxt.text === 'with')) {
        this.nextNonSpace();
        elseList = [this.parseBranch(kind)];
      } else {
        this.expectRight('else');
        const e = this.parseList(true);
        if (e.end !== 'end') this.fail('expected end; found {{else}}');
        elseList = e.nodes;
      }
    }
    this.vars.pop();
    return { kind, pipe, list: body.nodes, elseList };
  }

  parsePipeline(context: string, allowDecl: boolean): Pipe {
    const pipe: Pipe = { decl: [], isAssign: false, cmds: [] };
    // declarations: $x := / $x, $y := (range only) / $x =
    const save = this.i;
    const v = this.peekNonSpace();
    if (v.kind === 'variable') {
      this.nextNonSpace();
      const op = this.peekNonSpace();
      if (op.kind === 'declare' || op.kind === 'assign') {
        this.nextNonSpace();
        pipe.decl.push(v.text);
        pipe.isAssign = op.kind === 'assign';
        if (!pipe.isAssign) this.declare(v.text);
        else if (!this.isDeclared(v.text)) this.fail(`undefined variable "${v.text}"`, v);
      } else if (op.kind === 'comma' && allowDecl) {
        this.nextNonSpace();
        const v2 = this.nextNonSpace();
        if (v2.kind !== 'variable') this.fail(`range can only initialize variables`, v2);
        const op2 = this.nextNonSpace();
        if (op2.kind !== 'declare' && op2.kind !== 'assign') this.fail(`expected := or = after ${v2.text}`, op2);
        pipe.decl.push(v.text, v2.text);
        pipe.isAssign = op2.kind === 'assign';
        if (!pipe.isAssign) {
          this.declare(v.text);
          this.declare(v2.text);
        }
      } else {
        this.i = save;
      }
    }
    for (;;) {
      const t = this.peekNonSpace();
      if (t.kind === 'rightDelim' || t.kind === 'rightParen') {
        if (t.kind === 'rightDelim' && context !== 'paren') this.nextNonSpace();
        else if (t.kind === 'rightParen' && context !== 'paren') this.fail(`unexpected right paren`, t);
        break;
      }
      if (t.kind === 'eof') this.fail(context === 'paren' ? 'unclosed left paren' : 'unclosed action', t);
      pipe.cmds.push(this.parseCommand());
      const sep = this.peekNonSpace();
      if (sep.kind === 'pipe') {
        this.nextNonSpace();
        continue;
      }
    }
    if (pipe.cmds.length === 0) this.fail(`missing value for ${context}`);
    for (let k = 1; k < pipe.cmds.length; k++) {
      const first = pipe.cmds[k]!.args[0]!;
      if (first.kind !== 'func' && first.kind !== 'field' && first.kind !== 'chain' && first.kind !== 'variable') {
        this.fail(`non executable command in pipeline stage ${k + 1}`);
      }
    }
    return pipe;
  }

  declare(name: string): void {
    this.vars[this.vars.length - 1]!.push(name);
  }

  isDeclared(name: string): boolean {
    return this.vars.some((s) => s.includes(name));
  }

  parseCommand(): Command {
    const args: Arg[] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind === 'space') {
        this.next();
        continue;
      }
      if (t.kind === 'rightDelim' || t.kind === 'rightParen' || t.kind === 'pipe') break;
      if (t.kind === 'eof') this.fail('unclosed action', t);
      args.push(this.parseOperand());
      const after = this.peek();
      if (after.kind !== 'space' && after.kind !== 'rightDelim' && after.kind !== 'rightParen' && after.kind !== 'pipe') {
        this.fail(`unexpected "${after.text}" in operand`, after);
      }
    }
    if (args.length === 0) this.fail('empty command');
    return { args };
  }

  parseOperand(): Arg {
    const term = this.parseTerm();
    if (this.peek().kind === 'field') {
      const idents: string[] = [];
      while (this.peek().kind === 'field') idents.push(this.next().text.slice(1));
      if (term.kind === 'field') return { kind: 'field', idents: [...term.idents, ...idents] };
      if (term.kind === 'variable') return { kind: 'variable', name: term.name, idents: [...term.idents, ...idents] };
      if (term.kind === 'bool' || term.kind === 'string' || term.kind === 'number' || term.kind === 'nil' || term.kind === 'dot') {
        this.fail(`unexpected . after term "${term.kind}"`);
      }
      return { kind: 'chain', node: term, idents };
    }
    return term;
  }

  parseTerm(): Arg {
    const t = this.next();
    switch (t.kind) {
      case 'identifier':
        if (!this.hasFunc(t.text)) this.fail(`function "${t.text}" not defined`, t);
        return { kind: 'func', name: t.text };
      case 'dot':
        return { kind: 'dot' };
      case 'nil':
        return { kind: 'nil' };
      case 'bool':
        return { kind: 'bool', value: t.text === 'true' };
      case 'variable':
        if (!this.isDeclared(t.text)) this.fail(`undefined variable "${t.text}"`, t);
        return { kind: 'variable', name: t.text, idents: [] };
      case 'field':
        return { kind: 'field', idents: [t.text.slice(1)] };
      case 'string':
        return { kind: 'string', value: unquoteGo(t.text, (m) => this.fail(m, t)) };
      case 'rawString':
        return { kind: 'string', value: t.text.slice(1, -1).replace(/\r/g, '') };
      case 'char': {
        const s = unquoteGo('"' + t.text.slice(1, -1).replace(/"/g, '\\"') + '"', (m) => this.fail(m, t));
        const cp = BigInt(s.codePointAt(0) ?? 0);
        return { kind: 'number', int: cp, float: Number(cp), isInt: true, text: t.text };
      }
      case 'number':
        return parseNumber(t.text, (m) => this.fail(m, t));
      case 'leftParen': {
        const pipe = this.parsePipeline('paren', false);
        const close = this.nextNonSpace();
        if (close.kind !== 'rightParen') this.fail('unclosed left paren', close);
        return { kind: 'pipe', pipe };
      }
      default:
        this.fail(`unexpected "${t.text}" in operand`, t);
    }
  }
}

function parseNumber(text: string, fail: (m: string) => never): Arg {
  const clean = text.replace(/_/g, '');
  const neg = clean.startsWith('-');
  const body = clean.replace(/^[+-]/, '');
  if (/^0[xXbBoO]/.test(body) || /^\d+$/.test(body)) {
    let v: bigint;
    try {
      v = /^0\d/.test(body) ? BigInt('0o' + body.slice(1)) : BigInt(body);
    } catch {
      fail(`illegal number syntax: "${text}"`);
    }
    if (neg) v = -v;
    return { kind: 'number', int: v, float: Number(v), isInt: true, text };
  }
  const f = Number(clean);
  if (Number.isNaN(f)) fail(`illegal number syntax: "${text}"`);
  // Go treats an integral float constant like 1e3 as a float when the text has . e E
  return { kind: 'number', float: f, isInt: false, text };
}

/** Unquotes a Go interpreted string literal (`"a\tb\x1b\u00e9"`). */
export function unquoteGo(lit: string, fail: (msg: string) => never): string {
  const s = lit.slice(1, -1);
  if (!s.includes('\\')) return s;
  let out = '';
  const bytes: number[] = [];
  const flushBytes = (): void => {
    if (bytes.length) {
      out += Buffer.from(bytes).toString('utf8');
      bytes.length = 0;
    }
  };
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== '\\') {
      flushBytes();
      out += c;
      continue;
    }
    const e = s[++i];
    const simple: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', "'": "'", '"': '"' };
    if (e !== undefined && e in simple) {
      flushBytes();
      out += simple[e];
      continue;
    }
    if (e === 'x') {
      const h = s.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(h)) fail(`invalid syntax`);
      bytes.push(parseInt(h, 16));
      i += 2;
      continue;
    }
    if (e === 'u' || e === 'U') {
      const n = e === 'u' ? 4 : 8;
      const h = s.slice(i + 1, i + 1 + n);
      if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(h)) fail(`invalid syntax`);
      flushBytes();
      out += String.fromCodePoint(parseInt(h, 16));
      i += n;
      continue;
    }
    if (e !== undefined && e >= '0' && e <= '7') {
      const o = s.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(o)) fail(`invalid syntax`);
      bytes.push(parseInt(o, 8));
      i += 2;
      continue;
    }
    fail(`invalid syntax`);
  }
  flushBytes();
  return out;
}

/** Parses a template; `hasFunc` says which function names exist. Throws TemplateError. */
export function parseTemplate(name: string, src: string, hasFunc: (name: string) => boolean): ParsedTemplate {
  const p = new Parser(name, lex(name, src), hasFunc);
  return { name, root: p.parseList(false).nodes };
}
