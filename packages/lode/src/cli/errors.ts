/**
 * The two kinds of failure a client command reports, mapped to exit codes scripts can rely on:
 * 0 success, 1 the server refused or could not be reached, 2 the command line was wrong.
 */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** The command line is wrong: unknown flag, missing argument, unparsable value. Exit code 2. */
export class UsageError extends Error {}

/** The server answered with an error, or could not be reached. Exit code 1. */
export class ServerError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}
