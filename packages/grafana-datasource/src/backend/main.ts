// Entry point of the gpx_lode backend executable that Grafana starts as a go-plugin.
import { checkHandshakeEnv, handshakeLine } from './handshake.js';
import { log } from './log.js';
import { startServer } from './server.js';

async function main(): Promise<void> {
  const env = checkHandshakeEnv(process.env);
  if (!env.ok) {
    process.stderr.write(`${env.message}\n`);
    process.exit(1);
  }
  const ports: number[] = [];
  if (env.portRange) for (let p = env.portRange[0]; p <= env.portRange[1]; p++) ports.push(p);
  else ports.push(0);
  const { server, port, shutdownRequested } = await startServer('127.0.0.1', ports);
  process.stdout.write(handshakeLine(`127.0.0.1:${port}`));

  const stop = (why: string): void => {
    log('info', 'stopping', { reason: why });
    server.tryShutdown(() => process.exit(0));
    // In-flight calls get a moment; Grafana kills the process anyway if it takes longer.
    setTimeout(() => process.exit(0), 2000).unref();
  };
  shutdownRequested.then(() => stop('shutdown requested by grafana'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  log('info', 'lode datasource backend listening', { address: `127.0.0.1:${port}` });
}

main().catch((err: Error) => {
  process.stderr.write(`lode datasource backend failed to start: ${err.message}\n`);
  process.exit(1);
});
