/**
 * Evaluator for parsed Go templates with `missingkey=zero` (Loki's option): a missing label
 * renders empty. Functions come from a FuncMap; `and`/`or` short-circuit as in Go ≥ 1.18.
 */
import type { Arg, Command, Node, ParsedTemplate, Pipe } from './parser.js';
import { isMap, sprint, truth, typeName, type GoValue } from './values.js';

/** A template function: takes evaluated arguments, returns a value or throws an Error. */
export type TemplateFunc = (args: GoValue[]) => GoValue;
export type FuncMap = ReadonlyMap<string, TemplateFunc>;

export class ExecError extends Error {
  override readonly name = 'ExecError';
}

class BreakSignal {}
class ContinueSignal {}
const BREAK = new BreakSignal();
const CONTINUE = new ContinueSignal();

/** Bound on range iterations and output size so a hostile template cannot exhaust memory. */
const MAX_OUTPUT = 1 << 20;

interface State {
  out: string;
  vars: { name: string; value: GoValue }[];
}

export class Executor {
  constructor(
    private readonly tmpl: ParsedTemplate,
    private readonly funcs: FuncMap,
  ) {}

  /** The labels map: a Go map[string]string, so with missingkey=zero a missing key reads as "". */
  private root: GoValue = null;

  execute(data: GoValue): string {
    this.root = data;
    const st: State = { out: '', vars: [{ name: '$', value: data }] };
    this.walkList(st, data, this.tmpl.root);
    return st.out;
  }

  private fail(msg: string): never {
    throw new ExecError(`template: ${this.tmpl.name}: executing "${this.tmpl.name}": ${msg}`);
  }

  private walkList(st: State, dot: GoValue, nodes: Node[]): void {
    for (const n of nodes) this.walk(st, dot, n);
  }

  private walk(st: State, dot: GoValue, n: Node): void {
    switch (n.kind) {
      case 'text':
        st.out += n.text;
        break;
      case 'action': {
        const v = this.evalPipe(st, dot, n.pipe);
        if (n.pipe.decl.length === 0) {
          st.out += v === null ? '<no value>' : sprint(v);
          if (st.out.length > MAX_OUTPUT) this.fail('output too large');
        }
        break;
      }
      case 'if':
      case 'with': {
        const mark = st.vars.length;
        const v = this.evalPipe(st, dot, n.pipe);
        if (truth(v)) this.walkList(st, n.kind === 'with' ? v : dot, n.list);
        else if (n.elseList) this.walkList(st, dot, n.elseList);
        st.vars.length = mark;
        break;
      }
      case 'range':
        this.walkRange(st, dot, n);
        break;
      case 'break':
        throw BREAK;
      case 'continue':
        throw CONTINUE;
    }
  }

  private walkRange(st: State, dot: GoValue, n: Extract<Node, { kind: 'range' }>): void {
    const mark = st.vars.length;
    const decl = n.pipe.decl;
    const v = this.evalPipe(st, dot, { ...n.pipe, decl: [] });
    let items: [GoValue, GoValue][];
    if (Array.isArray(v)) items = v.map((e, i) => [BigInt(i), e]);
    else if (isMap(v)) items = Object.keys(v).sort().map((k) => [k, v[k]!]);
    else if (typeof v === 'bigint') {
      if (v > 100000n) this.fail('range count too large');
      items = [];
      for (let i = 0n; i < v; i++) items.push([i, i]);
    } else if (v === null) items = [];
    else this.fail(`range can't iterate over ${sprint(v)}`);
    if (items.length === 0) {
      if (n.elseList) this.walkList(st, dot, n.elseList);
      st.vars.length = mark;
      return;
    }
    for (const [k, e] of items) {
      const m = st.vars.length;
      if (decl.length === 1) this.setVar(st, decl[0]!, e, n.pipe.isAssign);
      if (decl.length === 2) {
        this.setVar(st, decl[0]!, k, n.pipe.isAssign);
        this.setVar(st, decl[1]!, e, n.pipe.isAssign);
      }
      try {
        this.walkList(st, e, n.list);
      } catch (err) {
        if (err === BREAK) {
          st.vars.length = m;
          break;
        }
        if (err !== CONTINUE) throw err;
      }
      st.vars.length = m;
    }
    st.vars.length = mark;
  }

