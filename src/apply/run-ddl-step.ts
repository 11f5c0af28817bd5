import type { SandboxSession } from '../db/session.js';
import { errnoOf, isForeignKeyError } from '../db/sql-error.js';
import type { PlanStep } from '../plan/plan-types.js';
import { ER_PARTITION_MGMT_ON_NONPARTITIONED } from '../sql/errno.js';
import { sandboxSessionSql } from '../sql/sandbox-settings.js';

export interface DdlStepOutcome {
  readonly statements: number;
  /** Set when a foreign key error made us turn foreign_key_checks off (ARCHITECTURE.md: foreign_key_error). */
  readonly foreignKeyChecksDisabled: boolean;
}

/**
 * Runs a structure or post step's statements in order on the sandbox. A foreign key error turns
 * foreign_key_checks off for the session and retries once (foreign_key_error: disable and
 * continue with a warning). Session settings the step changed are put back afterwards.
 */
export interface DdlStepOptions {
  onSql?: (sql: string) => void;
  onWarning?: (text: string) => void;
  /**
   * Statements that already ran in an earlier attempt (a step interrupted between two of its
   * DDL statements): skipped, except session settings (SET ...), which a new session needs again.
   */
  skipStatements?: number;
  /** Called after each statement with the number done so far, for the checkpoint. */
  onStatementDone?: (done: number) => void;
}

const SESSION_SETTING = /^SET\s/i;

export async function runDdlStep(sandbox: SandboxSession, step: PlanStep, options: DdlStepOptions = {}): Promise<DdlStepOutcome> {
  let disabled = false;
  try {
    for (const [index, sql] of step.sql.entries()) {
      if (index < (options.skipStatements ?? 0) && !SESSION_SETTING.test(sql)) continue;
      options.onSql?.(sql);
      try {
        await sandbox.execute(sql);
      } catch (error) {
        // A step re-run after a crash between its statements: the partitioning is already gone.
        const alreadyGone = errnoOf(error) === ER_PARTITION_MGMT_ON_NONPARTITIONED && / REMOVE PARTITIONING$/.test(sql);
        if (!alreadyGone) {
          if (!isForeignKeyError(error) || disabled) throw error;
          disabled = true;
          options.onWarning?.(`step ${step.id}: foreign key error (${(error as Error).message}); retrying with foreign_key_checks=0`);
          await sandbox.execute('SET SESSION foreign_key_checks = 0');
          await sandbox.execute(sql);
        }
      }
      options.onStatementDone?.(index + 1);
    }
  } finally {
    await resetSession(sandbox).catch(() => undefined);
  }
  return { statements: step.sql.length, foreignKeyChecksDisabled: disabled };
}

export async function resetSession(sandbox: SandboxSession): Promise<void> {
  await sandbox.execute(sandboxSessionSql({ foreignKeyChecks: true }));
  await sandbox.execute('SET NAMES utf8mb4 COLLATE utf8mb4_general_ci');
}
