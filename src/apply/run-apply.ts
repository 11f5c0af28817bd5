import { assertSandboxPrivileges } from '../plan/sandbox-grants.js';
import { resolveUnknown } from '../plan/unknown-policy.js';
import { checkMaintainPrivileges } from '../introspect/check-maintain-privileges.js';
import { readPrivileges } from '../introspect/read-privileges.js';
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { ResolvedConfig } from '../config/types.js';
import { describeTarget } from '../config/connection-target.js';
import { openSessions } from '../db/open-sessions.js';
import { ProductionSession, SandboxSession, DEFAULT_RETRY, type RetryPolicy } from '../db/session.js';
import { isConnectionError } from '../db/sql-error.js';
import { diffSnapshots } from '../diff/diff-snapshots.js';
import { ReplicoopError, asReplicoopError, maskSecrets } from '../errors.js';
import { readSnapshot } from '../introspect/read-snapshot.js';
import type { Logger } from '../log/file-logger.js';
import type { Plan, PlanStep } from '../plan/plan-types.js';
import { snapshotFingerprint } from '../snapshot/fingerprint.js';
import { checkPlanIdentity } from '../plan/plan-identity.js';
import type { Snapshot } from '../snapshot/model.js';
import { StateStore, type CheckpointName, type RunRecord } from '../state/state-store.js';
import { SessionPool } from '../db/session-pool.js';
import { copyTable } from '../copy/copy-table.js';
import { copyTaskFromTable, type ResumeState } from '../copy/copy-task.js';
import { checkFreeSpace, createBackup, sandboxSizeBytes } from '../backup/backup.js';
import { restoreBackup } from '../backup/restore.js';
import { runDdlStep } from './run-ddl-step.js';
import { stepAlreadyApplied } from './step-check.js';
import { acquireApplyLock, releaseApplyLock } from './apply-lock.js';
import { faultPoint } from './fault-point.js';

export interface ApplyOptions {
  /** Abandon an unfinished run of this sandbox and start over with a fresh backup. */
  readonly restart: boolean;
  /** Apply even though the sandbox (or a maintain table in production) drifted since the plan. */
  readonly force: boolean;
  readonly backup: boolean;
  readonly validate: boolean;
  readonly rollbackOnFailure: boolean;
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
}

/** What validation tells apply; the validate module fills it. */
export interface ValidationOutcome {
  readonly passed: boolean;
  readonly summary: string;
  readonly details: unknown;
}

export type Validator = (input: { plan: Plan; config: ResolvedConfig }) => Promise<ValidationOutcome>;

export interface ApplyResult {
  readonly runId: string;
  readonly resumed: boolean;
  readonly status: 'done' | 'failed' | 'rolled_back';
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly seconds: number;
  readonly backupFile: string | null;
  readonly steps: readonly StepOutcome[];
  readonly recordsCopied: number;
  readonly errors: readonly string[];
  readonly warnings: readonly string[];
  readonly validation: ValidationOutcome | null;
  readonly checkpoints: readonly { name: string; at: string }[];
}

