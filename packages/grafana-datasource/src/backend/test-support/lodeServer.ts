// A real `lode serve` for the plugin's tests (the backend protocol test and the browser test): only the
// HTTP listener, service-name and level discovery off so pushed labels come back as sent.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../../../../../', import.meta.url));
const lodeBin = join(repo, 'packages/lode/bin/lode.js');

/** Whether the lode command is built; the tests skip without it. */
export const lodeBuilt = existsSync(lodeBin) && existsSync(join(repo, 'packages/lode/dist/main.js'));

export interface TestLode {
  /** Base URL of the Loki API. */
  url: string;
  /** SIGTERM; the caller removes the data dir. */
  stop(): void;
}

/** lode treats port 0 as "disabled", so ask the OS for a free port first. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitReady(url: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${url}/ready`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`lode at ${url} did not become ready`);
}

/** Starts `lode serve` on `dataDir` and resolves once /ready answers. */
export async function startLode(dataDir: string): Promise<TestLode> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    process.execPath,
    [lodeBin, 'serve', '--data', dataDir, '--http-listen', `127.0.0.1:${port}`, '--otlp-http-listen', '127.0.0.1:0', '--otlp-grpc-listen', '127.0.0.1:0', '--syslog-listen', '127.0.0.1:0', '--limits.discover_service_name=', '--limits.discover_log_levels=false'],
    { stdio: 'ignore' },
  );
  try {
    await waitReady(url);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return { url, stop: () => void child.kill('SIGTERM') };
}
