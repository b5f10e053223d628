/**
 * The rule groups of every tenant, in memory and on disk. Two sources: the operator's rules
 * directory (read at start, never written) and lode's own `<data>/rules/<tenant>/<namespace>.yaml`
 * written by the config API. A namespace file in the data directory (even an empty one, left
 * when an API call deletes a provisioned namespace) overrides the rules directory's file.
 * Files are written atomically (temp file, fsync, rename, fsync of the directory).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { atomicWrite, syncDir } from './atomic-file.js';
import { decodeRuleFile, encodeGroup, RuleFormatError, type RuleGroupDef } from './rulefmt.js';

export type Namespaces = Map<string, RuleGroupDef[]>;

export class GroupNotFoundError extends Error {
  constructor() {
    super('group does not exist');
  }
}
export class NamespaceNotFoundError extends Error {
  constructor() {
    super('group namespace does not exist');
  }
}

/** Tenant and namespace names become file names: anything outside [A-Za-z0-9_-] is %-escaped. */
export function encodeFileName(name: string): string {
  return Array.from(Buffer.from(name, 'utf8'))
    .map((b) => (/[A-Za-z0-9_-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : '%' + b.toString(16).toUpperCase().padStart(2, '0')))
    .join('');
}

function decodeFileName(file: string): string {
  return decodeURIComponent(file);
}

const YAML_EXT = /\.ya?ml$/;

/** YAML as Go's yaml.v2 writes it: two-space indent, sequences not indented, single quotes. */
export function toYaml(value: unknown): string {
  return stringifyYaml(value, { indent: 2, indentSeq: false, lineWidth: 0, singleQuote: true });
}

export interface LoadProblem {
  file: string;
  message: string;
}

export class RuleStore {
  private readonly tenants = new Map<string, Namespaces>();
  /** Namespaces that exist in the rules directory, per tenant; deleting one leaves a tombstone. */
  private readonly provisioned = new Map<string, Set<string>>();
  private readonly root: string;

  constructor(
    dataDir: string,
    private readonly rulesDir: string | undefined,
  ) {
    this.root = join(dataDir, 'rules');
  }

  /** Reads both directories; a file that does not parse or validate is skipped and reported. */
  load(): LoadProblem[] {
    const problems: LoadProblem[] = [];
    if (this.rulesDir !== undefined) {
      for (const [tenant, ns, groups] of readTree(this.rulesDir, problems)) {
        this.namespaces(tenant).set(ns, groups);
        let set = this.provisioned.get(tenant);
        if (!set) this.provisioned.set(tenant, (set = new Set()));
        set.add(ns);
      }
    }
    for (const [tenant, ns, groups] of readTree(this.root, problems)) {
      if (groups.length === 0) this.namespaces(tenant).delete(ns);
      else this.namespaces(tenant).set(ns, groups);
    }
    return problems;
  }

  tenantIds(): string[] {
    return [...this.tenants.keys()].filter((t) => (this.tenants.get(t)?.size ?? 0) > 0);
  }

  /** Every namespace of a tenant, sorted by name (the API's output order). */
  list(tenant: string): Namespaces {
    const ns = this.tenants.get(tenant);
    return new Map([...(ns ?? new Map<string, RuleGroupDef[]>())].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  namespace(tenant: string, ns: string): RuleGroupDef[] | undefined {
    return this.tenants.get(tenant)?.get(ns);
  }

  group(tenant: string, ns: string, name: string): RuleGroupDef {
    const g = this.namespace(tenant, ns)?.find((x) => x.name === name);
    if (!g) throw new GroupNotFoundError();
    return g;
  }

  /** Creates or replaces the group of that name in the namespace (Cortex's upsert). */
  setGroup(tenant: string, ns: string, group: RuleGroupDef): void {
    const groups = [...(this.namespace(tenant, ns) ?? [])];
    const at = groups.findIndex((g) => g.name === group.name);
    if (at >= 0) groups[at] = group;
    else groups.push(group);
    this.write(tenant, ns, groups);
  }

  deleteGroup(tenant: string, ns: string, name: string): void {
    const groups = this.namespace(tenant, ns);
    if (!groups || !groups.some((g) => g.name === name)) throw new GroupNotFoundError();
    this.write(tenant, ns, groups.filter((g) => g.name !== name));
  }

  deleteNamespace(tenant: string, ns: string): void {
    if (!this.namespace(tenant, ns)) throw new NamespaceNotFoundError();
    this.write(tenant, ns, []);
  }

  private namespaces(tenant: string): Namespaces {
    let ns = this.tenants.get(tenant);
    if (!ns) this.tenants.set(tenant, (ns = new Map()));
    return ns;
  }

  private write(tenant: string, ns: string, groups: RuleGroupDef[]): void {
    const dir = join(this.root, encodeFileName(tenant));
    const file = join(dir, encodeFileName(ns) + '.yaml');
    mkdirSync(dir, { recursive: true });
    const tombstone = this.provisioned.get(tenant)?.has(ns) ?? false;
    if (groups.length === 0 && !tombstone) {
      if (existsSync(file)) unlinkSync(file);
    } else {
      atomicWrite(file, toYaml({ groups: groups.map(encodeGroup) }));
    }
    syncDir(dir);
    if (groups.length === 0) this.namespaces(tenant).delete(ns);
    else this.namespaces(tenant).set(ns, groups);
  }
}

/** Yields [tenant, namespace, groups] for every `<root>/<tenant>/<namespace>.yaml`. */
function* readTree(root: string, problems: LoadProblem[]): Generator<[string, string, RuleGroupDef[]]> {
  if (!existsSync(root)) return;
  for (const tenantDir of readdirSync(root).sort()) {
    const dir = join(root, tenantDir);
    if (!statSync(dir).isDirectory()) continue;
    for (const file of readdirSync(dir).sort()) {
      if (!YAML_EXT.test(file)) continue;
      const path = join(dir, file);
      try {
        const groups = decodeRuleFile(parseYaml(readFileSync(path, 'utf8')));
        yield [decodeFileName(tenantDir), decodeFileName(file.replace(YAML_EXT, '')), groups];
      } catch (err) {
        const message = err instanceof RuleFormatError ? err.message : `cannot read rule file: ${(err as Error).message}`;
        problems.push({ file: path, message });
      }
    }
  }
}