export interface ApplyInput {
  readonly config: ResolvedConfig;
  readonly plan: Plan;
  readonly planPath: string;
  readonly options: ApplyOptions;
  readonly events: ApplyEvents;
  readonly logger: Logger;
  readonly validator?: Validator;
}

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
  const retry = options.retry ?? DEFAULT_RETRY;
  const startedAt = new Date();
  const warnings: string[] = [];
  const warn = (text: string): void => {
    warnings.push(text);
    logger.warn(text);
    events.warn(text);
  };
  const info = (text: string): void => {
    logger.info(text);
    events.info(text);
  };

  // --- Preflight: read-only until every check passes ---------------------------------------
  const sessions = await openSessions(config, retry);
  const production = sessions.production;
  let sandbox: SandboxSession = sessions.sandbox;
  let lockHeld = false;
  let state: StateStore | null = null;
  try {
    checkPlanIdentity(plan, { serverId: production.server.serverId, database: production.database }, { serverId: sandbox.server.serverId, database: sandbox.database }, input.planPath);
    await acquireApplyLock(sandbox);
    lockHeld = true;
    // Sandbox privileges (issue 18): refuse before anything changes, naming the GRANTs the plan needs.
    assertSandboxPrivileges(await readPrivileges(sandbox), plan, 'apply', { backup: options.backup });

    const target = describeTarget(config.sandbox);
    state = existsSync(config.statePath) ? StateStore.open(config.statePath) : null;
    const unfinished = state?.unfinishedRunFor(target) ?? null;
    let resumeRun: RunRecord | null = null;
    if (unfinished) {
      if (unfinished.planChecksum === plan.checksum && !options.restart) resumeRun = unfinished;
      else if (!options.restart) {
        throw new ReplicoopError(
          'unfinished_run',
          `run ${unfinished.id} of another plan (${unfinished.planPath}) is unfinished for this sandbox (${unfinished.status}); resume it with replicoop apply ${unfinished.planPath}, abandon it with --restart, or restore its backup with replicoop rollback`,
          { details: { runId: unfinished.id } },
        );
      }
    }

    const ignore = plan.settings.ignore;
    if (!resumeRun) {
      const current = await readSnapshot(sandbox, { ignore });
      // Privileges (issue 18): something the sandbox account can no longer read is named with its GRANT, not reported as drift.
      resolveUnknown({ ...plan.snapshots.production, unknown: [] }, current, plan.settings.unknown);
      if (snapshotFingerprint(current) !== plan.fingerprints.sandbox) {
        const drift = describeDrift(plan.snapshots.sandbox, current, plan);
        if (!options.force) {
          throw new ReplicoopError('plan_stale', `the sandbox changed since the plan was made (${drift.join('; ')}); run replicoop plan again, or apply anyway with --force`, { details: { drift } });
        }
        warn(`the sandbox changed since the plan was made (${drift.join('; ')}); applying anyway (--force)`);
      }
    }
    const currentProduction = await readSnapshot(production, { ignore });
    // Privileges (issue 18): a grant revoked since the plan is named, not reported as "production changed a maintain table".
    resolveUnknown(currentProduction, { ...plan.snapshots.sandbox, unknown: [] }, plan.settings.unknown);
    await checkMaintainPrivileges(production, await readPrivileges(production), plan.settings.maintain, config.displayFile);
    if (snapshotFingerprint(currentProduction) !== plan.fingerprints.production) {
      const changes = diffSnapshots(plan.snapshots.production, currentProduction, { definers: plan.settings.definers });
      const maintained = new Set(plan.settings.maintain.map((m) => m.table));
      const touching = changes.filter((c) => c.kind.endsWith('_table') && maintained.has(c.name)).map((c) => `${c.kind.replace('_', ' ')} ${c.name}`);
      const all = changes.map((c) => `${c.kind.replace('_', ' ')} ${c.name}`);
      if (touching.length > 0 && !options.force) {
        throw new ReplicoopError('plan_stale', `production changed a maintain table since the plan was made (${touching.join('; ')}); run replicoop plan again, or apply anyway with --force`, { details: { drift: all } });
      }
      warn(`production's schema changed since the plan was made (${all.join('; ')}); the sandbox will match the plan, not today's production`);
    }
    if (!resumeRun && options.backup) {
      const needed = await sandboxSizeBytes(sandbox);
      checkFreeSpace(config.backup.dir, needed);
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
    if (!backupFile && options.backup) {
      info(`backing up sandbox ${config.sandbox.database} to ${config.backup.dir}`);
      const backup = await createBackup({
        target: config.sandbox,
        dir: config.backup.dir,
        runId: run.id,
        keep: config.backup.keep,
        onProgress: (p) => {
          events.progress?.(`backup: ${p.tablesDone}/${p.tablesTotal} tables${p.table ? ` (${p.table})` : ''}`);
          if (p.tablesDone > 0) faultPoint('backup');
        },
      });
      backupFile = backup.file;
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
    const executor = new StepExecutor({ config, plan, store, runId: run.id, events, logger, retry, warn, info, getSandbox: () => sandbox, setSandbox: (s) => (sandbox = s) });
    const outcomes = await executor.runAll(checkpoint);
    const failed = outcomes.find((o) => o.status === 'failed');

    let validation: ValidationOutcome | null = null;
    if (!failed && options.validate && input.validator) {
      info('validating the sandbox against production');
      validation = await input.validator({ plan, config });
      checkpoint('validation_completed');
      if (validation.passed) info(`validation passed: ${validation.summary}`);
      else warn(`validation failed: ${validation.summary}`);
    }

    const errors = [...outcomes.filter((o) => o.error).map((o) => `${o.stepId}: ${o.error}`), ...(validation && !validation.passed ? [`validation: ${validation.summary}`] : [])];
    let status: ApplyResult['status'] = errors.length === 0 ? 'done' : 'failed';
    if (status === 'failed' && options.rollbackOnFailure) {
      if (backupFile) {
        info(`rolling back: restoring ${backupFile}`);
        if (lockHeld) await releaseApplyLock(sandbox).catch(() => undefined);
        lockHeld = false;
        await restoreBackup({ target: config.sandbox, file: backupFile });
        store.setRunStatus(run.id, 'rolled_back', { error: errors.join('; '), finishedAt: new Date().toISOString() });
        status = 'rolled_back';
        info('sandbox restored to its state before the run');
      } else warn('rollback requested but this run has no backup (--no-backup)');
    }
    if (status === 'done') {
      checkpoint('operation_finished');
      store.setRunStatus(run.id, 'done', { finishedAt: new Date().toISOString() });
    } else if (status === 'failed') {
      store.setRunStatus(run.id, 'failed', { error: maskSecrets(errors.join('; ')) });
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
      steps: outcomes,
      recordsCopied: outcomes.reduce((sum, o) => sum + o.rows, 0),
      errors,
      warnings,
      validation,
      checkpoints: store.getCheckpoints(run.id).map((c) => ({ name: c.name, at: c.at })),
    };
  } finally {
    if (lockHeld) await releaseApplyLock(sandbox).catch(() => undefined);
    state?.close();
    await Promise.all([production.close(), sandbox.close()].map((p) => p.catch(() => undefined)));
  }
}

function describeDrift(planned: Snapshot, current: Snapshot, plan: Plan): string[] {
  const changes = diffSnapshots(planned, current, { definers: plan.settings.definers });
  if (changes.length === 0) return ['objects changed in ways the diff does not show'];
  return changes.slice(0, 10).map((c) => `${c.kind.replace(/_/g, ' ')} ${c.name}`).concat(changes.length > 10 ? [`and ${changes.length - 10} more`] : []);
}

interface ExecutorContext {
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
}

/** Runs the steps in order; each step's status is written right after it commits. */
class StepExecutor {
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
    return plan.steps.map((s) => outcomes.get(s.id) ?? { stepId: s.id, kind: s.kind, object: s.object, phase: s.phase, status: 'pending', seconds: 0, rows: 0, bytes: 0, error: null, note: null });
  }

  private async runOne(step: PlanStep, record: { status: string; resumeKey: string | null } | undefined): Promise<StepOutcome> {
    const { store, runId, logger } = this.#c;
    const previous = record?.status ?? 'pending';
    // Statements of this step that committed in an interrupted attempt (DDL commits one by one).
    let statementsDone = previous === 'running' || previous === 'failed' ? statementsDoneIn(record?.resumeKey ?? null) : 0;
    const base = { stepId: step.id, kind: step.kind, object: step.object, phase: step.phase };
    if (previous === 'done' || previous === 'skipped') return { ...base, status: 'skipped', seconds: 0, rows: 0, bytes: 0, error: null, note: 'done in an earlier attempt' };
    const started = performance.now();
    const seconds = (): number => Math.round(performance.now() - started) / 1000;
    try {
      if (previous === 'running' && step.phase !== 'data') {
        const applied = await this.alreadyApplied(step);
        if (applied) {
          store.markStep(runId, step.id, 'done');
          this.#c.info(`✓ ${step.id}: already applied before the interruption (checked against the plan)`);
          return { ...base, status: 'applied', seconds: seconds(), rows: 0, bytes: 0, error: null, note: 'found already applied on resume' };
        }
      }
      faultPoint(`before:${step.id}`);
      store.markStep(runId, step.id, 'running');
      this.#c.events.progress?.(`${step.id}`);
      logger.info(`step ${step.id} started`);
      const note = await this.withReconnect(step, async () => {
        let statement = 0;
        if (statementsDone > 0) logger.info(`step ${step.id}: its first ${statementsDone} statement(s) ran before the interruption; continuing after them`);
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
            if (step.sql.length > 1) store.recordChunk(runId, step.id, 0, JSON.stringify({ statementsDone: done }));
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
        if (await this.alreadyApplied(step)) return null as T;
      }
    }
  }

  private async alreadyApplied(step: PlanStep): Promise<boolean> {
    const snapshot = await readSnapshot(this.#c.getSandbox(), { ignore: this.#c.plan.settings.ignore });
    return stepAlreadyApplied(step, this.#c.plan, snapshot) === true;
  }

  private async runDataSteps(steps: readonly PlanStep[], records: Map<string, { status: string; resumeKey: string | null; rowsDone: number }>): Promise<StepOutcome[]> {
    const { config } = this.#c;
    const queue = [...steps];
    const results: StepOutcome[] = [];
    const workers = Math.max(1, Math.min(config.copy.concurrency, queue.length));
    let stop = false;
    // Connections pass from one table's copy to the next (see db/session-pool.ts).
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
    record: { status: string; resumeKey: string | null; rowsDone: number } | undefined,
    concurrency: number,
    pools: { readonly production: SessionPool<ProductionSession>; readonly sandbox: SessionPool<SandboxSession> },
  ): Promise<StepOutcome> {
    const { config, plan, store, runId, logger } = this.#c;
    const base = { stepId: step.id, kind: step.kind, object: step.object, phase: step.phase };
    if (record?.status === 'done' || record?.status === 'skipped') return { ...base, status: 'skipped', seconds: 0, rows: record.rowsDone, bytes: 0, error: null, note: 'done in an earlier attempt' };
    const started = performance.now();
    const data = step.data!;
    const table = plan.snapshots.production.tables.find((t) => t.name === data.table);
    const entry = plan.settings.maintain.find((m) => m.table === data.table);
    if (!table || !entry) {
      const message = `table ${data.table} is not in the plan's production snapshot`;
      store.markStep(runId, step.id, 'failed', { error: message });
      return { ...base, status: 'failed', seconds: 0, rows: 0, bytes: 0, error: message, note: null };
    }
    let resume: ResumeState | null = record?.status === 'running' || record?.status === 'failed' ? (record.resumeKey ? (JSON.parse(record.resumeKey) as ResumeState) : null) : null;
    store.markStep(runId, step.id, 'running');
    logger.info(`step ${step.id} started${resume ? ' (resuming from the last committed chunk)' : ''}`);
    let lastRows = record?.rowsDone ?? 0;
    let chunks = 0;
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await copyTable(copyTaskFromTable(table, { ...entry, where: data.where }, data.key), resume, {
          chunkRows: config.copy.chunkRows,
          method: config.copy.method,
          ...(this.#resolvedMethod ? { resolvedMethod: this.#resolvedMethod } : {}),
          concurrency,
          maskSecret: config.masking.secret,
          openProduction: () => pools.production.acquire(),
          openSandbox: () => pools.sandbox.acquire(),
          retry: this.#c.retry,
          onCommit: ({ rowsDone, resume: next }) => {
            resume = next;
            lastRows = rowsDone;
            store.recordChunk(runId, step.id, rowsDone, JSON.stringify(next));
            faultPoint(`chunk:${step.id}:${++chunks}`);
          },
          onProgress: ({ rowsDone }) => this.#c.events.copyProgress?.({ stepId: step.id, table: data.table, rowsDone, estimatedRows: data.estimatedRows }),
        });
        this.#c.events.copyProgress?.({ stepId: step.id, table: data.table, rowsDone: result.rows, estimatedRows: data.estimatedRows, done: true });
        this.#resolvedMethod = result.method;
        store.recordChunk(runId, step.id, result.rows, resume === null ? null : JSON.stringify(resume));
        store.markStep(runId, step.id, 'done');
        const seconds = Math.round(performance.now() - started) / 1000;
        logger.info(`step ${step.id} done: ${result.rows} rows, ${result.bytes} bytes in ${seconds}s (${result.method}, emptied with ${result.emptiedWith})`);
        this.#c.info(`✓ ${step.id}: ${result.rows.toLocaleString('en-US')} rows`);
        return { ...base, status: 'applied', seconds, rows: result.rows, bytes: result.bytes, error: null, note: `${result.method}; emptied with ${result.emptiedWith}${result.maskedColumns.length ? `; masked ${result.maskedColumns.join(', ')}` : ''}` };
      } catch (error) {
        if (isConnectionError(error) && attempt <= this.#c.retry.attempts) {
          this.#c.warn(`step ${step.id}: connection lost (${(error as Error).message}); resuming from the last committed chunk`);
          continue;
        }
        const message = maskSecrets(asReplicoopError(error).message);
        this.#c.events.copyProgress?.({ stepId: step.id, table: data.table, rowsDone: lastRows, estimatedRows: data.estimatedRows, done: true });
        store.markStep(runId, step.id, 'failed', { error: message });
        logger.error(`step ${step.id} failed: ${message}`);
        return { ...base, status: 'failed', seconds: Math.round(performance.now() - started) / 1000, rows: lastRows, bytes: 0, error: message, note: null };
      }
    }
  }
}

/** The statement count a DDL step's checkpoint holds ({"statementsDone": n}); 0 when none. */
function statementsDoneIn(resumeKey: string | null): number {
  if (resumeKey === null) return 0;
  try {
    const value = (JSON.parse(resumeKey) as { statementsDone?: unknown }).statementsDone;
    return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : 0;
  } catch {
    return 0;
  }
}
