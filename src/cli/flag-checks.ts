import { ReplicoopError } from '../errors.js';

/**
 * Checks of flag combinations and values that yargs' types do not catch, run by yargs' `.check()`
 * before a command's handler (so before any config, server or state file is touched). A failing
 * check is one usage error line.
 */

/** Numeric flags must be whole numbers >= min: yargs turns `--limit abc` into NaN, which would reach SQL or SQLite. */
export function wholeNumberFlags(argv: Record<string, unknown>, names: readonly string[], min = 1): true {
  for (const name of names) {
    const value = argv[name];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min)
      throw new ReplicoopError('usage', `--${name} takes a whole number >= ${min}${Array.isArray(value) ? ' (given more than once)' : ''}`);
  }
  return true;
}

/** `--json` means `--format json`; with another `--format` the two disagree. */
export function jsonFormatAgree(argv: Record<string, unknown>): true {
  const format = argv['format'];
  if (argv['json'] === true && format !== undefined && format !== 'json')
    throw new ReplicoopError('usage', `--json and --format ${String(format)} disagree: pass one of them`);
  return true;
}
