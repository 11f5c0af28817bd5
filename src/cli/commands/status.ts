import { existsSync } from 'node:fs';
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
            ? `replicoop apply ${latest.planPath} (resume)${latest.backupFile ? `, or replicoop rollback (restore ${latest.backupFile})` : `, or replicoop apply ${latest.planPath} --restart (it has no backup to roll back to)`}`
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
