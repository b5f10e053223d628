/**
 * Wraps a client command so its failures become the documented exit codes and one clear line
 * on stderr: UsageError → 2 (with a hint to --help), ServerError → 1.
 */
import { EXIT_FAILURE, EXIT_USAGE, ServerError, UsageError } from './errors.js';

export type Command = (argv: string[]) => Promise<number>;

export function clientCommand(name: string, command: Command): Command {
  return async (argv) => {
    try {
      return await command(argv);
    } catch (err) {
      if (err instanceof UsageError) {
        process.stderr.write(`lode ${name}: ${err.message}\nRun lode ${name} --help for usage.\n`);
        return EXIT_USAGE;
      }
      if (err instanceof ServerError) {
        process.stderr.write(`lode ${name}: ${err.message}\n`);
        return EXIT_FAILURE;
      }
      throw err;
    }
  };
}
