import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { describeTarget } from '../config/connection-target.js';
import { openSessions } from '../db/open-sessions.js';
import { type SandboxSession, DEFAULT_RETRY, type RetryPolicy } from '../db/session.js';
import { isConnectionError } from '../db/sql-error.js';
import { retryLine } from '../db/retry-line.js';
import { ReplicoopError, asReplicoopError, maskSecrets } from '../errors.js';
import { StateStore, type CheckpointName, type RunRecord } from '../state/state-store.js';
import { createBackup, removeQuietly } from '../backup/backup.js';
import { DUMP_TOOLS, findTool } from '../backup/client-tools.js';
import { createTableBackup, deltaBackup, type SavedBackup } from '../backup/table-backup.js';
import { readBackupScope } from '../backup/backup-scope.js';
import { NO_DELTA_BACKUP, planBackupScope, rowLevelBackup } from './plan-backup-scope.js';
import { isRollbackIncomplete, restoreRun } from './rollback.js';
import type { ApplyInput, ApplyResult, ValidationOutcome, Validator } from './apply-types.js';
import { checkIdentity, preflight } from './preflight.js';
import { StepExecutor } from './step-executor.js';
import { acquireApplyLock, ApplyLockGuard, releaseApplyLock } from './apply-lock.js';
import { faultPoint } from './fault-point.js';
import { assertSandboxPrivileges } from '../plan/sandbox-grants.js';
import { readPrivileges } from '../introspect/read-privileges.js';

export type {
  ApplyEvents,
  ApplyInput,
  ApplyOptions,
  ApplyResult,
  CopyProgressUpdate,
  StepOutcome,
  StepOutcomeStatus,
  ValidationOutcome,
  Validator,
} from './apply-types.js';

export function newRunId(now: Date = new Date()): string {
  return `${now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-')}-${randomBytes(2).toString('hex')}`;
}

/**
 * Runs a plan against the sandbox: preflight (nothing is written before it passes), backup,
 * steps with a checkpoint after each one commits, resume of an unfinished run, validation and,
 * on request, rollback. Outcomes are returned per step rather than thrown midway.
 */
