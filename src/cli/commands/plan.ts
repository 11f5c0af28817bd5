import { resolve } from 'node:path';
import type { Plan } from '../../plan/plan-types.js';
import type { CommandModule } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { jsonFormatAgree } from '../flag-checks.js';

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
      .option('format', {
        type: 'string',
        choices: ['text', 'markdown', 'json'],
        describe: 'How to print the plan (default text; --json = json)',
      })
      .option('detailed-exitcode', {
        type: 'boolean',
        default: false,
        describe: 'Exit 2 when there are schema changes, 0 when only data refreshes',
      })
      .check(jsonFormatAgree),
  run: async ({ args, out, cwd }) => {
    const { loadConfig } = await import('../../config/load-config.js');
    const { FileLogger } = await import('../../log/file-logger.js');
    const { runPlan } = await import('../../plan/run-plan.js');
    const { writePlanFile } = await import('../../plan/plan-file.js');
    const { hasSchemaChanges, planJson, renderPlanMarkdown, renderPlanText } = await import('../../report/render-plan.js');
    const { createProgress } = await import('../progress.js');
    const { retryPolicy } = await import('../retry-policy.js');
    const config = loadConfig(args.config, process.env, cwd);
    const logger = new FileLogger(config.logsDir, { verbose: args.verbose });
    const format = args.json ? 'json' : (args.format ?? 'text');
    const progress = await createProgress(out);
    let connected = false;
    let plan: Plan;
    try {
      plan = await runPlan(config, {
        retry: retryPolicy(out, logger, () => progress.stop()),
        onStage: (text) => {
          if (text.startsWith('connecting')) progress.start(text);
          else {
            connected = true;
            progress.update(text);
          }
        },
      });
    } catch (error) {
      progress.fail(connected ? 'planning failed' : 'connection failed');
      logger.error(`plan failed: ${error instanceof Error ? error.message : String(error)}`);
      throw error;
    }
    const file = resolve(cwd, args.out);
    writePlanFile(file, plan);
    logger.info(
      `plan ${args.out} written: ${plan.steps.length} steps (${plan.summary.schemaChangeSteps} schema, ${plan.summary.dataSteps} data, ${plan.summary.destructiveSteps} destructive), checksum ${plan.checksum.slice(0, 12)}`,
    );
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
