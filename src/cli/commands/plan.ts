import { resolve } from 'node:path';
import type { Plan } from '../../plan/plan-types.js';
import type { CommandModule } from '../command.js';
import { ExitCode } from '../exit-codes.js';

interface PlanArgs {
  readonly out: string;
  readonly format: 'text' | 'markdown' | 'json' | undefined;
  readonly detailedExitcode: boolean;
}

export const planCommand: CommandModule<PlanArgs> = {
  command: 'plan',
  describe: 'Snapshot both schemas, diff them and write plan.json',
  builder: (yargs) =>
    yargs
      .option('out', { alias: 'o', type: 'string', default: 'plan.json', describe: 'Where to write the plan file' })
      .option('format', { type: 'string', choices: ['text', 'markdown', 'json'], describe: 'How to print the plan (default text; --json = json)' })
      .option('detailed-exitcode', { type: 'boolean', default: false, describe: 'Exit 2 when there are schema changes, 0 when only data refreshes' }),
  run: async ({ args, out, cwd }) => {
    const { loadConfig } = await import('../../config/load-config.js');
    const { closeAll, openProductionPool, openSandboxPool, openSessions } = await import('../../db/open-sessions.js');
    const { checkMaintain } = await import('../../introspect/check-maintain.js');
    const { countMaintainRows } = await import('../../introspect/count-rows.js');
    const { FileLogger } = await import('../../log/file-logger.js');
    const { readSnapshot } = await import('../../introspect/read-snapshot.js');
    const { buildPlan } = await import('../../plan/build-plan.js');
    const { writePlanFile } = await import('../../plan/plan-file.js');
    const { serverIdentity } = await import('../../plan/plan-identity.js');
    const { packageVersion } = await import('../../package-info.js');
    const { hasSchemaChanges, planJson, renderPlanMarkdown, renderPlanText } = await import('../../report/render-plan.js');
    const { createProgress } = await import('../progress.js');
    const { maskProblemFor } = await import('../mask-check.js');
    const config = loadConfig(args.config, process.env, cwd);
    const logger = new FileLogger(config.logsDir, { verbose: args.verbose });
    const format = args.json ? 'json' : (args.format ?? 'text');
    const progress = await createProgress(out);
    progress.start('connecting to production and sandbox');
    const sessions = await openSessions(config).catch((error: unknown) => {
      progress.fail('connection failed');
      throw error;
    });
    const extras = [...(await openProductionPool(config, 3)), ...(await openSandboxPool(config, 3))];
    let plan: Plan;
    try {
      progress.update('reading production schema');
      const production = await readSnapshot(sessions.production, {
        ignore: config.ignore,
        extraSessions: extras.filter((s) => s.role === 'production'),
        onProgress: (p) => progress.update(`reading production schema (${p.stage} ${p.done}/${p.total})`),
      });
      await checkMaintain(config, sessions.production, production, maskProblemFor);
      progress.update('counting rows of maintain tables');
      const rowCounts = await countMaintainRows(
        [sessions.production, ...extras.filter((s) => s.role === 'production')],
        config.maintain,
        new Set(production.tables.map((t) => t.name)),
      );
      progress.update('reading sandbox schema');
      const sandbox = await readSnapshot(sessions.sandbox, {
        ignore: config.ignore,
        extraSessions: extras.filter((s) => s.role === 'sandbox'),
        onProgress: (p) => progress.update(`reading sandbox schema (${p.stage} ${p.done}/${p.total})`),
      });
      progress.update('diffing');
      plan = buildPlan({
        production,
        sandbox,
        source: serverIdentity(config.production, sessions.production.server),
        target: serverIdentity(config.sandbox, sessions.sandbox.server),
        settings: { definers: config.definers, maintain: config.maintain, ignore: config.ignore },
        rowCounts,
        replicoopVersion: packageVersion,
        createdAt: new Date().toISOString(),
      });
    } catch (error) {
      progress.fail('planning failed');
      logger.error(`plan failed: ${error instanceof Error ? error.message : String(error)}`);
      throw error;
    } finally {
      await closeAll([sessions.production, sessions.sandbox, ...extras]);
    }
    const file = resolve(cwd, args.out);
    writePlanFile(file, plan);
    logger.info(`plan ${args.out} written: ${plan.steps.length} steps (${plan.summary.schemaChangeSteps} schema, ${plan.summary.dataSteps} data, ${plan.summary.destructiveSteps} destructive), checksum ${plan.checksum.slice(0, 12)}`);
    progress.succeed(`plan written to ${args.out} (${plan.steps.length} steps)`);

    if (format === 'json') out.result(JSON.stringify(planJson(plan, args.out), null, 2));
    else if (format === 'markdown') out.result(renderPlanMarkdown(plan));
    else {
      out.result(renderPlanText(plan, out.paint));
      out.info(`Plan written to ${args.out}. Review it, then run: replicoop apply ${args.out}`);
    }
    if (args.detailedExitcode && hasSchemaChanges(plan)) return ExitCode.differences;
    return ExitCode.ok;
  },
};
