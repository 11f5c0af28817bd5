import { resolve } from 'node:path';
import type { CommandModule } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { jsonFormatAgree, wholeNumberFlags } from '../flag-checks.js';

interface ValidateArgs {
  readonly plan: string | undefined;
  readonly format: 'text' | 'markdown' | 'json' | undefined;
  readonly tables: readonly string[] | undefined;
  readonly strict: boolean;
  readonly concurrency: number | undefined;
}

export const validateCommand: CommandModule<ValidateArgs> = {
  command: 'validate',
  describe: 'Prove the sandbox matches production: structure, maintained data, foreign keys (exit 2 when it does not)',
  builder: (yargs) =>
    yargs
      .option('plan', {
        type: 'string',
        describe: 'Also check the sandbox against the production schema reviewed in this plan, and whether production drifted since',
      })
      .option('format', {
        type: 'string',
        choices: ['text', 'markdown', 'json'],
        describe: 'How to print the result (default text; --json = json)',
      })
      .option('tables', {
        type: 'string',
        describe: 'Comma-separated maintain tables: limit the data checks (and the foreign keys checked) to them',
        coerce: (value: string | string[]) =>
          [value]
            .flat()
            .flatMap((v) => String(v).split(','))
            .map((v) => v.trim())
            .filter((v) => v !== ''),
      })
      .option('strict', { type: 'boolean', default: false, describe: 'Warnings (orphan rows, production drift) fail the validation too' })
      .option('concurrency', { type: 'number', describe: 'Connection pairs checksumming in parallel (default: copy.concurrency)' })
      .check((argv) => jsonFormatAgree(argv) && wholeNumberFlags(argv, ['concurrency'])),
  run: async ({ args, out, cwd }) => {
    const { reportStamp, writeReport } = await import('../write-report.js');
    const { loadConfig } = await import('../../config/load-config.js');
    const { ReplicoopError } = await import('../../errors.js');
    const { FileLogger } = await import('../../log/file-logger.js');
    const { readPlanFile } = await import('../../plan/plan-file.js');
    const { renderValidationMarkdown, renderValidationText, validationJson } = await import('../../report/render-validation.js');
    const { runValidate } = await import('../../validate/run-validate.js');
    const { createProgress } = await import('../progress.js');
    const { retryPolicy } = await import('../retry-policy.js');
    const config = loadConfig(args.config, process.env, cwd);
    const logger = new FileLogger(config.logsDir, { verbose: args.verbose });
    const format = args.json ? 'json' : (args.format ?? 'text');
    const plan = args.plan === undefined ? null : readPlanFile(resolve(cwd, args.plan), args.plan);
    if (args.concurrency !== undefined && (!Number.isInteger(args.concurrency) || args.concurrency < 1)) {
      throw new ReplicoopError('usage', `--concurrency must be a positive integer, got ${args.concurrency}`);
    }
    const { ValidateProgressBoard } = await import('../../report/validate-progress.js');
    const { progressLineMs } = await import('../progress.js');
    const progress = await createProgress(out);
    progress.start('validating');
    // Like the copy's: in the spinner on a terminal; otherwise (CI, pipes) a plain line every
    // REPLICOOP_PROGRESS_MS (10 s), on stderr and in the log.
    const board = new ValidateProgressBoard();
    const every = progressLineMs();
    let lastLine = Date.now();
    const onProgress = (p: Parameters<NonNullable<Parameters<typeof runValidate>[0]['onProgress']>>[0]): void => {
      const now = Date.now();
      board.update(p, now);
      if (!board.started || p.stage !== 'data') {
        progress.update(p.text);
        return;
      }
      if (out.spinnerAllowed) progress.update(board.line());
      if (now - lastLine < every) return;
      lastLine = now;
      if (!out.spinnerAllowed) out.info(board.line());
      logger.info(`progress: ${board.line()}`);
    };
    let result;
    try {
      result = await runValidate({
        config,
        plan,
        tables: args.tables ?? null,
        strict: args.strict,
        retry: retryPolicy(out, logger, () => progress.stop()),
        ...(args.concurrency !== undefined ? { concurrency: args.concurrency } : {}),
        onProgress,
      });
    } catch (error) {
      progress.fail('validation stopped');
      logger.error(`validate failed: ${error instanceof Error ? error.message : String(error)}`);
      throw error;
    }
    progress.stop();
    const json = validationJson(result);
    const files = writeReport(
      config.reportsDir,
      `validate_${reportStamp(new Date(result.finishedAt))}`,
      json,
      renderValidationMarkdown(result),
    );
    if (format === 'json') out.result(JSON.stringify({ ...json, reportFiles: files }, null, 2));
    else if (format === 'markdown') out.result(renderValidationMarkdown(result));
    else out.result(renderValidationText(result, out.paint));
    logger.info(
      `validate ${result.passed ? 'passed' : 'found differences'}: ${result.failures.length} failures, ${result.warnings.length} warnings; report ${files.json}`,
    );
    out.info(`Report: ${files.markdown}`);
    if (result.passed) return ExitCode.ok;
    out.error(
      `validation failed: ${result.failures[0] ?? `--strict and ${result.warnings[0] ?? 'warnings'}`}${result.failures.length > 1 ? ` (and ${result.failures.length - 1} more)` : ''}`,
    );
    return ExitCode.differences;
  },
};
