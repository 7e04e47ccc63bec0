/** A command line the command cannot run with: its message is shown alone, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
