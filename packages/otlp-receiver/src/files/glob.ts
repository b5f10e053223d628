import fs from 'node:fs/promises';
import path from 'node:path';

const WILDCARD = /[*?[{]/;

/** Glob → anchored RegExp over `/`-separated absolute paths: `**` any depth, `*` `?` `[…]` `{a,b}` within a segment. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      const slash = glob[i + 2] === '/';
      re += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        re += `[${glob.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else if (c === '{') {
      const end = glob.indexOf('}', i + 1);
      if (end < 0) re += '\\{';
      else {
        re += `(?:${glob.slice(i + 1, end).split(',').map(escape).join('|')})`;
        i = end;
      }
    } else re += escape(c);
  }
  return new RegExp(`^${re}$`);
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Regular files matching an absolute glob, sorted. Missing directories simply match nothing. */
export async function expandGlob(glob: string): Promise<string[]> {
  const abs = path.resolve(glob);
  const segments = abs.split('/');
  const firstWild = segments.findIndex((s) => WILDCARD.test(s));
  if (firstWild < 0) {
    const st = await fs.stat(abs).catch(() => undefined);
    return st?.isFile() ? [abs] : [];
  }
  const base = segments.slice(0, firstWild).join('/') || '/';
  const rest = segments.slice(firstWild);
  const maxDepth = rest.some((s) => s.includes('**')) ? Infinity : rest.length;
  const re = globToRegExp(abs);
  const out: string[] = [];
  await walk(base, 1, maxDepth, re, out);
  return out.sort();
}

async function walk(dir: string, depth: number, maxDepth: number, re: RegExp, out: string[]): Promise<void> {
  const items = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const item of items) {
    const p = path.join(dir, item.name);
    if (item.isFile() && re.test(p)) out.push(p);
    else if (item.isDirectory() && depth < maxDepth) await walk(p, depth + 1, maxDepth, re, out);
  }
}
