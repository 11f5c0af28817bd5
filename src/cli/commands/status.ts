import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { RunRecord } from '../../state/state-store.js';
import type { CommandModule } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { wholeNumberFlags } from '../flag-checks.js';

interface StatusArgs {
  readonly limit: number;
}

export const statusCommand: CommandModule<StatusArgs> = {
  command: 'status',
  describe: 'List runs, their steps, checkpoints and what to do next',
  builder: (yargs) =>
    yargs
      .option('limit', { type: 'number', default: 10, describe: 'How many runs to list' })
      .check((argv) => wholeNumberFlags(argv, ['limit'])),
  run: async ({ args, out, cwd }) => {
    const { loadConfig } = await import('../../config/load-config.js');
    const { describeTarget } = await import('../../config/connection-target.js');
    const { StateStore } = await import('../../state/state-store.js');
    const config = loadConfig(args.config, process.env, cwd);
    if (!existsSync(config.statePath)) {
      if (args.json) out.result(JSON.stringify({ runs: [], next: 'replicoop plan' }, null, 2));
      else out.result(`No runs yet (state: ${config.statePath}). Start with: replicoop plan`);
      return ExitCode.ok;
    }
    const state = StateStore.open(config.statePath);
    try {
      const target = describeTarget(config.sandbox);
      const runs = state.listRuns(args.limit).filter((r) => r.target === target);
      const detail = runs.map((run) => {
        const steps = state.getSteps(run.id);
        const count = (status: string): number => steps.filter((s) => s.status === status).length;
        return {
          ...run,
          steps: {
            total: steps.length,
            done: count('done'),
            skipped: count('skipped'),
            running: count('running'),
            failed: count('failed'),
            pending: count('pending'),
          },
          rowsCopied: steps.reduce((sum, s) => sum + s.rowsDone, 0),
          failedStep: steps.find((s) => s.status === 'failed') ?? null,
          checkpoints: state.getCheckpoints(run.id).map((c) => ({ name: c.name, at: c.at })),
        };
      });
      const latest = detail[0];
      const { isRollbackIncomplete } = await import('../../apply/rollback.js');
      const next = !latest
        ? 'replicoop plan'
        : isRollbackIncomplete(latest)
          ? `replicoop rollback --run ${latest.id} (its rollback stopped midway: the sandbox is partly restored from ${latest.backupFile ?? 'its backup'}; do not resume it)`
          : latest.status === 'running' || latest.status === 'failed'
            ? waysOut(
                latest,
                await planFileState(resolve(cwd, latest.planPath), latest.planChecksum),
                lastActivity(state.getSteps(latest.id), latest),
              )
            : latest.status === 'done'
              ? 'replicoop validate, or replicoop plan for the next refresh'
              : 'replicoop plan';
      if (args.json) {
        out.result(JSON.stringify({ target, runs: detail, next }, null, 2));
        return ExitCode.ok;
      }
      const p = out.paint;
      const lines: string[] = [`Sandbox ${target} — state ${config.statePath}`, ''];
      if (detail.length === 0) lines.push('No runs for this sandbox yet.');
      for (const run of detail) {
        const colour = run.status === 'done' ? p.green : run.status === 'failed' || run.status === 'running' ? p.red : p.yellow;
        // A run still marked running is one that was killed (or one running right now: the apply lock tells, status does not connect).
        const shown =
          run.status === 'running' ? 'interrupted (or still running)' : isRollbackIncomplete(run) ? 'rollback incomplete' : run.status;
        lines.push(`${p.bold(run.id)}  ${colour(shown)}  started ${run.startedAt}${run.finishedAt ? `, finished ${run.finishedAt}` : ''}`);
        lines.push(`  plan ${run.planPath} (${run.planChecksum.slice(0, 12)})`);
        lines.push(
          `  steps ${run.steps.done}/${run.steps.total} done${run.steps.failed ? `, ${run.steps.failed} failed` : ''}${run.steps.running ? `, ${run.steps.running} interrupted` : ''}; ${run.rowsCopied.toLocaleString('en-US')} rows copied`,
        );
        lines.push(`  backup ${run.backupFile ?? 'none'}`);
        lines.push(`  checkpoints ${run.checkpoints.map((c) => c.name).join(', ') || 'none'}`);
        if (run.failedStep) lines.push(p.red(`  failed at ${run.failedStep.stepId}: ${run.failedStep.error ?? ''}`));
        if (run.error && !run.failedStep) lines.push(p.red(`  error: ${run.error}`));
        lines.push('');
      }
      lines.push(`Next: ${next}`);
      out.result(lines.join('\n'));
      return ExitCode.ok;
    } finally {
      state.close();
    }
  },
};

/** What the file at a run's plan path holds now: that run's plan, another plan (made at createdAt), or nothing apply would read. */
type PlanFileState =
  { readonly holds: 'same' } | { readonly holds: 'another'; readonly createdAt: string } | { readonly holds: 'unusable' };

async function planFileState(path: string, checksum: string): Promise<PlanFileState> {
  const { readPlanFile } = await import('../../plan/plan-file.js');
  try {
    const plan = readPlanFile(path);
    return plan.checksum === checksum ? { holds: 'same' } : { holds: 'another', createdAt: plan.createdAt };
  } catch {
    // Missing, truncated or edited: apply would refuse it too.
    return { holds: 'unusable' };
  }
}

/** When the run last touched the sandbox (ISO time): a plan made before that describes a sandbox that is gone. */
function lastActivity(steps: readonly { readonly startedAt: string | null; readonly finishedAt: string | null }[], run: RunRecord): string {
  let last = run.startedAt;
  for (const step of steps) for (const at of [step.startedAt, step.finishedAt]) if (at !== null && at > last) last = at;
  return last;
}

interface UnfinishedRun extends RunRecord {
  readonly steps: { readonly total: number; readonly done: number; readonly skipped: number };
  readonly checkpoints: readonly { readonly name: string }[];
}

/**
 * The ways out of an unfinished run, only those that work in its state (each is run by a test in
 * that state, test/cli/status-ways-out.test.ts). Resuming needs the run's own plan in its file, and
 * a step left to run or a validation that did not finish: after a failed validation every step is
 * done, and a resume would only validate again and fail the same way. Applying a plan needs one
 * made after the run last changed the sandbox (an older one is refused as stale), so the run's own
 * plan never qualifies: it is a new plan, applied with --restart.
 */
function waysOut(run: UnfinishedRun, planFile: PlanFileState, lastChange: string): string {
  const stepsDone = run.steps.done + run.steps.skipped === run.steps.total;
  const validationFailed = run.status === 'failed' && stepsDone && run.checkpoints.some((c) => c.name === 'validation_completed');
  const ways: string[] = [];
  if (planFile.holds === 'same' && !validationFailed) ways.push(`replicoop apply ${run.planPath} (resume)`);
  if (run.backupFile) ways.push(`replicoop rollback --run ${run.id} (restore ${run.backupFile})`);
  if (planFile.holds === 'another' && planFile.createdAt > lastChange) {
    ways.push(`replicoop apply ${run.planPath} --restart (apply the newer plan now in ${run.planPath}, abandoning this run)`);
  } else {
    ways.push(
      `replicoop plan -o next.json, then replicoop apply next.json --restart (a new plan of what still differs${run.backupFile ? '' : '; this run has no backup to roll back to'})`,
    );
  }
  return ways.join(', or ');
}
