import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ResolvedConfig } from '../config/types.js';
import type { ProductionSession, SandboxSession } from '../db/session.js';
import { diffSnapshots } from '../diff/diff-snapshots.js';
import { ReplicoopError } from '../errors.js';
import { readSnapshot } from '../introspect/read-snapshot.js';
import type { Plan } from '../plan/plan-types.js';
import { checkPlanIdentity } from '../plan/plan-identity.js';
import { snapshotFingerprint } from '../snapshot/fingerprint.js';
import type { Snapshot } from '../snapshot/model.js';
import { StateStore, type RunRecord } from '../state/state-store.js';
import { ensureBackupSpace, estimateBackupBytes } from '../backup/backup.js';
import type { ApplyOptions } from './apply-types.js';
import { resolveUnknown } from '../plan/unknown-policy.js';
import { checkMaintainPrivileges } from '../introspect/check-maintain-privileges.js';
import { readPrivileges } from '../introspect/read-privileges.js';

/**
 * The checks of apply before anything is written: the plan was made for these two databases,
 * no unfinished run of another plan is in the way, neither side drifted since the plan (or
 * --force), and the backup has room. Read-only: a failed check leaves sandbox and state db as they were.
 */

export function checkIdentity(plan: Plan, production: ProductionSession, sandbox: SandboxSession, planPath: string): void {
  checkPlanIdentity(
    plan,
    { serverId: production.server.serverId, database: production.database },
    { serverId: sandbox.server.serverId, database: sandbox.database },
    planPath,
  );
}

export interface PreflightInput {
  readonly config: ResolvedConfig;
  readonly plan: Plan;
  readonly options: ApplyOptions;
  readonly production: ProductionSession;
  readonly sandbox: SandboxSession;
  /** host:port/database of the sandbox, as the state db names it. */
  readonly target: string;
  readonly warn: (text: string) => void;
  /** The plan file as given on the command line. */
  readonly planPath: string;
}

export interface PreflightResult {
  /** The state db when it already exists (opened read-only in effect: nothing is written here). */
  readonly state: StateStore | null;
  /** The newest unfinished run of this sandbox, whatever its plan. */
  readonly unfinished: RunRecord | null;
  /** That run when this apply continues it (same plan, no --restart). */
  readonly resumeRun: RunRecord | null;
  /** The run that already applied this very plan, when the sandbox still matches what it left: nothing to do. */
  readonly appliedBy: RunRecord | null;
  /** The sandbox drifted from the plan (and --force was given): every step is checked against the sandbox before it runs. */
  readonly drifted: boolean;
}