export async function runApply(input: ApplyInput): Promise<ApplyResult> {
  const { config, plan, options, events, logger } = input;
  const startedAt = new Date();
  const warnings: string[] = [];
  const warn = (text: string): void => {
    warnings.push(text);
    logger.warn(text);
    events.warn(text);
  };
  // Every connection retry is said, not only logged: a run that seems stuck for seconds says why.
  // The CLI's policy says it itself (cli/retry-policy.ts); the report's warnings get it either way.
  const base = options.retry ?? DEFAULT_RETRY;
  const retry: RetryPolicy = {
    ...base,
    onRetry: (attempt) => {
      const line = retryLine(attempt, base.attempts);
      if (!base.onRetry) return warn(line);
      base.onRetry(attempt);
      warnings.push(line);
    },
  };
  const info = (text: string): void => {
    logger.info(text);
    events.info(text);
  };
  const checkInterrupt = (): void => {
    if (input.signal?.aborted) throw interruptedError(input.signal);
  };

  // --- Preflight: read-only until every check passes ---------------------------------------
  const sessions = await openSessions(config, retry);
  const production = sessions.production;
  let sandbox: SandboxSession = sessions.sandbox;
  let lockHeld = false;
  // Watches the apply lock from the moment it is taken: during a long backup the lock's
  // connection sits idle too, and a lock lost then must not let this run record a backup taken
  // while another apply may have been writing.
  const lock = new ApplyLockGuard(() => sandbox);
  let state: StateStore | null = null;
  try {
    checkIdentity(plan, production, sandbox, input.planPath);
    let lastWaitLine = 0;
    await acquireApplyLock(sandbox, {
      onWait: (text) => {
        // The countdown ticks in the spinner; a line every 10 s is printed too (CI has no spinner).
        events.progress?.(text);
        if (Date.now() - lastWaitLine >= 10_000) {
          info(text);
          lastWaitLine = Date.now();
        }
      },
    });
    lockHeld = true;
    lock.start();
    // Sandbox privileges (issue 18): refuse before anything changes, naming the GRANTs the plan needs.
    assertSandboxPrivileges(await readPrivileges(sandbox), plan, 'apply', {
      backup: options.backup,
      // backup.scope: full dumps with mariadb-dump where it is on PATH (backup/backup.ts), whose SHOW EVENTS needs EVENT.
      dumpTool: options.backup && config.backup.scope === 'full' && findTool(DUMP_TOOLS) !== null,
    });

    const target = describeTarget(config.sandbox);
    const checked = await preflight({ config, plan, options, production, sandbox, target, warn, planPath: input.planPath });
    state = checked.state;
    const { unfinished, resumeRun } = checked;
    checkInterrupt();
    if (checked.appliedBy) {
      const by = checked.appliedBy;
      info(
        `this plan was applied by run ${by.id} at ${by.finishedAt ?? by.startedAt}, and the sandbox still matches what it left: nothing to do`,
      );
      const finishedAt = new Date();
      return {
        runId: by.id,
        resumed: false,
        status: 'done',
        startedAt: startedAt.toISOString(),
        finishedAt: finishedAt.toISOString(),
        seconds: (finishedAt.getTime() - startedAt.getTime()) / 1000,
        backupFile: by.backupFile,
        steps: plan.steps.map((s) => ({
          stepId: s.id,
          kind: s.kind,
          object: s.object,
          phase: s.phase,
          status: 'skipped',
          seconds: 0,
          rows: 0,
          bytes: 0,
          error: null,
          note: `applied by run ${by.id}`,
        })),
        recordsCopied: 0,
        errors: [],
        warnings,
        validation: null,
        checkpoints: [],
        interrupted: false,
        appliedBy: { runId: by.id, finishedAt: by.finishedAt },
      };
    }
    if (options.restart && unfinished) {
      // First write of this apply: only now that every check has passed.
      state = state ?? StateStore.open(config.statePath);
      state.setRunStatus(unfinished.id, 'abandoned', { error: 'abandoned by apply --restart', finishedAt: new Date().toISOString() });
      info(`abandoned unfinished run ${unfinished.id} (--restart)`);
    }

    // --- The run ---------------------------------------------------------------------------
    state = state ?? StateStore.open(config.statePath);
    const store = state;
    const run: RunRecord =
      resumeRun ??
      store.createRun({
        id: newRunId(startedAt),
        planChecksum: plan.checksum,
        planPath: input.planPath,
        target,
        targetServerId: sandbox.server.serverId,
        steps: plan.steps.map((s) => ({ stepId: s.id, phase: s.phase, kind: s.kind })),
      });
    const checkpoint = (name: CheckpointName): void => {
      store.addCheckpoint(run.id, name);
      logger.info(`checkpoint ${name}`, { run: run.id });
    };
    if (resumeRun) {
      info(`resuming run ${run.id} (${store.getSteps(run.id).filter((s) => s.status === 'done').length}/${plan.steps.length} steps done)`);
      store.setRunStatus(run.id, 'running', { error: null, finishedAt: null });
    } else info(`run ${run.id}: ${plan.steps.length} steps from ${input.planPath}`);
    checkpoint('config_loaded');
    checkpoint('connections_established');

    let backupFile = run.backupFile;
    let backupCost: { seconds: number; bytes: number } | null = null;
    // What the copy backs up as it goes (a delta-copied table's rows, or the table whole) counts as backup.
    const onSaved = (table: string, saved: SavedBackup): void => {
      backupCost = { seconds: (backupCost?.seconds ?? 0) + saved.seconds, bytes: (backupCost?.bytes ?? 0) + saved.bytes };
      if (saved.first)
        logger.info(
          saved.kind === 'table'
            ? `backed up table ${table} whole before the copy writes to it: ${saved.file}`
            : `backing up the rows of ${table} that its delta copy changes, before it changes them: ${saved.file}`,
          { run: run.id },
        );
    };
    const scoped = config.backup.scope === 'plan' ? planBackupScope(plan, { full: options.full === true }) : null;
    // What this run's backup covers (null: the whole database, or no backup); a resumed run reads it from the file.
    let covered = backupFile && existsSync(backupFile) ? await readBackupScope(backupFile) : null;
    if (!backupFile && options.backup) {
      info(
        scoped
          ? `backing up what the plan can change in sandbox ${config.sandbox.database} (${scoped.scope.relations.length} tables/views/sequences, ${scoped.scope.triggers.length + scoped.scope.routines.length + scoped.scope.events.length} programs; ${scoped.onFirstWrite.length} delta-copied tables: only the rows their copy changes) to ${config.backup.dir}`
          : `backing up sandbox ${config.sandbox.database} to ${config.backup.dir}`,
      );
      const backupStarted = performance.now();
      let backup;
      try {
        backup = await createBackup({
          target: config.sandbox,
          dir: config.backup.dir,
          runId: run.id,
          keep: config.backup.keep,
          scope: scoped?.scope ?? null,
          onProgress: (p) => {
            events.progress?.(`backup: ${p.tablesDone}/${p.tablesTotal} tables${p.table ? ` (${p.table})` : ''}`);
            if (p.tablesDone > 0) faultPoint('backup');
            checkInterrupt();
            lock.assertHeld();
          },
        });
        // Asked afresh: the backup is recorded as the run's only while no other apply can have written meanwhile.
        await lock.check().catch((error: unknown) => {
          removeQuietly(backup!.file);
          throw error;
        });
      } catch (error) {
        if (input.signal?.aborted) {
          // Nothing was written to the sandbox yet; the run starts with a new backup when resumed.
          store.setRunStatus(run.id, 'failed', { error: 'interrupted during the backup' });
          throw interruptedError(
            input.signal,
            `stopped during the backup, before anything in the sandbox changed; run ${run.id} continues with a fresh backup when you run replicoop apply ${input.planPath} again`,
          );
        }
        // Whatever stopped the backup, the run is not left 'running': it is failed, resumable, nothing written.
        const failure = asReplicoopError(error);
        store.setRunStatus(run.id, 'failed', { error: maskSecrets(failure.message) });
        if (lock.lost) {
          lockHeld = false;
          throw failure;
        }
        throw new ReplicoopError(
          failure.code,
          `the backup failed, before anything in the sandbox changed: ${failure.message}; once that is fixed, run ${run.id} continues with a fresh backup when you run replicoop apply ${input.planPath} again`,
          { details: failure.details, cause: failure },
        );
      }
      backupFile = backup.file;
      covered = scoped?.scope ?? null;
      backupCost = { seconds: (performance.now() - backupStarted) / 1000, bytes: backup.bytes };
      store.setBackupFile(run.id, backup.file);
      for (const removed of backup.removed) logger.info(`removed old backup ${removed}`);
      info(`backup written: ${backup.file} (${(backup.bytes / 1024 / 1024).toFixed(1)} MB, ${backup.method})`);
      checkpoint('backup_created');
    } else if (!options.backup && !backupFile) {
      warn('NO BACKUP: --no-backup was given; rollback will not be possible for this run');
    }
    checkpoint('structures_analyzed');
    checkpoint('replication_planned');

    // --- Steps -----------------------------------------------------------------------------
    const executor = new StepExecutor({
      config,
      plan,
      store,
      runId: run.id,
      events,
      logger,
      retry,
      warn,
      info,
      getSandbox: () => sandbox,
      setSandbox: (s) => (sandbox = s),
      lock,
      checkInterrupt,
      checkEveryStep: checked.drifted,
      ...(options.full ? { full: true } : {}),
      ...(covered && backupFile
        ? {
            beforeFirstWrite: async (table: string) => {
              if (covered!.relations.includes(table)) return;
              const taken = await createTableBackup(config.sandbox, backupFile!, table);
              if (taken !== null) onSaved(table, { kind: 'table', ...taken, first: true });
            },
            deltaBackup: (table: string) =>
              covered!.relations.includes(table)
                ? NO_DELTA_BACKUP
                : deltaBackup({
                    target: config.sandbox,
                    mainFile: backupFile!,
                    table,
                    rowLevel: rowLevelBackup(plan, covered!, table),
                    onSaved: (saved) => onSaved(table, saved),
                  }),
          }
        : {}),
    });
    const outcomes = await executor.runAll(checkpoint);
    if (lock.lost) lockHeld = false;
    const failed = outcomes.find((o) => o.status === 'failed');

    let validation: ValidationOutcome | null = null;
    if (!failed && options.validate && input.validator && !input.signal?.aborted) {
      info('validating the sandbox against production');
      // What a delta copy of this run proved equal range by range is not checksummed again.
      const proven = outcomes.filter((o) => o.copyMode === 'delta' && o.status === 'applied').map((o) => o.object);
      const signal = input.signal ? { signal: input.signal } : {};
      validation = await validateWithRetry(
        input.validator,
        { plan, config, ...(proven.length > 0 ? { proven } : {}), ...signal },
        base,
        warn,
      );
    }
    // Stopped before the run's end (a step, or the validation before or while it ran): never 'done', and
    // resumable; with every step done a resume only validates.
    const interrupted = input.signal?.aborted === true && (failed !== undefined || validation === null);
    if (validation) {
      checkpoint('validation_completed');
      for (const line of validation.warnings ?? []) warnings.push(`validation: ${line}`);
      if (validation.passed) info(`validation passed: ${validation.summary}`);
      else {
        // Said now, but recorded once: the failure is one of the run's errors (below), not also a warning.
        logger.warn(`validation failed: ${validation.summary}`);
        events.warn(`validation failed: ${validation.summary}`);
      }
    }

    const errors = [
      ...outcomes.filter((o) => o.error).map((o) => `${o.stepId}: ${o.error}`),
      ...(validation && !validation.passed ? [`validation: ${validation.summary}`] : []),
    ];
    let status: ApplyResult['status'] = errors.length === 0 && !interrupted ? 'done' : 'failed';
    if (interrupted) {
      const done = outcomes.filter((o) => o.status === 'applied' || o.status === 'skipped').length;
      info(
        `interrupted: run ${run.id} stopped at a safe point (${done}/${outcomes.length} steps done${done === outcomes.length && options.validate ? ', not validated: a resume only validates' : ''}); nothing is rolled back`,
      );
    } else if (status === 'failed' && options.rollbackOnFailure && lock.lost) {
      warn(
        'not rolling back: this run lost the apply lock, and another apply may be writing the sandbox; run replicoop rollback once no apply runs',
      );
    } else if (status === 'failed' && options.rollbackOnFailure) {
      if (backupFile) {
        info(`rolling back: restoring ${backupFile}`);
        // The apply lock stays held (and watched) while the restore runs: no other apply writes meanwhile.
        try {
          await restoreRun(store, run.id, { target: config.sandbox, file: backupFile, onNote: warn, retry });
        } catch (error) {
          // Not started, or stopped before it changed anything (restoreRun marked a partial one): the run stays failed.
          const marked = store.getRun(run.id);
          if (!marked || !isRollbackIncomplete(marked))
            store.setRunStatus(run.id, 'failed', {
              error: maskSecrets(`${errors.join('; ')}; automatic rollback failed: ${asReplicoopError(error).message}`),
            });
          throw error;
        }
        store.setRunStatus(run.id, 'rolled_back', { error: errors.join('; '), finishedAt: new Date().toISOString() });
        status = 'rolled_back';
        info('sandbox restored to its state before the run');
      } else warn('rollback requested but this run has no backup (--no-backup)');
    }
    if (status === 'done') {
      checkpoint('operation_finished');
      store.setRunStatus(run.id, 'done', { finishedAt: new Date().toISOString() });
    } else if (status === 'failed') {
      store.setRunStatus(run.id, 'failed', {
        error: interrupted ? `interrupted (${signalName(input.signal)})` : maskSecrets(errors.join('; ')),
      });
    }
    const finishedAt = new Date();
    return {
      runId: run.id,
      resumed: resumeRun !== null,
      status,
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      seconds: (finishedAt.getTime() - startedAt.getTime()) / 1000,
      backupFile,
      ...(backupCost ? { backup: backupCost } : {}),
      steps: outcomes,
      recordsCopied: outcomes.reduce((sum, o) => sum + o.rows, 0),
      errors,
      warnings,
      validation,
      checkpoints: store.getCheckpoints(run.id).map((c) => ({ name: c.name, at: c.at })),
      interrupted,
      appliedBy: null,
    };
  } finally {
    lock.stop();
    if (lockHeld) await releaseApplyLock(sandbox).catch(() => undefined);
    state?.close();
    await Promise.all([production.close(), sandbox.close()].map((p) => p.catch(() => undefined)));
  }
}

