import { existsSync } from 'node:fs';
import { describeTarget } from '../config/connection-target.js';
import type { ResolvedConfig } from '../config/types.js';
import { DEFAULT_RETRY, SandboxSession, type RetryPolicy } from '../db/session.js';
import { ReplicoopError } from '../errors.js';
import type { Logger } from '../log/file-logger.js';
import { StateStore, type RunRecord } from '../state/state-store.js';
import { acquireApplyLock, releaseApplyLock } from './apply-lock.js';
import { restoreBackup, type RestoreOptions, type RestoreResult } from '../backup/restore.js';

export interface RollbackResult {
  readonly run: RunRecord;
  readonly backupFile: string;
  readonly seconds: number;
  readonly newerRuns: readonly string[];
}

/** The error prefix of a run whose rollback stopped midway (status offers the rollback again, never a resume). */
export const ROLLBACK_INCOMPLETE = 'rollback incomplete';

export function isRollbackIncomplete(run: RunRecord): boolean {
  return run.status === 'abandoned' && (run.error ?? '').startsWith(ROLLBACK_INCOMPLETE);
}

/**
 * Restores a run's backup. A restore that stopped after it changed the sandbox gives the run up
 * as 'rollback incomplete': a half-restored sandbox must never be resumed, and status points at
 * this rollback again. Used by replicoop rollback and by apply --rollback-on-failure alike.
 */
export async function restoreRun(state: StateStore, runId: string, options: RestoreOptions): Promise<RestoreResult> {
  try {
    return await restoreBackup(options);
  } catch (error) {
    const partial = error instanceof ReplicoopError && (error.details as { partial?: boolean } | undefined)?.partial === true;
    if (!partial && !(error instanceof ReplicoopError && error.code === 'restore_failed' && /partly restored/.test(error.message)))
      throw error;
    const failure = error as ReplicoopError;
    state.setRunStatus(runId, 'abandoned', { error: `${ROLLBACK_INCOMPLETE}: ${failure.message}` });
    throw new ReplicoopError('restore_failed', `${failure.message}. Then run: replicoop rollback --run ${runId}`, {
      details: failure.details,
      cause: failure,
    });
  }
}

/** Restores a run's backup into the sandbox and marks the run rolled back. */
export async function rollbackRun(
  config: ResolvedConfig,
  runId: string | null,
  logger: Logger,
  onInfo: (text: string) => void = () => undefined,
  retry: RetryPolicy = DEFAULT_RETRY,
): Promise<RollbackResult> {
  if (!existsSync(config.statePath)) {
    throw new ReplicoopError('no_runs', `no runs are recorded in ${config.statePath}; nothing to roll back`);
  }
  const state = StateStore.open(config.statePath);
  try {
    const target = describeTarget(config.sandbox);
    const runs = state.listRuns(1000).filter((r) => r.target === target);
    let run: RunRecord | null;
    if (runId) {
      run = state.getRun(runId);
      if (!run)
        throw new ReplicoopError('run_not_found', `run ${runId} is not recorded in ${config.statePath} (replicoop status lists the runs)`);
      if (run.target !== target)
        throw new ReplicoopError('wrong_target', `run ${runId} was applied to ${run.target}, not to the configured sandbox ${target}`);
    } else {
      run =
        runs.find((r) => (isRollbackIncomplete(r) || (r.status !== 'rolled_back' && r.status !== 'abandoned')) && r.backupFile !== null) ??
        null;
      if (!run)
        throw new ReplicoopError('no_runs', `no run of sandbox ${target} has a backup to restore (replicoop status lists the runs)`);
    }
    if (run.status === 'rolled_back') throw new ReplicoopError('already_rolled_back', `run ${run.id} was already rolled back`);
    if (!run.backupFile)
      throw new ReplicoopError(
        'no_backup',
        `run ${run.id} has no backup (it was applied with --no-backup, or stopped before the backup); nothing to restore`,
      );
    if (!existsSync(run.backupFile)) throw new ReplicoopError('backup_missing', `the backup of run ${run.id} is gone: ${run.backupFile}`);
    const newerRuns = runs
      .filter((r) => r.startedAt > run!.startedAt && r.status !== 'abandoned' && r.status !== 'rolled_back')
      .map((r) => r.id);

    const sandbox = await SandboxSession.open(config.sandbox, retry);
    const started = performance.now();
    try {
      if (sandbox.server.serverId !== run.targetServerId) {
        throw new ReplicoopError(
          'wrong_target',
          `run ${run.id} was applied to server ${run.targetServerId}, but the configured sandbox is server ${sandbox.server.serverId}; refusing to restore there`,
        );
      }
      await acquireApplyLock(sandbox, { onWait: onInfo });
      onInfo(`restoring ${run.backupFile} into ${target}`);
      logger.info(`rollback of run ${run.id}: restoring ${run.backupFile}`);
      await restoreRun(state, run.id, {
        target: config.sandbox,
        file: run.backupFile,
        retry,
        onNote: (text) => {
          logger.warn(text);
          onInfo(text);
        },
      });
      await releaseApplyLock(sandbox);
    } finally {
      await sandbox.close();
    }
    state.setRunStatus(run.id, 'rolled_back', { finishedAt: new Date().toISOString(), error: run.error });
    logger.info(`run ${run.id} rolled back`);
    return { run, backupFile: run.backupFile, seconds: Math.round(performance.now() - started) / 1000, newerRuns };
  } finally {
    state.close();
  }
}