export async function preflight(input: PreflightInput): Promise<PreflightResult> {
  const { config, plan, options, production, sandbox, target, warn } = input;
  const state = existsSync(config.statePath) ? StateStore.open(config.statePath) : null;
  try {
    const unfinished = state?.unfinishedRunFor(target) ?? null;
    let resumeRun: RunRecord | null = null;
    if (unfinished) {
      if (unfinished.planChecksum === plan.checksum && !options.restart) resumeRun = unfinished;
      else if (!options.restart) {
        // Offer only what works: resuming needs the old plan file, which a new plan written to the same path replaced.
        const replaced = resolve(unfinished.planPath) === resolve(input.planPath);
        const ways = [
          ...(replaced ? [] : [`resume it with replicoop apply ${unfinished.planPath}`]),
          `abandon it and apply this plan with replicoop apply ${input.planPath} --restart`,
          ...(unfinished.backupFile ? [`restore its backup with replicoop rollback --run ${unfinished.id}`] : []),
        ];
        throw new ReplicoopError(
          'unfinished_run',
          `run ${unfinished.id} of another plan${replaced ? ` (its plan file ${unfinished.planPath} now holds a different plan)` : ` (${unfinished.planPath})`} is unfinished for this sandbox (${unfinished.status}); ${ways.join(', or ')}`,
          { details: { runId: unfinished.id } },
        );
      }
    }

    const ignore = plan.settings.ignore;
    let drifted = false;
    const current = await readSnapshot(sandbox, { ignore });
    // Privileges (issue 18): something the sandbox account can no longer read is named with its GRANT, not reported as drift.
    resolveUnknown({ ...plan.snapshots.production, unknown: [] }, current, plan.settings.unknown);
    if (!resumeRun && snapshotFingerprint(current) !== plan.fingerprints.sandbox) {
      drifted = true;
      // This very plan may have been applied already (a CI retry): then the sandbox is what that run left.
      const finished = state?.listRuns(1000).find((r) => r.target === target && r.status !== 'abandoned') ?? null;
      const byThisPlan = finished && finished.planChecksum === plan.checksum && finished.status === 'done' ? finished : null;
      if (
        byThisPlan &&
        !options.force &&
        diffSnapshots(plan.snapshots.production, current, { definers: plan.settings.definers }).length === 0
      ) {
        return { state, unfinished, resumeRun, appliedBy: byThisPlan, drifted: false };
      }
      const drift = describeDrift(plan.snapshots.sandbox, current, plan);
      const applied = byThisPlan
        ? `this plan was applied by run ${byThisPlan.id} at ${byThisPlan.finishedAt ?? byThisPlan.startedAt}, and `
        : '';
      if (!options.force) {
        throw new ReplicoopError(
          'plan_stale',
          `${applied}the sandbox changed since the plan was made (${drift.join('; ')}); run replicoop plan again, or apply anyway with --force`,
          { details: { drift } },
        );
      }
      warn(
        `${applied}the sandbox changed since the plan was made (${drift.join('; ')}); applying anyway (--force): each step is checked first, and one whose effect is already there is not run again`,
      );
    }
    if (resumeRun && state) {
      // A resumed run: the sandbox may differ from the plan only where this run's own steps got to.
      const touched = new Set(
        state
          .getSteps(resumeRun.id)
          .filter((s) => s.status !== 'pending')
          .map((s) => s.stepId),
      );
      const objects = new Set(plan.steps.filter((s) => touched.has(s.id)).map((s) => s.object));
      // A table this run renamed is gone under its old name by this run's own doing.
      for (const [from, to] of Object.entries(plan.settings.renames?.tables ?? {})) if (objects.has(to)) objects.add(from);
      const foreign = diffSnapshots(plan.snapshots.sandbox, current, { definers: plan.settings.definers }).filter(
        (c) => !objects.has(c.name),
      );
      if (foreign.length > 0) {
        const drift = foreign.slice(0, 10).map((c) => `${c.kind.replace(/_/g, ' ')} ${c.name}`);
        if (!options.force) {
          throw new ReplicoopError(
            'plan_stale',
            `the sandbox changed since run ${resumeRun.id} stopped, outside what its own steps did (${drift.join('; ')}); make a new plan (replicoop plan) and apply it with --restart, or resume anyway with --force`,
            { details: { drift } },
          );
        }
        warn(`the sandbox changed since run ${resumeRun.id} stopped (${drift.join('; ')}); resuming anyway (--force)`);
        drifted = true;
      }
    }
    const currentProduction = await readSnapshot(production, { ignore });
    // Privileges (issue 18): a grant revoked since the plan is named, not reported as "production changed a maintain table".
    resolveUnknown(currentProduction, { ...plan.snapshots.sandbox, unknown: [] }, plan.settings.unknown);
    await checkMaintainPrivileges(production, await readPrivileges(production), plan.settings.maintain, config.displayFile);
    if (snapshotFingerprint(currentProduction) !== plan.fingerprints.production) {
      const changes = diffSnapshots(plan.snapshots.production, currentProduction, { definers: plan.settings.definers });
      const maintained = new Set(plan.settings.maintain.map((m) => m.table));
      const touching = changes
        .filter((c) => c.kind.endsWith('_table') && maintained.has(c.name))
        .map((c) => `${c.kind.replace('_', ' ')} ${c.name}`);
      const all = changes.map((c) => `${c.kind.replace('_', ' ')} ${c.name}`);
      if (touching.length > 0 && !options.force) {
        throw new ReplicoopError(
          'plan_stale',
          `production changed a maintain table since the plan was made (${touching.join('; ')}); run replicoop plan again, or apply anyway with --force`,
          { details: { drift: all } },
        );
      }
      warn(
        `production's schema changed since the plan was made (${all.join('; ')}); the sandbox will match the plan, not today's production`,
      );
    }
    if (!resumeRun && options.backup) {
      const needed = await estimateBackupBytes(sandbox, config.backup.dir);
      for (const removed of ensureBackupSpace(config.backup.dir, sandbox.database, needed, config.backup.keep))
        warn(`deleted old backup ${removed} to make room for the new one`);
    }
    return { state, unfinished, resumeRun, appliedBy: null, drifted };
  } catch (error) {
    state?.close();
    throw error;
  }
}

export function describeDrift(planned: Snapshot, current: Snapshot, plan: Plan): string[] {
  const changes = diffSnapshots(planned, current, { definers: plan.settings.definers });
  if (changes.length === 0) return ['objects changed in ways the diff does not show'];
  return changes
    .slice(0, 10)
    .map((c) => `${c.kind.replace(/_/g, ' ')} ${c.name}`)
    .concat(changes.length > 10 ? [`and ${changes.length - 10} more`] : []);
}
