import yargs, { type Argv } from 'yargs';
import { ReplicoopError, asReplicoopError, maskSecrets } from '../errors.js';
import { packageVersion } from '../package-info.js';
import type { CommandContext, CommandModule, GlobalArgs } from './command.js';
import { applyCommand } from './commands/apply.js';
import { planCommand } from './commands/plan.js';
import { rollbackCommand } from './commands/rollback.js';
import { statusCommand } from './commands/status.js';
import { validateCommand } from './commands/validate.js';
import { ExitCode } from './exit-codes.js';
import { Output, colorWanted } from './output.js';
import { usageError, usageLine, type UsageCommand } from './usage-error.js';

export const COMMANDS: readonly CommandModule<never>[] = [
  planCommand,
  applyCommand,
  validateCommand,
  rollbackCommand,
  statusCommand,
] as never;

/** Parses argv, runs one command and returns its exit code. Never calls process.exit itself. */
export async function runCli(argv: readonly string[], cwd: string = process.cwd()): Promise<number> {
  let exitCode: number = ExitCode.ok;
  let out = new Output({
    color: colorWanted(!argv.includes('--no-color')),
    quiet: false,
    verbose: argv.includes('-v') || argv.includes('--verbose'),
    json: argv.includes('--json'),
  });

  const parser: Argv = yargs([...argv])
    .scriptName('replicoop')
    .usage(
      'Usage: replicoop <command> [options]\n\nRefresh a sandbox MySQL/MariaDB database from production: plan, apply, validate, rollback.',
    )
    .option('config', { alias: 'c', type: 'string', default: 'replicoop.yaml', describe: 'Config file (YAML or JSON)', global: true })
    .option('json', { type: 'boolean', default: false, describe: 'Machine-readable JSON output', global: true })
    .option('color', { type: 'boolean', default: true, describe: 'Colour output (--no-color or NO_COLOR to disable)', global: true })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'Only results and errors', global: true })
    .option('verbose', { alias: 'v', type: 'boolean', default: false, describe: 'More detail: SQL statements, stack traces', global: true })
    .strict()
    .strictCommands()
    .help('help')
    .alias('help', 'h')
    .version('version', 'Show the version', packageVersion)
    .wrap(Math.min(110, process.stdout.columns || 100))
    .exitProcess(false)
    .fail((message: string | undefined, error: Error | undefined) => {
      // Thrown, not printed: with exitProcess(false) yargs would otherwise go on to run the handler.
      throw error ?? usageError(message ?? 'invalid command line', argv, usageCommands());
    });

  for (const module of COMMANDS as readonly CommandModule[]) {
    parser.command(module.command, module.describe, module.builder, async (args) => {
      const globals = args as unknown as GlobalArgs;
      out = new Output({ color: colorWanted(globals.color), quiet: globals.quiet, verbose: globals.verbose, json: globals.json });
      const context: CommandContext = {
        args: args as unknown as CommandContext['args'],
        out,
        cwd,
        interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY),
      };
      exitCode = await module.run(context);
    });
  }
  parser.command(
    '$0',
    false,
    (y) => y,
    async () => {
      if (process.stdin.isTTY && process.stdout.isTTY) {
        const { runMenu } = await import('./menu.js');
        exitCode = await runMenu(argv, cwd, runCli);
        return;
      }
      process.stderr.write(`${await parser.getHelp()}\n`);
      out.error('no command given (and no terminal for the interactive menu)');
      exitCode = ExitCode.error;
    },
  );

  try {
    await parser.parseAsync();
  } catch (error) {
    exitCode = reportError(error, out);
    if (error instanceof ReplicoopError && error.code === 'usage') process.stderr.write(`${usageLine(argv, usageCommands())}\n`);
  }
  return exitCode;
}

const GLOBAL_OPTIONS = ['config', 'json', 'color', 'no-color', 'quiet', 'verbose', 'help', 'version'];

/** Each command's usage and long option names, for usage errors (read from its own yargs builder). */
function usageCommands(): UsageCommand[] {
  return (COMMANDS as readonly CommandModule[]).map((module) => {
    // getOptions() exists on every yargs instance but is missing from its type definitions.
    const built = module.builder(yargs([])) as unknown as { getOptions(): { key: Record<string, boolean> } };
    const options = built.getOptions();
    const names = Object.keys(options.key).filter((k) => k.length > 1 && !/^[A-Z]|[a-z][A-Z]/.test(k));
    const positional = [...module.command.matchAll(/<([^>]+)>/g)].map((m) => m[1]!);
    return { command: module.command, options: [...new Set([...names.filter((n) => !positional.includes(n)), ...GLOBAL_OPTIONS])] };
  });
}

/** The one place an error becomes output and an exit code. */
export function reportError(error: unknown, out: Output): number {
  const e = asReplicoopError(error);
  const lines = e.message.split('\n');
  for (const line of lines) out.error(line);
  if (out.options.json) out.result(JSON.stringify({ error: e.toJSON() }, null, 2));
  if (out.options.verbose) {
    const stack = error instanceof Error && error.stack ? error.stack : '';
    if (stack) process.stderr.write(`${maskSecrets(stack)}\n`);
    const cause = (error as { cause?: unknown }).cause;
    if (cause instanceof Error && cause.stack) process.stderr.write(`caused by: ${maskSecrets(cause.stack)}\n`);
  }
  return ExitCode.error;
}
