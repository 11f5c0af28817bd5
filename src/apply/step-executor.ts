import type { ResolvedConfig } from '../config/types.js';
import { ProductionSession, SandboxSession, type RetryPolicy } from '../db/session.js';
import { isConnectionError } from '../db/sql-error.js';
import { asReplicoopError, maskSecrets } from '../errors.js';
import { readSnapshot } from '../introspect/read-snapshot.js';
import type { Logger } from '../log/file-logger.js';
import type { Plan, PlanStep } from '../plan/plan-types.js';
import type { CheckpointName, StateStore, StepRecord, StepResume } from '../state/state-store.js';
import { SessionPool } from '../db/session-pool.js';
import { copyTable } from '../copy/copy-table.js';
import { copyTaskFromTable, type CopyTask, type DeltaBackup, type DeltaResumeState, type ResumeState } from '../copy/copy-task.js';
import { deltaCopy } from '../copy/delta-copy.js';
import type { ApplyEvents, StepOutcome } from './apply-types.js';
import { runDdlStep } from './run-ddl-step.js';
import { stepAlreadyApplied } from './step-check.js';
import { acquireApplyLock, type ApplyLockGuard } from './apply-lock.js';
import { faultPoint } from './fault-point.js';

export interface ExecutorContext {
  readonly config: ResolvedConfig;
  readonly plan: Plan;
  readonly store: StateStore;
  readonly runId: string;
  readonly events: ApplyEvents;
  readonly logger: Logger;
  readonly retry: RetryPolicy;
  readonly warn: (text: string) => void;
  readonly info: (text: string) => void;
  readonly getSandbox: () => SandboxSession;
  readonly setSandbox: (session: SandboxSession) => void;
  /** Watches the apply lock: checked before every step and before and after every chunk commit. */
  readonly lock: ApplyLockGuard;
  /** Throws 'interrupted' once a stop was asked for (SIGINT/SIGTERM); called at safe points only. */
  readonly checkInterrupt: () => void;
  /** The sandbox drifted (--force): check every DDL step against it first, so DDL already in effect is not run twice. */
  readonly checkEveryStep?: boolean;
  /** apply --full: no delta copies. */
  readonly full?: boolean;
  /**
   * Awaited before the first write to the table of a delta-planned copy (the whole-table backup a
   * scoped backup leaves to the copy); idempotent. Absent: nothing to do (--no-backup, scope full).
   */
  readonly beforeFirstWrite?: (table: string) => Promise<void>;
  /** The backup a delta copy of the table reports its writes to (backup.scope: plan); absent as above. */
  readonly deltaBackup?: (table: string) => DeltaBackup;
}

/** Runs the steps in order; each step's status is written right after it commits. */
export class StepExecutor {
  readonly #c: ExecutorContext;
  /** How the first finished copy wrote (LOAD DATA or INSERT): the later ones need not ask the sandbox. */
  #resolvedMethod: 'load-data' | 'insert' | null = null;

  constructor(context: ExecutorContext) {
    this.#c = context;
  }

  async runAll(checkpoint: (name: CheckpointName) => void): Promise<StepOutcome[]> {
    const { plan, store, runId } = this.#c;
    const records = new Map(store.getSteps(runId).map((s) => [s.stepId, s]));
    const outcomes = new Map<string, StepOutcome>();
    const phases: PlanStep['phase'][] = ['structure', 'data', 'post'];
    let failed = false;
    for (const phase of phases) {
      const steps = plan.steps.filter((s) => s.phase === phase);
      if (!failed) {
        if (phase === 'data') {
          const results = await this.runDataSteps(steps, records);
          for (const r of results) outcomes.set(r.stepId, r);
          failed = results.some((r) => r.status === 'failed');
        } else {
          for (const step of steps) {
            const outcome = await this.runOne(step, records.get(step.id));
            outcomes.set(step.id, outcome);
            if (outcome.status === 'failed') {
              failed = true;
              break;
            }
          }
        }
      }
      if (!failed && phase === 'structure') checkpoint('structures_replicated');
      if (!failed && phase === 'data') checkpoint('data_replicated');
    }
    return plan.steps.map(
      (s) =>
        outcomes.get(s.id) ?? {
          stepId: s.id,
          kind: s.kind,
          object: s.object,
          phase: s.phase,
          status: 'pending',
          seconds: 0,
          rows: 0,
          bytes: 0,
          error: null,
          note: null,
        },
    );
  }

