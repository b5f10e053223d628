// Headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core) renders the plugin's QueryEditor and
// ConfigEditor from the harness bundle (src/browser/harness.tsx, built into dist/node/browser/ by the build) and
// checks what a user sees: LogQL highlighting spans, label name/value completion fed by a real `lode serve`
// through the datasource's resource calls, and the settings the config editor hands back to Grafana.
// Skips, saying why, when Chromium, the harness bundle or the lode command is missing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { lodeBuilt, startLode, type TestLode } from '../backend/test-support/lodeServer.js';

const CHROMIUM = '/usr/bin/chromium';
const repo = fileURLToPath(new URL('../../../../../', import.meta.url));
const harnessJs = join(repo, 'packages/grafana-datasource/dist/node/browser/harness.js');

const skip = !existsSync(CHROMIUM)
  ? `${CHROMIUM} is absent (apt-get install -y chromium)`
  : !existsSync(harnessJs)
    ? 'the harness bundle is not built (npm run build -w packages/grafana-datasource)'
    : !lodeBuilt
      ? 'lode is not built (tsc -b packages/lode)'
      : false;

const HTML = `<!doctype html><html><head><meta charset="utf-8"><title>lode editors</title>
<style>body{margin:0;background:#111217;color:#ccccdc;font-family:Inter,Helvetica,Arial,sans-serif}</style></head>
<body><div id="root"></div><script src="/harness.js"></script></body></html>`;

let tmp = '';
let lode: TestLode | undefined;
let lodeUrl = '';
let page: Server | undefined;
let pageUrl = '';
let browser: BrowserContext | undefined;
let tab: Page;

/** The page's server: the harness, and Grafana's datasource resource URL proxied to lode (what CallResource does). */
function servePage(): Promise<Server> {
  const prefix = '/api/datasources/uid/lode-test/resources/';
  const server = createHttpServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://page');
    if (url.pathname === '/') return void res.writeHead(200, { 'Content-Type': 'text/html' }).end(HTML);
    if (url.pathname === '/harness.js') return void res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(readFileSync(harnessJs));
    if (url.pathname.startsWith(prefix)) {
      fetch(`${lodeUrl}/loki/api/v1/${url.pathname.slice(prefix.length)}${url.search}`).then(
        async (up) => res.writeHead(up.status, { 'Content-Type': up.headers.get('content-type') ?? 'application/json' }).end(Buffer.from(await up.arrayBuffer())),
        (err: Error) => res.writeHead(502).end(err.message),
      );
      return;
    }
    res.writeHead(404).end();
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

before(async () => {
  if (skip) return;
  tmp = mkdtempSync(join(tmpdir(), 'lode-'));
  lode = await startLode(join(tmp, 'data'));
  lodeUrl = lode.url;
  const ns = BigInt(Date.now()) * 1_000_000n;
  const push = await fetch(`${lodeUrl}/loki/api/v1/push`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      streams: [
        { stream: { app: 'api', level: 'error' }, values: [[`${ns - 2_000_000_000n}`, 'db timeout']] },
        { stream: { app: 'web', level: 'info' }, values: [[`${ns - 1_000_000_000n}`, 'ok']] },
      ],
    }),
  });
  assert.equal(push.status, 204, await push.text());

  page = await servePage();
  pageUrl = `http://127.0.0.1:${(page.address() as { port: number }).port}/`;
  browser = await chromium.launchPersistentContext(join(tmp, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 960, height: 720 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  tab = browser.pages()[0] ?? (await browser.newPage());
  const errors: string[] = [];
  tab.on('pageerror', (e) => errors.push(e.message));
  await tab.goto(pageUrl);
  await tab.getByLabel('LogQL query').waitFor({ timeout: 15_000 }).catch((e: Error) => {
    throw new Error(`the harness did not render: ${errors.join('; ') || e.message}`);
  });
});