  private setVar(st: State, name: string, value: GoValue, assign: boolean): void {
    if (assign) {
      for (let i = st.vars.length - 1; i >= 0; i--) {
        if (st.vars[i]!.name === name) {
          st.vars[i]!.value = value;
          return;
        }
      }
    }
    st.vars.push({ name, value });
  }

  private evalPipe(st: State, dot: GoValue, pipe: Pipe): GoValue {
    let v: GoValue | undefined;
    for (const cmd of pipe.cmds) v = this.evalCommand(st, dot, cmd, v);
    const res = v ?? null;
    for (const d of pipe.decl) this.setVar(st, d, res, pipe.isAssign);
    return res;
  }

  private evalCommand(st: State, dot: GoValue, cmd: Command, final: GoValue | undefined): GoValue {
    const first = cmd.args[0]!;
    if (first.kind === 'func') return this.call(st, dot, first.name, cmd.args.slice(1), final);
    if (cmd.args.length > 1 || final !== undefined) {
      if (first.kind === 'field' || first.kind === 'chain' || first.kind === 'variable') {
        this.fail(`can't give argument to non-function ${describe(first)}`);
      }
      this.fail(`can't give argument to non-function ${describe(first)}`);
    }
    return this.evalArg(st, dot, first);
  }

  private evalArg(st: State, dot: GoValue, a: Arg): GoValue {
    switch (a.kind) {
      case 'dot':
        return dot;
      case 'nil':
        this.fail('nil is not a command');
        break;
      case 'bool':
        return a.value;
      case 'number':
        return a.isInt ? a.int! : a.float;
      case 'string':
        return a.value;
      case 'field':
        return this.fields(dot, a.idents);
      case 'variable': {
        let v: GoValue = null;
        for (let i = st.vars.length - 1; i >= 0; i--) {
          if (st.vars[i]!.name === a.name) {
            v = st.vars[i]!.value;
            break;
          }
        }
        return this.fields(v, a.idents);
      }
      case 'pipe':
        return this.evalPipe(st, dot, a.pipe);
      case 'chain':
        return this.fields(this.evalArg(st, dot, a.node), a.idents);
      case 'func':
        return this.call(st, dot, a.name, [], undefined);
    }
    return null;
  }

  private fields(v: GoValue, idents: string[]): GoValue {
    let cur = v;
    for (const id of idents) {
      if (isMap(cur)) {
        cur = Object.prototype.hasOwnProperty.call(cur, id) ? cur[id]! : cur === this.root ? '' : null;
        continue;
      }
      if (cur === null) this.fail(`nil pointer evaluating interface {}.${id}`);
      this.fail(`can't evaluate field ${id} in type ${typeName(cur)}`);
    }
    return cur;
  }

  private call(st: State, dot: GoValue, name: string, argNodes: Arg[], final: GoValue | undefined): GoValue {
    if (name === 'and' || name === 'or') {
      const total = argNodes.length + (final === undefined ? 0 : 1);
      if (total < 1) this.fail(`wrong number of args for ${name}: want at least 1 got 0`);
      let v: GoValue = null;
      for (let i = 0; i < total; i++) {
        v = i < argNodes.length ? this.evalArg(st, dot, argNodes[i]!) : final!;
        if (truth(v) !== (name === 'and')) return v;
      }
      return v;
    }
    const fn = this.funcs.get(name);
    if (!fn) this.fail(`"${name}" is not a defined function`);
    const args = argNodes.map((n) => this.evalArg(st, dot, n));
    if (final !== undefined) args.push(final);
    try {
      return fn(args);
    } catch (err) {
      if (err instanceof ExecError) throw err;
      this.fail(`error calling ${name}: ${(err as Error).message}`);
    }
  }
}

function describe(a: Arg): string {
  switch (a.kind) {
    case 'field':
      return '.' + a.idents.join('.');
    case 'variable':
      return a.name + a.idents.map((i) => '.' + i).join('');
    default:
      return a.kind;
  }
}
