import type { CommandModule } from '../command.js';
import { ExitCode } from '../exit-codes.js';

interface RollbackArgs {
  readonly run: string | undefined;
}

export const rollbackCommand: CommandModule<RollbackArgs> = {
  command: 'rollback',
  describe: 'Restore the sandbox from the backup of a run',
  builder: (yargs) =>
    yargs.option('run', { type: 'string', describe: 'Run id (default: the latest run of this sandbox that has a backup)' }),
  run: async ({ args, out, cwd }) => {
    const { rollbackRun } = await import('../../apply/rollback.js');
    const { loadConfig } = await import('../../config/load-config.js');
    const { FileLogger } = await import('../../log/file-logger.js');
    const { retryPolicy } = await import('../retry-policy.js');
    const config = loadConfig(args.config, process.env, cwd);
    const logger = new FileLogger(config.logsDir, { verbose: args.verbose });
    const result = await rollbackRun(config, args.run ?? null, logger, (text) => out.info(text), retryPolicy(out, logger));
    if (result.newerRuns.length > 0)
      out.warn(
        `runs applied after ${result.run.id} (${result.newerRuns.join(', ')}) are undone too: the sandbox is back to its state before ${result.run.id}`,
      );
    if (args.json)
      out.result(
        JSON.stringify({ runId: result.run.id, backupFile: result.backupFile, seconds: result.seconds, status: 'rolled_back' }, null, 2),
      );
    else out.result(`Run ${result.run.id} rolled back: sandbox restored from ${result.backupFile} in ${result.seconds.toFixed(1)} s.`);
    return ExitCode.ok;
  },
};