  private async runOne(step: PlanStep, record: StepRecord | undefined): Promise<StepOutcome> {
    const { store, runId, logger } = this.#c;
    const previous = record?.status ?? 'pending';
    // Statements of this step that committed in an interrupted attempt (DDL commits one by one).
    let statementsDone = previous === 'running' || previous === 'failed' ? statementsDoneIn(record?.resume ?? null) : 0;
    const base = { stepId: step.id, kind: step.kind, object: step.object, phase: step.phase };
    if (previous === 'done' || previous === 'skipped')
      return { ...base, status: 'skipped', seconds: 0, rows: 0, bytes: 0, error: null, note: 'done in an earlier attempt' };
    const started = performance.now();
    const seconds = (): number => Math.round(performance.now() - started) / 1000;
    try {
      if ((previous === 'running' || this.#c.checkEveryStep) && step.phase !== 'data') {
        const applied = await this.alreadyApplied(step);
        if (applied) {
          store.markStep(runId, step.id, 'done');
          const why = previous === 'running' ? 'already applied before the interruption' : 'its effect is already in the sandbox';
          this.#c.info(`✓ ${step.id}: ${why} (checked against the plan), not run again`);
          return {
            ...base,
            status: 'applied',
            seconds: seconds(),
            rows: 0,
            bytes: 0,
            error: null,
            note: previous === 'running' ? 'found already applied on resume' : 'found already applied',
          };
        }
      }
      faultPoint(`before:${step.id}`);
      this.#c.checkInterrupt();
      await this.#c.lock.check();
      store.markStep(runId, step.id, 'running');
      this.#c.events.progress?.(`${step.id}`);
      logger.info(`step ${step.id} started`);
      const note = await this.withReconnect(step, async () => {
        let statement = 0;
        if (statementsDone > 0)
          logger.info(`step ${step.id}: its first ${statementsDone} statement(s) ran before the interruption; continuing after them`);
        const outcome = await runDdlStep(this.#c.getSandbox(), step, {
          onSql: (sql) => {
            faultPoint(`statement:${step.id}:${++statement}`);
            logger.sql(sql);
            this.#c.events.sql?.(sql);
          },
          onWarning: (w) => this.#c.warn(w),
          skipStatements: statementsDone,
          onStatementDone: (done) => {
            statementsDone = done;
            if (step.sql.length > 1) store.recordProgress(runId, step.id, 0, { kind: 'ddl', statementsDone: done });
            if (done < step.sql.length) this.#c.checkInterrupt();
          },
        });
        return outcome.foreignKeyChecksDisabled ? 'foreign_key_checks=0 after a foreign key error' : null;
      });
      faultPoint(`committed:${step.id}`);
      store.markStep(runId, step.id, 'done');
      faultPoint(`after:${step.id}`);
      logger.info(`step ${step.id} done in ${seconds()}s`);
      this.#c.info(`✓ ${step.id}`);
      return { ...base, status: 'applied', seconds: seconds(), rows: 0, bytes: 0, error: null, note };
    } catch (error) {
      const message = maskSecrets(asReplicoopError(error).message);
      store.markStep(runId, step.id, 'failed', { error: message });
      logger.error(`step ${step.id} failed: ${message}`);
      return { ...base, status: 'failed', seconds: seconds(), rows: 0, bytes: 0, error: message, note: null };
    }
  }

  /** Connection lost mid-step: reconnect with backoff, check whether the DDL landed, run it again if not. */
  private async withReconnect<T>(step: PlanStep, work: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        if (!isConnectionError(error) || attempt > this.#c.retry.attempts) throw error;
        this.#c.warn(`step ${step.id}: connection to the sandbox lost (${(error as Error).message}); reconnecting`);
        this.#c.getSandbox().destroy();
        const fresh = await SandboxSession.open(this.#c.config.sandbox, this.#c.retry);
        this.#c.setSandbox(fresh);
        await acquireApplyLock(fresh);
        this.#c.lock.regained();
        if (await this.alreadyApplied(step)) return null as T;
      }
    }
  }

