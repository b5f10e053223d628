/**
 * Entry point of the `lode` command: dispatches to a subcommand and returns its exit code.
 * Exit codes: 0 success, 1 runtime failure (server unreachable, query error), 2 usage error.
 */
import { ConfigError } from './config/load.js';

const USAGE = `Usage: lode <command> [options]

Commands:
  serve     run the lode server (see lode serve --help)
  query     run a LogQL range query            instant   run a LogQL instant query
  labels    list label names or values         series    list streams matching selectors
  stats     streams/chunks/entries/bytes       tail      follow new lines live
  push      push lines from stdin or files     bench     load a server: bench ingest|query

Run lode <command> --help for the options of a command.
`;

type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, () => Promise<Command>> = {
  serve: async () => (await import('./serve/command.js')).serveCommand,
  query: async () => (await import('./cli/commands.js')).query,
  instant: async () => (await import('./cli/commands.js')).instant,
  labels: async () => (await import('./cli/commands.js')).labels,
  series: async () => (await import('./cli/commands.js')).series,
  stats: async () => (await import('./cli/commands.js')).stats,
  tail: async () => (await import('./cli/commands.js')).tail,
  push: async () => (await import('./cli/commands.js')).push,
  bench: async () => (await import('./cli/commands.js')).bench,
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE);
    return name === undefined ? 2 : 0;
  }
  const load = COMMANDS[name];
  if (!load) {
    process.stderr.write(`lode: unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  try {
    return await (await load())(rest);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`lode ${name}: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}
