/**
 * Every query of the shared conformance suites parses (or fails as Loki does) and round-trips
 * through the printer. The suites live outside the repo (`../shared/conformance`); skipped if absent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatExpr, parseExpr, ParseError } from './index.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const conformance = path.resolve(repoRoot, '../shared/conformance');
const queriesFile = path.join(conformance, 'queries-public.txt');
const goldenFile = path.join(conformance, 'golden/golden-public.json');
const logqltestDir = path.join(conformance, 'logqltest/testdata');

function assertRoundTrip(q: string): void {
  const ast = parseExpr(q);
  const printed = formatExpr(ast);
  assert.deepEqual(parseExpr(printed), ast, `round-trip of ${q} via ${printed}`);
}

test('queries-public.txt: parse, fail as the golden says, round-trip', { skip: !fs.existsSync(queriesFile) }, () => {
  const golden = JSON.parse(fs.readFileSync(goldenFile, 'utf8')) as Record<string, { status: number; error?: string }>;
  let checked = 0;
  for (const line of fs.readFileSync(queriesFile, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const q = line.slice(line.indexOf('|') + 1);
    const g = golden[line];
    // Stage and label_replace compile errors are parse errors too (parseExpr compiles them).
    if (g && g.status === 400 && g.error?.startsWith('parse error')) {
      assert.throws(() => parseExpr(q), (e: unknown) => e instanceof ParseError && e.message === g.error, q);
    } else {
      assertRoundTrip(q);
    }
    checked++;
  }
  assert.ok(checked >= 100, `only ${checked} queries read`);
});

/** Messages of `expect fail` cases that come from the parser (the rest fail at evaluation). */
const PARSE_FAILURE = /syntax error|invalid aggregation|not supported for operation|unable to parse|unexpected |expecting|parameter required|invalid parameter|grouping not allowed|unexpected ip/;

test('logqltest: every query parses unless it must fail at parse time', { skip: !fs.existsSync(logqltestDir) }, () => {
  let checked = 0;
  for (const file of fs.readdirSync(logqltestDir).filter((f) => f.endsWith('.logqltest'))) {
    const lines = fs.readFileSync(path.join(logqltestDir, file), 'utf8').split('\n');
    lines.forEach((line, i) => {
      const m = /^eval (?:instant at \S+|range from \S+ to \S+ step \S+) (.*)$/.exec(line);
      if (!m) return;
      const q = m[1]!;
      const fail = /^\s+expect fail(?: (msg|regex): (.*))?$/.exec(lines[i + 1] ?? '');
      const where = `${file}:${i + 1}: ${q}`;
      // A stage or label_replace that does not compile is a parse error too; its text must be the expected one.
      const compileError = fail?.[2] && !PARSE_FAILURE.test(fail[2]) ? parseErrorOf(q) : undefined;
      if (compileError !== undefined) {
        assert.ok(fail?.[1] === 'regex' ? new RegExp(fail[2] as string).test(compileError) : compileError.includes(fail?.[2] as string), `${where}: ${compileError}`);
      } else if (fail && fail[2] && PARSE_FAILURE.test(fail[2])) {
        const want = fail[2];
        const matches = (m: string): boolean => (fail[1] === 'regex' ? new RegExp(want).test(m) : m.includes(want));
        assert.throws(() => parseExpr(q), (e: unknown) => e instanceof ParseError && matches(e.message), where);
      } else if (!(fail && /label_replace/.test(q) && /"\("\)/.test(q))) {
        assertRoundTrip(q);
      }
      checked++;
    });
  }
  assert.ok(checked >= 500, `only ${checked} evaluations read`);
});

function parseErrorOf(q: string): string | undefined {
  try {
    parseExpr(q);
    return undefined;
  } catch (e) {
    if (e instanceof ParseError) return e.message;
    throw e;
  }
}