  private async alreadyApplied(step: PlanStep): Promise<boolean> {
    const snapshot = await readSnapshot(this.#c.getSandbox(), { ignore: this.#c.plan.settings.ignore });
    return stepAlreadyApplied(step, this.#c.plan, snapshot) === true;
  }

  private async runDataSteps(steps: readonly PlanStep[], records: Map<string, StepRecord>): Promise<StepOutcome[]> {
    const { config } = this.#c;
    const queue = [...steps];
    const results: StepOutcome[] = [];
    const workers = Math.max(1, Math.min(config.copy.concurrency, queue.length));
    let stop = false;
    // Connections pass from one table's copy to the next (see copy/session-pool.ts).
    const pools = {
      production: new SessionPool(() => ProductionSession.open(config.production, this.#c.retry)),
      sandbox: new SessionPool(() => SandboxSession.open(config.sandbox, this.#c.retry)),
    };
    try {
      await Promise.all(
        Array.from({ length: workers }, async () => {
          while (queue.length > 0 && !stop) {
            const step = queue.shift()!;
            // The last table standing gets the spare connections: its key range is split, so the
            // sandbox writes on several threads (bench:copy on 2 CPUs: 1,000,000 rows in 4.2 s as
            // two ranges, 5.5 s as one).
            const spare = Math.max(1, config.copy.concurrency - (workers - 1));
            const split = queue.length === 0 ? spare : 1;
            const outcome = await this.runCopy(step, records.get(step.id), split, pools);
            results.push(outcome);
            if (outcome.status === 'failed') stop = true;
          }
        }),
      );
    } finally {
      await Promise.all([pools.production.drain(), pools.sandbox.drain()]);
    }
    return results;
  }

  private async runCopy(
    step: PlanStep,
    record: StepRecord | undefined,
    concurrency: number,
    pools: { readonly production: SessionPool<ProductionSession>; readonly sandbox: SessionPool<SandboxSession> },
  ): Promise<StepOutcome> {
    const { config, plan, store, runId, logger } = this.#c;
    const base = { stepId: step.id, kind: step.kind, object: step.object, phase: step.phase };
    if (record?.status === 'done' || record?.status === 'skipped')
      return { ...base, status: 'skipped', seconds: 0, rows: record.rowsDone, bytes: 0, error: null, note: 'done in an earlier attempt' };
    const started = performance.now();
    const data = step.data!;
    const table = plan.snapshots.production.tables.find((t) => t.name === data.table);
    const entry = plan.settings.maintain.find((m) => m.table === data.table);
    if (!table || !entry) {
      const message = `table ${data.table} is not in the plan's production snapshot`;
      store.markStep(runId, step.id, 'failed', { error: message });
      return { ...base, status: 'failed', seconds: 0, rows: 0, bytes: 0, error: message, note: null };
    }
    try {
      this.#c.checkInterrupt();
      await this.#c.lock.check();
    } catch (error) {
      const message = maskSecrets(asReplicoopError(error).message);
      store.markStep(runId, step.id, 'failed', { error: message });
      return { ...base, status: 'failed', seconds: 0, rows: record?.rowsDone ?? 0, bytes: 0, error: message, note: null };
    }
    const unfinished = record?.status === 'running' || record?.status === 'failed';
    // The store keeps positions opaque (state/step-resume.ts); the engine checks the one it is
    // handed against its task before using it (copy/resume-state.ts, copy/delta-parts.ts).
    let resume = unfinished && record.resume?.kind === 'copy' ? (record.resume.state as ResumeState) : null;
    store.markStep(runId, step.id, 'running');
    const task = copyTaskFromTable(table, { ...entry, where: data.where }, data.key);
    // A full copy that was interrupted goes on as a full copy; --full overrides the plan's delta.
    let fullReason: string | null = this.#c.full ? 'apply --full' : null;
    if (data.mode === 'delta' && !this.#c.full && resume === null) {
      const deltaResume = unfinished && record.resume?.kind === 'delta' ? (record.resume.state as DeltaResumeState) : null;
      const outcome = await this.runDelta(step, task, deltaResume, pools, started);
      if (outcome.kind === 'done') return outcome.outcome;
      fullReason = outcome.reason;
    }
    logger.info(
      `step ${step.id} started${resume ? ' (resuming from the last committed chunk)' : ''}${fullReason ? ` (full copy: ${fullReason})` : ''}`,
    );
    let lastRows = record?.rowsDone ?? 0;
    let chunks = 0;
    // A delta-planned table copied in full (the probe found it too different, or a resumed full copy):
    // its backup is taken first, if this run does not hold it yet.
    const backupFirst = data.mode === 'delta' ? this.#c.beforeFirstWrite : undefined;
    for (let attempt = 1; ; attempt++) {
      try {
        if (backupFirst) await backupFirst(data.table);
        const result = await copyTable(task, resume, {
          chunkRows: config.copy.chunkRows,
          method: config.copy.method,
          ...(this.#resolvedMethod ? { resolvedMethod: this.#resolvedMethod } : {}),
          concurrency,
          maskSecret: config.masking.secret,
          openProduction: () => pools.production.acquire(),
          openSandbox: () => pools.sandbox.acquire(),
          retry: this.#c.retry,
          // Before the COMMIT too: a chunk in flight when the lock was lost is rolled back, not committed.
          beforeCommit: () => this.#c.lock.assertHeld(),
          onCommit: ({ rowsDone, resume: next }) => {
            resume = next;
            lastRows = rowsDone;
            store.recordProgress(runId, step.id, rowsDone, { kind: 'copy', state: next });
            faultPoint(`chunk:${step.id}:${++chunks}`);
            // Recorded first: the chunk is in the sandbox. Then no further write without the lock.
            this.#c.lock.assertHeld();
            this.#c.checkInterrupt();
          },
          onProgress: ({ rowsDone }) =>
            this.#c.events.copyProgress?.({ stepId: step.id, table: data.table, rowsDone, estimatedRows: data.estimatedRows }),
        });
        this.#c.events.copyProgress?.({
          stepId: step.id,
          table: data.table,
          rowsDone: result.rows,
          estimatedRows: data.estimatedRows,
          done: true,
        });
        this.#resolvedMethod = result.method;
        store.recordProgress(runId, step.id, result.rows, resume === null ? null : { kind: 'copy', state: resume });
        store.markStep(runId, step.id, 'done');
        const seconds = Math.round(performance.now() - started) / 1000;
        logger.info(
          `step ${step.id} done: ${result.rows} rows, ${result.bytes} bytes in ${seconds}s (${result.method}, emptied with ${result.emptiedWith})`,
        );
        this.#c.info(`✓ ${step.id}: ${result.rows.toLocaleString('en-US')} rows`);
        return {
          ...base,
          status: 'applied',
          seconds,
          rows: result.rows,
          bytes: result.bytes,
          error: null,
          note: `${fullReason ? `full copy (${fullReason}); ` : ''}${result.method}; emptied with ${result.emptiedWith}${result.maskedColumns.length ? `; masked ${result.maskedColumns.join(', ')}` : ''}`,
          copyMode: 'full',
        };
      } catch (error) {
        if (isConnectionError(error) && attempt <= this.#c.retry.attempts) {
          this.#c.warn(`step ${step.id}: connection lost (${(error as Error).message}); resuming from the last committed chunk`);
          continue;
        }
        return this.copyFailed(step, error, lastRows, started);
      }
    }
  }

  /**
   * A full or delta copy that failed for good (retries spent, or not a lost connection): its
   * progress line is closed at the last committed count before the failure is recorded.
   */
  private copyFailed(step: PlanStep, error: unknown, rowsDone: number, started: number): StepOutcome {
    const { store, runId, logger } = this.#c;
    const data = step.data!;
    const message = maskSecrets(asReplicoopError(error).message);
    this.#c.events.copyProgress?.({ stepId: step.id, table: data.table, rowsDone, estimatedRows: data.estimatedRows, done: true });
    store.markStep(runId, step.id, 'failed', { error: message });
    logger.error(`step ${step.id} failed: ${message}`);
    return {
      stepId: step.id,
      kind: step.kind,
      object: step.object,
      phase: step.phase,
      status: 'failed',
      seconds: Math.round(performance.now() - started) / 1000,
      rows: rowsDone,
      bytes: 0,
      error: message,
      note: null,
    };
  }

  /**
   * The delta copy of one table (copy/delta-copy.ts), resumable from its stored position.
   * Returns the step's outcome, or why the table must be copied in full (nothing was written).
   */
  private async runDelta(
    step: PlanStep,
    task: CopyTask,
    stored: DeltaResumeState | null,
    pools: { readonly production: SessionPool<ProductionSession>; readonly sandbox: SessionPool<SandboxSession> },
    started: number,
  ): Promise<{ kind: 'done'; outcome: StepOutcome } | { kind: 'full'; reason: string }> {
    const { config, store, runId, logger } = this.#c;
    const data = step.data!;
    const base = { stepId: step.id, kind: step.kind, object: step.object, phase: step.phase };
    let resume = stored;
    let lastRows = 0;
    let ranges = 0;
    logger.info(`step ${step.id} started: delta copy${resume ? ' (resuming after the last committed range)' : ''}`);
    // One for the step: it remembers, across retries, which rows it has saved.
    const backup = this.#c.deltaBackup?.(data.table);
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await deltaCopy(task, resume, {
          chunkRows: config.copy.chunkRows,
          method: config.copy.method,
          fullThreshold: config.copy.deltaThreshold,
          ...(this.#resolvedMethod ? { resolvedMethod: this.#resolvedMethod } : {}),
          maskSecret: config.masking.secret,
          openProduction: () => pools.production.acquire(),
          openSandbox: () => pools.sandbox.acquire(),
          ...(backup ? { backup } : {}),
          beforeCommit: () => this.#c.lock.assertHeld(),
          onCommit: ({ rowsDone, resume: next }) => {
            ranges++;
            // Committed in the sandbox, not yet recorded: a resume compares this range again.
            faultPoint(`range-committed:${step.id}:${ranges}`);
            resume = next;
            lastRows = rowsDone;
            store.recordProgress(runId, step.id, rowsDone, { kind: 'delta', state: next });
            faultPoint(`range:${step.id}:${ranges}`);
            this.#c.lock.assertHeld();
            this.#c.checkInterrupt();
          },
          onProgress: ({ rowsDone }) =>
            this.#c.events.copyProgress?.({ stepId: step.id, table: data.table, rowsDone, estimatedRows: data.estimatedRows }),
        });
        if (result.kind === 'too_different') {
          logger.info(`step ${step.id}: ${result.reason}; copying in full`);
          return { kind: 'full', reason: result.reason };
        }
        this.#resolvedMethod = result.method;
        this.#c.events.copyProgress?.({
          stepId: step.id,
          table: data.table,
          rowsDone: result.rows,
          estimatedRows: data.estimatedRows,
          done: true,
        });
        store.markStep(runId, step.id, 'done');
        const seconds = Math.round(performance.now() - started) / 1000;
        const c = result.counts;
        const note =
          `delta: ${c.rangesCompared} ranges compared, ${c.rangesRewritten} rewritten; ` +
          `${c.rowsDeleted} deleted, ${c.rowsReplaced} replaced, ${c.rowsInserted} inserted, ${c.rowsUnchanged} unchanged`;
        logger.info(`step ${step.id} done in ${seconds}s: ${note}`);
        this.#c.info(`✓ ${step.id}: ${result.rows.toLocaleString('en-US')} rows (${note})`);
        return {
          kind: 'done',
          outcome: { ...base, status: 'applied', seconds, rows: result.rows, bytes: 0, error: null, note, copyMode: 'delta', delta: c },
        };
      } catch (error) {
        if (isConnectionError(error) && attempt <= this.#c.retry.attempts) {
          this.#c.warn(`step ${step.id}: connection lost (${(error as Error).message}); resuming after the last committed range`);
          continue;
        }
        return { kind: 'done', outcome: { ...this.copyFailed(step, error, lastRows, started), copyMode: 'delta' } };
      }
    }
  }
}

/** The statements of a DDL step that committed in an interrupted attempt; 0 when none. */
function statementsDoneIn(resume: StepResume | null): number {
  return resume?.kind === 'ddl' ? resume.statementsDone : 0;
}
