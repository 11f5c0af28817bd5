import type { ResolvedConfig } from '../config/types.js';
import type { RetryPolicy } from '../db/session.js';
import type { Logger } from '../log/file-logger.js';
import type { Plan } from '../plan/plan-types.js';
import type { DeltaCounts } from '../copy/copy-task.js';

/** The vocabulary of apply: what it is given, what it tells as it goes, what it returns. */

export interface ApplyOptions {
  /** Abandon an unfinished run of this sandbox and start over with a fresh backup. */
  readonly restart: boolean;
  /** Apply even though the sandbox (or a maintain table in production) drifted since the plan. */
  readonly force: boolean;
  readonly backup: boolean;
  readonly validate: boolean;
  readonly rollbackOnFailure: boolean;
  /** apply --full: every maintain table is emptied and copied, whatever the plan's mode says. */
  readonly full?: boolean;
  readonly retry?: RetryPolicy;
}

export interface CopyProgressUpdate {
  readonly stepId: string;
  readonly table: string;
  /** Rows in the sandbox table so far, including those an earlier, resumed run copied. */
  readonly rowsDone: number;
  /** Production's row count from the plan. */
  readonly estimatedRows: number;
  /** The copy of this table ended (successfully or not). */
  readonly done?: boolean;
}

export interface ApplyEvents {
  info(text: string): void;
  warn(text: string): void;
  progress?(text: string): void;
  /** A data copy moved (after each piece sent) or ended (done: true). */
  copyProgress?(update: CopyProgressUpdate): void;
  sql?(text: string): void;
}

export type StepOutcomeStatus = 'applied' | 'failed' | 'skipped' | 'pending';

export interface StepOutcome {
  readonly stepId: string;
  readonly kind: string;
  readonly object: string;
  readonly phase: string;
  readonly status: StepOutcomeStatus;
  readonly seconds: number;
  readonly rows: number;
  readonly bytes: number;
  readonly error: string | null;
  readonly note: string | null;
  /** Data steps: how the table was refreshed. */
  readonly copyMode?: 'delta' | 'full';
  /** Data steps refreshed by a delta copy: what it compared and wrote. */
  readonly delta?: DeltaCounts;
}

/** What validation tells apply; the validate module fills it. */
export interface ValidationOutcome {
  readonly passed: boolean;
  readonly summary: string;
  /** Findings that do not fail it (orphan rows, production drift); they go into apply's warnings. */
  readonly warnings?: readonly string[];
  readonly details: unknown;
}

/**
 * proven: maintain tables a delta copy of this run compared range by range with production's
 * snapshot and left equal; the validation does not checksum them again. signal: apply's stop
 * (Ctrl-C): the validation ends at its next chunk with an 'interrupted' error.
 */
export type Validator = (input: {
  plan: Plan;
  config: ResolvedConfig;
  proven?: readonly string[];
  signal?: AbortSignal;
}) => Promise<ValidationOutcome>;

export interface ApplyResult {
  readonly runId: string;
  readonly resumed: boolean;
  readonly status: 'done' | 'failed' | 'rolled_back';
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly seconds: number;
  readonly backupFile: string | null;
  /** What this run's backup cost (absent: no backup was taken by this run). */
  readonly backup?: { readonly seconds: number; readonly bytes: number };
  readonly steps: readonly StepOutcome[];
  readonly recordsCopied: number;
  readonly errors: readonly string[];
  readonly warnings: readonly string[];
  readonly validation: ValidationOutcome | null;
  readonly checkpoints: readonly { name: string; at: string }[];
  /** Stopped by a signal at a safe point; the run is resumable. */
  readonly interrupted: boolean;
  /** Set when this plan had been applied already and the sandbox still matches: nothing was run. */
  readonly appliedBy: { readonly runId: string; readonly finishedAt: string | null } | null;
}

export interface ApplyInput {
  readonly config: ResolvedConfig;
  readonly plan: Plan;
  readonly planPath: string;
  readonly options: ApplyOptions;
  readonly events: ApplyEvents;
  readonly logger: Logger;
  readonly validator?: Validator;
  /**
   * Aborted on SIGINT/SIGTERM (Ctrl-C): the run stops at the next safe point (after the statement
   * or chunk that is committing), records where it is and returns with interrupted set.
   */
  readonly signal?: AbortSignal;
}