function signalName(signal: AbortSignal | undefined): string {
  const reason: unknown = signal?.reason;
  return typeof reason === 'string' ? reason : 'a stop signal';
}

/** The error a safe point throws once a stop was asked for; the step records it and the run is resumable. */
function interruptedError(signal: AbortSignal, message?: string): ReplicoopError {
  return new ReplicoopError(
    'interrupted',
    message ?? `interrupted by ${signalName(signal)}: stopped at a safe point (after the statement or chunk that was committing)`,
  );
}

/**
 * Validation reads both servers for a while; a connection that drops meanwhile is retried like the
 * copy's (with backoff), and if it keeps failing the outcome says so, so that the run still ends
 * with a report and a resumable state instead of a bare "Connection lost".
 */
async function validateWithRetry(
  validator: Validator,
  input: Parameters<Validator>[0],
  retry: RetryPolicy,
  warn: (text: string) => void,
): Promise<ValidationOutcome | null> {
  let delayMs = retry.baseDelayMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await validator(input);
    } catch (error) {
      // Stopped (Ctrl-C): no verdict, and no retry; the caller treats the run as interrupted.
      if (input.signal?.aborted) return null;
      const message = maskSecrets((error as Error).message ?? String(error));
      if (!isConnectionError(error)) return { passed: false, summary: `validation could not finish: ${message}`, details: null };
      if (attempt >= retry.attempts)
        return {
          passed: false,
          summary: `validation could not finish: connection lost ${attempt} times (${message}); run replicoop validate once the servers are reachable`,
          details: null,
        };
      warn(`validation: connection lost (${message}); attempt ${attempt + 1}/${retry.attempts} in ${(delayMs / 1000).toFixed(1)} s`);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      delayMs *= retry.factor;
    }
  }
}
