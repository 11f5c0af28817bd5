import { ExitCode } from './exit-codes.js';

export async function runMenu(_argv: readonly string[], _cwd: string): Promise<number> {
  process.stderr.write('the interactive menu is not implemented yet; run replicoop --help\n');
  return ExitCode.error;
}
