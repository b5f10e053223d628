/** Entry point of the `lode` command: dispatches to a subcommand and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command] = argv;
  process.stderr.write(`lode: command ${command ?? '(none)'} is not available yet\n`);
  return 2;
}
