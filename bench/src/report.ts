/**
 * One command for lode's benchmark report: runs the benchmarks as child processes (one at a time,
 * so they don't compete for the cores), reads their figures, and writes a Markdown report with
 * the issue targets beside each figure plus a PNG bar chart of the figures against the targets.
 *
 *   node bench/dist/report.js [--quick] [--only store,ingest,syslog,metadata,query] [--out bench/REPORT.md]
 *
 * --quick uses reduced sizes (a few minutes in all); without it the sizes the targets were set for.
 * The chart is written next to the report as report.png. Exit code 1 when a benchmark failed or
 * could not be read (the report is still written, with the gap named).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { renderChart } from './png/chart.js';
import { formatNumber, formatTarget, formatValue, percentOfTarget } from './report/figures.js';
import { describeMachine } from './report/machine.js';
import { renderMarkdown, type Outcome } from './report/markdown.js';
import { BENCHMARKS, plan, type BenchmarkKey } from './report/plan.js';
import { runNode, type RunResult } from './report/run.js';
import { runSyslog } from './report/syslog.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const USAGE = 'usage: node bench/dist/report.js [--quick] [--only store,ingest,syslog,metadata,query] [--out bench/REPORT.md]';

function options(): { quick: boolean; only: BenchmarkKey[]; out: string } {
  let values;
  try {
    ({ values } = parseArgs({
      options: { quick: { type: 'boolean', default: false }, only: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (e) {
    throw new Error(`${(e as Error).message}\n${USAGE}`);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  let only: BenchmarkKey[] = [...BENCHMARKS];
  if (values.only !== undefined) {
    const asked = values.only.split(',').map((s) => s.trim()).filter((s) => s !== '');
    const unknown = asked.filter((s) => !(BENCHMARKS as readonly string[]).includes(s));
    if (asked.length === 0 || unknown.length > 0) throw new Error(`--only: unknown benchmark ${unknown.map((u) => `"${u}"`).join(', ') || '(empty list)'}; use a comma-separated subset of ${BENCHMARKS.join(',')}`);
    only = BENCHMARKS.filter((b) => asked.includes(b));
  }
  return { quick: values.quick, only, out: resolve(values.out ?? join(ROOT, 'bench/REPORT.md')) };
}

async function runOne(key: BenchmarkKey, quick: boolean): Promise<Outcome> {
  const p = plan(key, quick);
  if (!existsSync(join(ROOT, p.script))) {
    return { plan: p, figures: [], error: `${p.script} does not exist, so this benchmark was not run: build it with \`npx tsc -b bench\` (if its source is missing, the benchmark has not been written yet)` };
  }
  process.stderr.write(`\n=== ${key}: ${p.syslogLines !== undefined ? 'lode serve + lode bench ingest --protocol syslog-tcp' : `node ${[p.script, ...p.args].join(' ')}`}\n`);
  const timeoutMs = (quick ? 10 : 90) * 60_000;
  let run: RunResult;
  try {
    run = p.syslogLines !== undefined ? await runSyslog(ROOT, p.syslogLines, timeoutMs) : await runNode(ROOT, p.script, p.args, timeoutMs);
  } catch (e) {
    return { plan: p, figures: [], error: (e as Error).message };
  }
  let figures: Outcome['figures'] = [];
  let error: string | undefined;
  try {
    figures = p.parse(run.stdout);
  } catch (e) {
    error = (e as Error).message;
  }
  if (run.timedOut) error = `stopped after ${formatNumber(run.seconds)} s (time limit)${error ? `; ${error}` : ''}`;
  else if (run.exitCode !== 0) {
    const last = run.stderrTail.trim().split('\n').at(-1) ?? '';
    error = `exited with code ${run.exitCode}${last ? `: ${last}` : ''}${error ? `; ${error}` : ''}`;
  }
  return { plan: p, run, figures, ...(error ? { error } : {}) };
}

async function main(): Promise<void> {
  const opts = options();
  const startedAt = new Date();
  const t0 = performance.now();
  const loadStart = loadavg();
  const machine = describeMachine(ROOT);
  const outcomes: Outcome[] = [];
  for (const key of opts.only) outcomes.push(await runOne(key, opts.quick));

  const pngPath = join(dirname(opts.out), 'report.png');
  const reportCommand = ['node bench/dist/report.js', opts.quick ? '--quick' : '', opts.only.length < BENCHMARKS.length ? `--only ${opts.only.join(',')}` : ''].filter(Boolean).join(' ');
  const png = renderChart({
    title: 'lode benchmarks: figures as % of target',
    subtitle: `${opts.quick ? 'QUICK mode (reduced sizes)' : 'full mode'}, ${startedAt.toISOString().slice(0, 10)}, ${machine.cores} cores, Node ${machine.node}, commit ${machine.commit.split(' ')[0]}`,
    groups: outcomes.map((o) => ({
      title: o.plan.key + (o.error ? ' (incomplete: see report)' : ''),
      bars: o.figures.map((f) => ({ label: f.name, percent: percentOfTarget(f), valueText: f.target ? `${formatValue(f)} (${formatTarget(f)})` : formatValue(f) })),
    })),
  });
  mkdirSync(dirname(opts.out), { recursive: true });
  writeFileSync(pngPath, png);
  const markdown = renderMarkdown({
    quick: opts.quick,
    startedAt,
    seconds: (performance.now() - t0) / 1000,
    machine,
    loadStart,
    loadEnd: loadavg(),
    reportCommand,
    pngName: relative(dirname(opts.out), pngPath),
    outcomes,
  });
  writeFileSync(opts.out, markdown);
  const failed = outcomes.filter((o) => o.error);
  process.stderr.write(`\nwrote ${relative(process.cwd(), opts.out)} and ${relative(process.cwd(), pngPath)} in ${formatNumber((performance.now() - t0) / 1000)} s\n`);
  for (const o of failed) process.stderr.write(`gap: ${o.plan.key}: ${o.error}\n`);
  if (failed.length > 0) process.exitCode = 1;
}

main().catch((e: Error) => {
  console.error(e.message);
  process.exitCode = 1;
});
