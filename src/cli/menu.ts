import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { confirm, select } from '@inquirer/prompts';
import yargs from 'yargs';
import { describeTarget } from '../config/connection-target.js';
import { loadConfig } from '../config/load-config.js';
import { asReplicoopError } from '../errors.js';
import { packageRoot } from '../package-info.js';
import { readPlanFile } from '../plan/plan-file.js';
import type { Plan } from '../plan/plan-types.js';
import { renderPlanText } from '../report/render-plan.js';
import { ExitCode } from './exit-codes.js';
import { Output, colorWanted } from './output.js';
import { page } from './pager.js';

/** Where `replicoop plan` writes by default, and so where the menu looks for the last plan. */
const PLAN_FILE = 'plan.json';

/** Runs one command line and returns its exit code: run-cli's dispatcher, passed in so the menu never imports it. */
export type Dispatch = (argv: readonly string[], cwd: string) => Promise<number>;

type Action = 'plan' | 'show' | 'apply' | 'validate' | 'rollback' | 'status' | 'config' | 'quit';

interface ConfigCheck {
  /** One line when the config is valid, else null. */
  readonly summary: string | null;
  /** The loader's own lines ("file: /pointer: what is wrong"), empty when valid. */
  readonly problems: readonly string[];
}

interface MenuGlobals {
  readonly config: string;
  readonly color: boolean;
  readonly verbose: boolean;
}

/**
 * `replicoop` on a terminal with no command. Every item runs the same code as its command
 * (runCli with the user's global options), so the menu can never drift from the CLI; only apply
 * and rollback ask first here, because a human is there to answer.
 */
export async function runMenu(argv: readonly string[], cwd: string, run: Dispatch): Promise<number> {
  const globals = parseGlobals(argv);
  const out = new Output({ color: colorWanted(globals.color), quiet: false, verbose: globals.verbose, json: false });
  const p = out.paint;
  out.info(p.bold('replicoop') + p.dim(' — refresh a sandbox database from production'));

  let check: ConfigCheck | null = null;
  let next: Action = 'plan';
  for (;;) {
    // Checked before every choice: the file may have been edited in another window meanwhile.
    // Shown at the start, after "Edit / check config", and whenever the outcome changed.
    const fresh = checkConfig(globals.config, cwd);
    if (check === null || next === 'config' || !sameCheck(fresh, check)) showConfigCheck(out, fresh);
    check = fresh;

    let action: Action;
    try {
      action = await select<Action>({
        message: 'What next?',
        choices: menuChoices(check, existsSync(resolve(cwd, PLAN_FILE))),
        default: next === 'config' && check.summary !== null ? 'plan' : next,
        pageSize: 8,
        loop: false,
        theme: { indexMode: 'number' },
      });
    } catch (error) {
      // Ctrl-C or a closed terminal at the menu is a way of quitting, not a failure.
      if (isPromptClosed(error)) return ExitCode.ok;
      throw error;
    }
    if (action === 'quit') return ExitCode.ok;
    next = await perform(action, argv, cwd, out, globals, run);
  }
}

function parseGlobals(argv: readonly string[]): MenuGlobals {
  // Same option names and defaults as run-cli.ts; anything else is passed through untouched.
  const parsed = yargs([...argv])
    .option('config', { alias: 'c', type: 'string', default: 'replicoop.yaml' })
    .option('color', { type: 'boolean', default: true })
    .option('verbose', { alias: 'v', type: 'boolean', default: false })
    .help(false)
    .version(false)
    .exitProcess(false)
    .parseSync();
  return { config: parsed.config, color: parsed.color, verbose: parsed.verbose };
}

function checkConfig(file: string, cwd: string): ConfigCheck {
  try {
    const config = loadConfig(file, process.env, cwd);
    const maintained = config.maintain.length;
    return {
      summary: `${config.displayFile}: production ${describeTarget(config.production)} -> sandbox ${describeTarget(config.sandbox)}, ${maintained} maintained table${maintained === 1 ? '' : 's'}`,
      problems: [],
    };
  } catch (error) {
    return { summary: null, problems: asReplicoopError(error).message.split('\n') };
  }
}

function sameCheck(a: ConfigCheck, b: ConfigCheck): boolean {
  return a.summary === b.summary && a.problems.join('\n') === b.problems.join('\n');
}

function showConfigCheck(out: Output, check: ConfigCheck): void {
  const p = out.paint;
  if (check.summary !== null) {
    out.info(`${p.green('config ok')} ${check.summary}`);
    return;
  }
  for (const line of check.problems) out.error(line);
  out.info(p.yellow('Fix the config (choose "Edit / check config"); the commands that need it are disabled until then.'));
}