after(async () => {
  await browser?.close();
  await new Promise((r) => (page ? page.close(r) : r(undefined)));
  lode?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const harness = <T>(fn: string) => tab.evaluate(`window.lodeHarness.${fn}`) as Promise<T>;
const completions = () => tab.getByTestId('lode-completions').getByRole('option').allTextContents();
// Page-side code is passed as text: this file is compiled without the DOM library (the backend's fetch types clash with it).
const oneCompletion = () => tab.waitForFunction(`document.querySelectorAll('[data-testid="lode-completions"] [role="option"]').length === 1`);
const exprIs = (expr: string) => tab.waitForFunction(`window.lodeHarness.query.expr === ${JSON.stringify(expr)}`);
/** [token class, text, computed colour] of each highlight span. */
const tokenSpans = () =>
  tab.evaluate(
    `[...document.querySelectorAll('[data-testid="lode-logql-field"] [data-token]')].map((e) => [e.getAttribute('data-token'), e.textContent, getComputedStyle(e).color])`,
  ) as Promise<Array<[string, string, string]>>;

test('query editor: label completion from lode, then highlighting of the typed query', { skip }, async () => {
  const field = tab.getByLabel('LogQL query');
  await field.click();
  await field.pressSequentially('{');
  await tab.getByTestId('lode-completions').waitFor();
  const names = await completions();
  assert.ok(names.includes('app') && names.includes('level'), `label names offered: ${names.join(', ')}`);

  await field.pressSequentially('ap');
  await oneCompletion();
  await field.press('Enter');
  await exprIs('{app=');

  await field.pressSequentially('"');
  await tab.getByRole('option', { name: 'web' }).waitFor();
  assert.deepEqual((await completions()).sort(), ['api', 'web']);
  await field.pressSequentially('a');
  await oneCompletion();
  await field.press('Enter');
  await exprIs('{app="api"');

  await field.pressSequentially('} |= "timeout"');
  assert.equal(await harness<string>('query.expr'), '{app="api"} |= "timeout"');

  const spans = await tokenSpans();
  assert.deepEqual(spans.map(([cls, text]) => [cls, text]), [
    ['label', 'app'],
    ['operator', '='],
    ['string', '"api"'],
    ['operator', '|='],
    ['string', '"timeout"'],
  ]);
  // The spans are coloured (theme colours applied through emotion), not plain text.
  const colours = spans.map(([, , colour]) => colour);
  assert.ok(new Set(colours).size >= 3, `distinct token colours: ${colours.join(' ')}`);

  const calls = await harness<string[]>('resourceCalls');
  assert.ok(calls.some((c) => c.startsWith('/api/datasources/uid/lode-test/resources/labels?')), calls.join('\n'));
  assert.ok(calls.some((c) => c.startsWith('/api/datasources/uid/lode-test/resources/label/app/values?')), calls.join('\n'));
});

test('query editor: switching to a metric query shows legend and step options', { skip }, async () => {
  // Grafana's radio buttons are inputs laid over their labels: click the input.
  await tab.getByRole('radio', { name: 'Metrics' }).click();
  await tab.getByPlaceholder('{{label}}').waitFor();
  assert.equal(await harness<string>('query.queryType'), 'metrics');
  assert.ok(await tab.getByPlaceholder('auto').isVisible());
  await tab.getByRole('radio', { name: 'Logs' }).click();
  await tab.getByText('Newest first').waitFor();
});

test('config editor: URL, tenant, API key and limits reach the datasource settings', { skip }, async () => {
  await tab.getByPlaceholder('http://localhost:3100').fill('http://lode:3100');
  await tab.getByPlaceholder('fake').fill('team-a');
  await tab.getByPlaceholder('lode API key').fill('s3cret');
  await tab.getByPlaceholder('60').fill('30');
  await tab.getByPlaceholder('1000').fill('-5');
  const options = await harness<{ url: string; jsonData: Record<string, unknown>; secureJsonData?: Record<string, string> }>('options');
  assert.equal(options.url, 'http://lode:3100');
  assert.equal(options.jsonData.tenant, 'team-a');
  assert.equal(options.jsonData.timeoutSeconds, 30);
  assert.equal(options.jsonData.maxLines, undefined, 'a non-positive line limit is not stored');
  assert.equal(options.secureJsonData?.apiKey, 's3cret');
});

test('screenshot of both editors with completions open', { skip }, async () => {
  const field = tab.getByLabel('LogQL query');
  await field.fill('');
  await field.pressSequentially('sum by (level) (count_over_time({app="api", level="');
  await tab.getByRole('option', { name: 'error' }).waitFor();
  // e2e/screenshots/ is where the project keeps what browser tests saw (ignored by git).
  const dir = process.env.LODE_SCREENSHOT_DIR ?? join(repo, 'e2e/screenshots');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'grafana-datasource-editors.png');
  await tab.screenshot({ path: file, fullPage: true });
  const png = readFileSync(file);
  assert.equal(png.subarray(1, 4).toString(), 'PNG');
  assert.ok(statSync(file).size > 10_000, 'the screenshot has content');
});
