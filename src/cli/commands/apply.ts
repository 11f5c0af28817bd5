import { resolve } from 'node:path';
import type { CommandModule } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { ReplicoopError } from '../../errors.js';

interface ApplyArgs {
  readonly plan: string;
  readonly restart: boolean;
  readonly force: boolean;
  readonly backup: boolean;
  readonly validate: boolean | undefined;
  readonly rollbackOnFailure: boolean | undefined;
  readonly full: boolean;
}

export const applyCommand: CommandModule<ApplyArgs> = {
  command: 'apply <plan>',
  describe: 'Back up the sandbox and run a saved plan, resumably',
  builder: (yargs) =>
    yargs
      .positional('plan', { type: 'string', describe: 'The plan file written by replicoop plan' })
      .option('restart', { type: 'boolean', default: false, describe: 'Abandon an unfinished run and start over with a fresh backup' })
      .option('force', { type: 'boolean', default: false, describe: 'Apply even if the sandbox drifted since the plan' })
      .option('backup', { type: 'boolean', default: true, describe: 'Back up the sandbox first (--no-backup: no rollback possible)' })
      .option('validate', {
        type: 'boolean',
        describe: 'Validate the sandbox at the end (--no-validate to skip; default from config apply.validate)',
      })
      .option('full', {
        type: 'boolean',
        default: false,
        describe: 'Empty and copy every maintain table in full (no delta copy, whatever the plan says)',
      })
      .option('rollback-on-failure', {
        type: 'boolean',
        describe: 'Restore the backup when a step or the validation fails (config apply.onFailure: rollback)',
      })
      .check((argv) => {
        if (argv['backup'] === false && argv['rollbackOnFailure'] === true)
          throw new ReplicoopError(
            'usage',
            '--no-backup and --rollback-on-failure disagree: without a backup there is nothing to roll back to',
          );
        return true;
      }),
  run: async ({ args, out, cwd }) => {
    const { runApply } = await import('../../apply/run-apply.js');
    const { reportStamp, writeReport } = await import('../write-report.js');
    const { loadConfig } = await import('../../config/load-config.js');
    const { FileLogger } = await import('../../log/file-logger.js');
    const { readPlanFile } = await import('../../plan/plan-file.js');
    const { applyReport, renderApplyMarkdown } = await import('../../report/render-apply-report.js');
    const { createProgress, progressLineMs } = await import('../progress.js');
    const PROGRESS_LINE_MS = progressLineMs();
    const { validatorFor } = await import('../validator.js');
    const { retryPolicy } = await import('../retry-policy.js');
    const { CopyProgressBoard } = await import('../../report/copy-progress.js');
    const config = loadConfig(args.config, process.env, cwd);
    if (!args.backup && args.rollbackOnFailure === undefined && config.apply.onFailure === 'rollback')
      throw new ReplicoopError(
        'usage',
        `--no-backup disagrees with apply.onFailure: rollback in ${args.config}: without a backup there is nothing to roll back to (add --no-rollback-on-failure)`,
      );
    const planFile = resolve(cwd, args.plan);
    const plan = readPlanFile(planFile, args.plan);
    const logger = new FileLogger(config.logsDir, { verbose: args.verbose });
    logger.info(`apply ${args.plan} (plan ${plan.checksum.slice(0, 12)})`);
    if (!args.backup) out.warn('--no-backup: the sandbox is NOT backed up; replicoop rollback will not be able to restore it');
    const progress = await createProgress(out);
    // Copy progress: in the spinner on a terminal; otherwise (CI, pipes) a plain line per table
    // every PROGRESS_LINE_MS, on stderr and in the log.
    const board = new CopyProgressBoard();
    let lastLine = Date.now();
    let lastSpin = 0;
    const copyProgress = (update: Parameters<typeof board.update>[0]): void => {
      const now = Date.now();
      board.update(update, now);
      if (out.spinnerAllowed && !board.empty && now - lastSpin >= 100) {
        lastSpin = now;
        progress.update(`copying ${board.lines().join(' | ')}`);
      }
      if (update.done || now - lastLine < PROGRESS_LINE_MS) return;
      lastLine = now;
      for (const line of board.lines()) {
        if (!out.spinnerAllowed) out.info(`copying ${line}`);
        logger.info(`progress: ${line}`);
      }
    };
    // The closing validation's data checks: the same board and lines as replicoop validate.
    const { ValidateProgressBoard } = await import('../../report/validate-progress.js');
    const validateBoard = new ValidateProgressBoard();
    let lastValidateLine = Date.now();
    const validateProgress = (p: Parameters<typeof validateBoard.update>[0] & { readonly stage: string }): void => {
      const now = Date.now();
      validateBoard.update(p, now);
      if (p.stage !== 'data' || !validateBoard.started) return;
      if (out.spinnerAllowed) progress.update(validateBoard.line());
      if (now - lastValidateLine < PROGRESS_LINE_MS) return;
      lastValidateLine = now;
      if (!out.spinnerAllowed) out.info(validateBoard.line());
      logger.info(`progress: ${validateBoard.line()}`);
    };
    const retry = retryPolicy(out, logger, () => progress.stop());
    progress.start('preflight: checking the plan against both servers');
    // Ctrl-C, SIGINT, SIGTERM: stop at the next safe point (statement or chunk boundary), resumable; a second one quits at once.
    const stop = new AbortController();
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stop.signal.aborted) {
        progress.stop();
        out.warn(`${signal} again: quitting at once; the run stays resumable from its last checkpoint`);
        process.exit(ExitCode.interrupted);
      }
      stop.abort(signal);
      progress.stop();
      out.warn(
        `${signal}: stopping at the next safe point (after the statement or chunk being committed); ${signal === 'SIGINT' ? 'Ctrl-C' : signal} again to quit at once`,
      );
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    let result;
    try {
      result = await runApply({
        signal: stop.signal,
        config,
        plan,
        planPath: args.plan,
        options: {
          restart: args.restart,
          force: args.force,
          backup: args.backup,
          validate: args.validate ?? config.apply.validate,
          rollbackOnFailure: args.rollbackOnFailure ?? config.apply.onFailure === 'rollback',
          full: args.full,
          retry,
        },
        logger,
        validator: validatorFor(out, validateProgress, retry),
        events: {
          info: (text) => {
            progress.stop();
            out.info(text);
          },
          warn: (text) => {
            progress.stop();
            out.warn(text);
          },
          progress: (text) => (out.spinnerAllowed ? (progress.update(text), undefined) : undefined),
          copyProgress,
          sql: (text) => out.debug(text),
        },
      });
    } catch (error) {
      progress.fail('apply stopped');
      logger.error(error instanceof Error ? error.message : String(error));
      if (stop.signal.aborted && (error as { code?: string }).code === 'interrupted') {
        out.error((error as Error).message);
        return ExitCode.interrupted;
      }
      throw error;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    progress.stop();
    if (result.appliedBy) {
      if (args.json)
        out.result(
          JSON.stringify({ status: 'already_applied', runId: result.appliedBy.runId, finishedAt: result.appliedBy.finishedAt }, null, 2),
        );
      else
        out.result(
          `Nothing to do: this plan was applied by run ${result.appliedBy.runId} at ${result.appliedBy.finishedAt ?? '?'}, and the sandbox still matches what that run left.`,
        );
      return ExitCode.ok;
    }
    const report = applyReport(result, plan, args.plan);
    const files = writeReport(
      config.reportsDir,
      `apply_${reportStamp(new Date(result.finishedAt))}_${result.runId}`,
      report,
      renderApplyMarkdown(report),
    );
    logger.info(`report written: ${files.json}`);
    if (args.json) out.result(JSON.stringify({ ...report, report_files: files }, null, 2));
    else out.result(renderApplyMarkdown(report));
    out.info(`Report: ${files.markdown}`);
    if (result.interrupted) {
      const done = result.steps.filter((o) => o.status === 'applied' || o.status === 'skipped').length;
      out.error(
        `apply interrupted: run ${result.runId} stopped at a safe point with ${done} of ${result.steps.length} steps done (${result.recordsCopied.toLocaleString('en-US')} rows copied in this attempt)`,
      );
      out.info(
        `Resume with "replicoop apply ${args.plan}" (it continues after the last committed statement or chunk)${result.backupFile ? `, or restore the backup with "replicoop rollback"` : ''}.`,
      );
      return ExitCode.interrupted;
    }
    if (result.status === 'done') return ExitCode.ok;
    if (result.status === 'failed') {
      out.error(`apply failed: ${result.errors[0] ?? 'see the report'}`);
      const rollback = result.backupFile ? `"replicoop rollback" to restore the backup (${result.backupFile})` : null;
      const stepsDone = result.steps.every((o) => o.status === 'applied' || o.status === 'skipped');
      if (stepsDone && result.validation && !result.validation.passed) {
        // Every step ran: resuming would only validate again. What is left is to undo, or to plan what still differs.
        out.info(
          `Ways out: ${rollback ? `${rollback}, or ` : ''}make a new plan of what still differs ("replicoop plan -o next.json") and apply it with "replicoop apply next.json --restart" (the report says what differs).`,
        );
      } else {
        out.info(
          `Ways out: fix the cause, then run "replicoop apply ${args.plan}" again to resume from the failed step${rollback ? `, or ${rollback}` : ' (no backup to roll back to: --no-backup)'}.`,
        );
      }
    } else out.error('apply failed; the sandbox was restored from its backup (rolled back)');
    return ExitCode.error;
  },
};