function menuChoices(check: ConfigCheck, planExists: boolean) {
  const needsConfig = check.summary === null ? '(fix the config first)' : false;
  const needsPlan = planExists ? false : `(no ${PLAN_FILE} yet: run Plan)`;
  return [
    { value: 'plan' as const, name: 'Plan', description: `Snapshot both schemas, diff them and write ${PLAN_FILE}`, disabled: needsConfig },
    {
      value: 'show' as const,
      name: 'Show last plan',
      description: `Show ${PLAN_FILE} again ($PAGER or a built-in pager)`,
      disabled: needsPlan,
    },
    {
      value: 'apply' as const,
      name: 'Apply',
      description: `Back up the sandbox and run ${PLAN_FILE} (asks first)`,
      disabled: needsConfig || needsPlan,
    },
    { value: 'validate' as const, name: 'Validate', description: 'Prove the sandbox matches production', disabled: needsConfig },
    {
      value: 'rollback' as const,
      name: 'Rollback',
      description: 'Restore the sandbox from the backup of the latest run (asks first)',
      disabled: needsConfig,
    },
    {
      value: 'status' as const,
      name: 'Status',
      description: 'List runs, their steps, checkpoints and what to do next',
      disabled: needsConfig,
    },
    { value: 'config' as const, name: 'Edit / check config', description: 'Open the config in $EDITOR, then check it again' },
    { value: 'quit' as const, name: 'Quit', description: 'Leave the menu' },
  ];
}

/** Runs one item and returns the item to highlight next (the usual next step of the workflow). */
async function perform(
  action: Exclude<Action, 'quit'>,
  argv: readonly string[],
  cwd: string,
  out: Output,
  globals: MenuGlobals,
  run: Dispatch,
): Promise<Action> {
  const command = async (args: readonly string[]): Promise<number> => {
    out.info(out.paint.dim(`$ replicoop ${args.join(' ')}`));
    const code = await run([...args, ...argv], cwd);
    out.info(code === ExitCode.ok ? out.paint.green(`✔ ${args[0]} finished`) : out.paint.red(`✖ ${args[0]} exited with code ${code}`));
    return code;
  };
  switch (action) {
    case 'plan':
      return (await command(['plan'])) === ExitCode.ok ? 'apply' : 'plan';
    case 'show': {
      const plan = readPlan(cwd, out);
      if (plan) await page(renderPlanText(plan, out.paint), out);
      return plan ? 'apply' : 'plan';
    }
    case 'apply': {
      const plan = readPlan(cwd, out);
      if (!plan) return 'plan';
      const destructive = plan.summary.destructiveSteps;
      out.info(
        `${PLAN_FILE}: ${plan.steps.length} steps${destructive > 0 ? out.paint.red(`, ${destructive} destructive`) : ''}, made ${plan.createdAt} for sandbox ${plan.target.host}:${plan.target.port}/${plan.target.database}`,
      );
      const go = await ask(`Back up the sandbox and apply ${PLAN_FILE} now?`);
      if (!go) {
        out.info('Not applied.');
        return 'show';
      }
      return (await command(['apply', PLAN_FILE])) === ExitCode.ok ? 'validate' : 'status';
    }
    case 'validate':
      return (await command(['validate'])) === ExitCode.ok ? 'quit' : 'status';
    case 'rollback': {
      const go = await ask('Restore the sandbox from the backup of the latest run? Changes made since that run started are lost.');
      if (!go) {
        out.info('Not rolled back.');
        return 'status';
      }
      await command(['rollback']);
      return 'status';
    }
    case 'status':
      await command(['status']);
      return 'plan';
    case 'config':
      await editConfig(globals.config, cwd, out);
      // The loop shows the re-check and highlights Plan once the config is valid, else this item again.
      return 'config';
  }
}

function readPlan(cwd: string, out: Output): Plan | null {
  try {
    return readPlanFile(resolve(cwd, PLAN_FILE), PLAN_FILE);
  } catch (error) {
    for (const line of asReplicoopError(error).message.split('\n')) out.error(line);
    return null;
  }
}

/** A yes/no question; Ctrl-C answers "no" rather than leaving the menu mid-way. */
async function ask(message: string): Promise<boolean> {
  try {
    return await confirm({ message, default: false });
  } catch (error) {
    if (isPromptClosed(error)) return false;
    throw error;
  }
}

async function editConfig(file: string, cwd: string, out: Output): Promise<void> {
  const path = resolve(cwd, file);
  if (!existsSync(path)) {
    const example = resolve(packageRoot, 'replicoop.yaml.example');
    // Asked only of a person at a terminal; nothing ever waits for input that cannot come.
    const create =
      process.stdin.isTTY && existsSync(example) && (await ask(`${file} does not exist. Create it from replicoop.yaml.example?`));
    if (!create) {
      out.info(`No config file at ${path}. Start from the example: cp ${example} ${file}`);
      return;
    }
    copyFileSync(example, path);
    out.info(`Created ${path} from replicoop.yaml.example: fill in production and sandbox.`);
  }
  const editor = process.env.VISUAL || process.env.EDITOR;
  if (!editor) {
    out.info(`Config file: ${path}`);
    out.info('Set $EDITOR to edit it from here, or edit it in another window; it is checked again below and before every choice.');
    return;
  }
  // Through the shell, as git does: $EDITOR may carry arguments ("code --wait"); the path goes in
  // as $1 so no quoting of it is needed.
  const result = spawnSync('sh', ['-c', `${editor} "$1"`, 'sh', path], { stdio: 'inherit' });
  if (result.error) out.warn(`could not start the editor "${editor}": ${result.error.message}`);
  else if (result.status !== 0) out.warn(`the editor "${editor}" exited with code ${result.status ?? result.signal}`);
}

function isPromptClosed(error: unknown): boolean {
  return error instanceof Error && (error.name === 'ExitPromptError' || error.name === 'AbortPromptError');
}
