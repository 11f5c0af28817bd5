import type Database from 'better-sqlite3';
import { parseStepResume, type StepResume } from './step-resume.js';
import { openStateFile, unavailable } from './state-file.js';
import { ReplicoopError } from '../errors.js';

export { parseStepResume, type StepResume } from './step-resume.js';

/**
 * The checkpoint store of apply runs: which run touched which sandbox, how far each step got,
 * and where a data copy can resume.
 *
 * Durability: the file is in WAL mode with synchronous=NORMAL. Every method is its own
 * transaction, and a committed transaction is in the WAL file (the OS page cache) before the
 * method returns, so it survives the process being killed (kill -9, OOM, Ctrl-C). Only a power
 * loss or kernel crash can lose the last few transactions; the run is then resumed from a
 * slightly earlier checkpoint, which is safe because every step is idempotent or re-checked.
 */

export const CHECKPOINT_NAMES = [
  'config_loaded',
  'connections_established',
  'backup_created',
  'structures_analyzed',
  'replication_planned',
  'structures_replicated',
  'data_replicated',
  'validation_completed',
  'operation_finished',
] as const;
export type CheckpointName = (typeof CHECKPOINT_NAMES)[number];

export const RUN_STATUSES = ['running', 'done', 'failed', 'abandoned', 'rolled_back'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const STEP_STATUSES = ['pending', 'running', 'done', 'failed', 'skipped'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

export interface RunRecord {
  readonly id: string;
  readonly planChecksum: string;
  readonly planPath: string;
  /** host:port/database, never a user name or password. */
  readonly target: string;
  readonly targetServerId: string;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly status: RunStatus;
  readonly backupFile: string | null;
  readonly error: string | null;
}

export interface StepRecord {
  readonly runId: string;
  readonly stepId: string;
  readonly position: number;
  readonly phase: string;
  readonly kind: string;
  readonly status: StepStatus;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly error: string | null;
  readonly rowsDone: number;
  /** Where an interrupted step continues; null when it starts from the beginning. */
  readonly resume: StepResume | null;
}

export interface CheckpointRecord {
  readonly runId: string;
  readonly name: CheckpointName;
  readonly at: string;
}

export interface NewRun {
  readonly id: string;
  readonly planChecksum: string;
  readonly planPath: string;
  readonly target: string;
  readonly targetServerId: string;
  readonly steps: readonly { readonly stepId: string; readonly phase: string; readonly kind: string }[];
}

export interface StateStoreOptions {
  /** The clock, for tests that need predictable timestamps. */
  readonly now?: () => Date;
  /** How long to wait for another process holding the write lock. */
  readonly busyTimeoutMs?: number;
}

interface RunRow {
  id: string;
  plan_checksum: string;
  plan_path: string;
  target: string;
  target_server_id: string;
  started_at: string;
  finished_at: string | null;
  status: RunStatus;
  backup_file: string | null;
  error: string | null;
}

interface StepRow {
  run_id: string;
  step_id: string;
  position: number;
  phase: string;
  kind: string;
  status: StepStatus;
  started_at: string | null;
  finished_at: string | null;
  error: string | null;
  rows_done: number;
  resume_key: string | null;
}

interface CheckpointRow {
  run_id: string;
  name: CheckpointName;
  at: string;
}

export class StateStore {
  readonly file: string;
  #db: Database.Database;
  #now: () => Date;

  private constructor(file: string, db: Database.Database, now: () => Date) {
    this.file = file;
    this.#db = db;
    this.#now = now;
  }

  /** Opens the state file, creating it (and its directory) when missing. Refuses foreign files. */
  static open(file: string, options: StateStoreOptions = {}): StateStore {
    return new StateStore(file, openStateFile(file, options.busyTimeoutMs ?? 5000), options.now ?? (() => new Date()));
  }

  createRun(run: NewRun): RunRecord {
    const startedAt = this.#stamp();
    this.#write(() => {
      const exists = this.#db.prepare('SELECT 1 FROM runs WHERE id = ?').get(run.id);
      if (exists) throw new ReplicoopError('state_conflict', `state file ${this.file}: a run with id ${run.id} already exists`);
      this.#db
        .prepare(
          `INSERT INTO runs (id, plan_checksum, plan_path, target, target_server_id, started_at, status)
           VALUES (?, ?, ?, ?, ?, ?, 'running')`,
        )
        .run(run.id, run.planChecksum, run.planPath, run.target, run.targetServerId, startedAt);
      const insertStep = this.#db.prepare(
        `INSERT INTO steps (run_id, step_id, position, phase, kind, status) VALUES (?, ?, ?, ?, ?, 'pending')`,
      );
      run.steps.forEach((step, position) => insertStep.run(run.id, step.stepId, position, step.phase, step.kind));
    });
    return this.getRun(run.id)!;
  }

  getRun(id: string): RunRecord | null {
    const row = this.#read(() => this.#db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined);
    return row ? toRun(row) : null;
  }

  latestRun(): RunRecord | null {
    const row = this.#read(
      () => this.#db.prepare('SELECT * FROM runs ORDER BY started_at DESC, rowid DESC LIMIT 1').get() as RunRow | undefined,
    );
    return row ? toRun(row) : null;
  }

  /** The newest run on this target that neither finished nor was given up: the one to resume. */
  unfinishedRunFor(target: string): RunRecord | null {
    const row = this.#read(
      () =>
        this.#db
          .prepare(`SELECT * FROM runs WHERE target = ? AND status IN ('running', 'failed') ORDER BY started_at DESC, rowid DESC LIMIT 1`)
          .get(target) as RunRow | undefined,
    );
    return row ? toRun(row) : null;
  }

  listRuns(limit = 20): readonly RunRecord[] {
    const rows = this.#read(
      () => this.#db.prepare('SELECT * FROM runs ORDER BY started_at DESC, rowid DESC LIMIT ?').all(limit) as RunRow[],
    );
    return Object.freeze(rows.map(toRun));
  }

  /**
   * A run going back to 'running' (resume) clears its end time and error; any other status
   * stamps the end time unless one is given.
   */
  setRunStatus(id: string, status: RunStatus, options: { error?: string | null; finishedAt?: string | null } = {}): RunRecord {
    const finishedAt = status === 'running' ? null : (options.finishedAt ?? this.#stamp());
    this.#write(() => {
      const error = status === 'running' ? (options.error ?? null) : options.error;
      const result =
        error === undefined
          ? this.#db.prepare('UPDATE runs SET status = ?, finished_at = ? WHERE id = ?').run(status, finishedAt, id)
          : this.#db.prepare('UPDATE runs SET status = ?, finished_at = ?, error = ? WHERE id = ?').run(status, finishedAt, error, id);
      if (result.changes === 0) throw this.#notFound(`run ${id}`);
    });
    return this.getRun(id)!;
  }

  setBackupFile(id: string, file: string): void {
    this.#write(() => {
      const result = this.#db.prepare('UPDATE runs SET backup_file = ? WHERE id = ?').run(file, id);
      if (result.changes === 0) throw this.#notFound(`run ${id}`);
    });
  }

  /**
   * 'running' stamps the start and clears a previous failure but keeps rows_done and
   * resume_key, so a retried copy continues where it stopped; 'pending' resets the step.
   */
  markStep(runId: string, stepId: string, status: StepStatus, options: { error?: string | null } = {}): void {
    const now = this.#stamp();
    this.#write(() => {
      let result: Database.RunResult;
      if (status === 'running') {
        result = this.#db
          .prepare('UPDATE steps SET status = ?, started_at = ?, finished_at = NULL, error = NULL WHERE run_id = ? AND step_id = ?')
          .run(status, now, runId, stepId);
      } else if (status === 'pending') {
        result = this.#db
          .prepare(
            `UPDATE steps SET status = ?, started_at = NULL, finished_at = NULL, error = NULL, rows_done = 0, resume_key = NULL
             WHERE run_id = ? AND step_id = ?`,
          )
          .run(status, runId, stepId);
      } else {
        result = this.#db
          .prepare('UPDATE steps SET status = ?, finished_at = ?, error = ? WHERE run_id = ? AND step_id = ?')
          .run(status, now, options.error ?? null, runId, stepId);
      }
      if (result.changes === 0) throw this.#notFound(`step ${stepId} of run ${runId}`);
    });
  }

  /**
   * Called right after a piece of a step commits in the sandbox (a data chunk, one statement of a
   * DDL step): rowsDone is the step's running total (0 for DDL), resume where it would continue.
   */
  recordProgress(runId: string, stepId: string, rowsDone: number, resume: StepResume | null): void {
    const resumeKey = resume === null ? null : JSON.stringify(resume);
    this.#write(() => {
      const result = this.#db
        .prepare('UPDATE steps SET rows_done = ?, resume_key = ? WHERE run_id = ? AND step_id = ?')
        .run(rowsDone, resumeKey, runId, stepId);
      if (result.changes === 0) throw this.#notFound(`step ${stepId} of run ${runId}`);
    });
  }

  getSteps(runId: string): readonly StepRecord[] {
    const rows = this.#read(() => this.#db.prepare('SELECT * FROM steps WHERE run_id = ? ORDER BY position').all(runId) as StepRow[]);
    return Object.freeze(rows.map(toStep));
  }

  /** Idempotent: the first time a checkpoint is reached is the one remembered. */
  addCheckpoint(runId: string, name: CheckpointName): void {
    if (!(CHECKPOINT_NAMES as readonly string[]).includes(name)) {
      throw new ReplicoopError('state_invalid_checkpoint', `unknown checkpoint name: ${name}`);
    }
    const at = this.#stamp();
    this.#write(() => {
      if (!this.#db.prepare('SELECT 1 FROM runs WHERE id = ?').get(runId)) throw this.#notFound(`run ${runId}`);
      this.#db.prepare('INSERT OR IGNORE INTO checkpoints (run_id, name, at) VALUES (?, ?, ?)').run(runId, name, at);
    });
  }

  /** In the original design's order (ARCHITECTURE.md: checkpoints), not the order they were written. */
  getCheckpoints(runId: string): readonly CheckpointRecord[] {
    const rows = this.#read(() => this.#db.prepare('SELECT * FROM checkpoints WHERE run_id = ?').all(runId) as CheckpointRow[]);
    const order = (name: string) => (CHECKPOINT_NAMES as readonly string[]).indexOf(name);
    return Object.freeze(
      rows.sort((a, b) => order(a.name) - order(b.name)).map((row) => Object.freeze({ runId: row.run_id, name: row.name, at: row.at })),
    );
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }

  #stamp(): string {
    return this.#now().toISOString();
  }

  #notFound(what: string): ReplicoopError {
    return new ReplicoopError('state_not_found', `state file ${this.file}: no ${what}`);
  }

  #write(body: () => void): void {
    try {
      this.#db.transaction(body).immediate();
    } catch (error) {
      throw error instanceof ReplicoopError ? error : unavailable(this.file, error);
    }
  }

  #read<T>(body: () => T): T {
    try {
      return body();
    } catch (error) {
      throw unavailable(this.file, error);
    }
  }
}

function toRun(row: RunRow): RunRecord {
  return Object.freeze({
    id: row.id,
    planChecksum: row.plan_checksum,
    planPath: row.plan_path,
    target: row.target,
    targetServerId: row.target_server_id,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    status: row.status,
    backupFile: row.backup_file,
    error: row.error,
  });
}

function toStep(row: StepRow): StepRecord {
  return Object.freeze({
    runId: row.run_id,
    stepId: row.step_id,
    position: row.position,
    phase: row.phase,
    kind: row.kind,
    status: row.status,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    error: row.error,
    rowsDone: row.rows_done,
    resume: parseStepResume(row.resume_key),
  });
}
