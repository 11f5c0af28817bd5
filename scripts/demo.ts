/**
 * `npm run demo`: the whole job on an embedded "shop" database, end to end, on this machine alone.
 * Two throwaway MariaDB servers play production and sandbox; the real CLI runs as a child process
 * (plan, apply, validate), so what the demo shows is exactly what a user gets. Whatever happens
 * (a failed step, an error, Ctrl-C, SIGTERM), both servers are stopped and every temp dir removed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { findServerBinary, LocalServer } from '../dev/local-server.js';
import { packageRoot } from '../src/package-info.js';
import { palette } from '../src/report/palette.js';
import { DEMO_CONFIG, PRODUCTION_DATABASE, PRODUCTION_SQL, SANDBOX_DATABASE, SANDBOX_SQL } from './demo/shop.js';

const CLI = join(packageRoot, 'dist', 'src', 'cli', 'main.js');
const SECRET_VARIABLE = 'REPLICOOP_DEMO_MASK_SECRET';
const STEPS = 6;

const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
const paint = palette(color);

function say(text = ''): void {
  process.stdout.write(`${text}\n`);
}

function heading(step: number | null, title: string, explanation?: string): void {
  say();
  say(paint.bold(paint.cyan(`${step === null ? '==>' : `[${step}/${STEPS}]`} ${title}`)));
  if (explanation) say(paint.dim(explanation));
}

class Interrupted extends Error {
  /** Set when the CLI child was the one killed by the signal (a terminal's Ctrl-C reaches both). */
  readonly signal: NodeJS.Signals | null;

  constructor(signal: NodeJS.Signals | null = null) {
    super(signal ?? 'interrupted');
    this.signal = signal;
  }
}

/** Everything the demo starts or creates, so that one cleanup can undo it from any point. */
class DemoResources {
  readonly #starting: Promise<LocalServer>[] = [];
  readonly #dirs: string[] = [];
  #child: ChildProcess | null = null;
  #cleanup: Promise<string[]> | null = null;
  stopping = false;

  /** True until the first server start or temp dir: then there is nothing to clean up. */
  get empty(): boolean {
    return this.#starting.length === 0 && this.#dirs.length === 0;
  }

  startServer(name: string): Promise<LocalServer> {
    if (this.stopping) return Promise.reject(new Interrupted());
    const start = LocalServer.start({ name });
    // Kept even while still starting: an interrupt during start-up must still stop and remove it.
    this.#starting.push(start);
    return start;
  }

  tempDir(prefix: string): string {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    this.#dirs.push(dir);
    return dir;
  }

  /** Runs the real CLI with the demo's terminal, so spinners, colours and output are the user's own. */
  runCli(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<number> {
    if (this.stopping) return Promise.reject(new Interrupted());
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [CLI, ...args], { cwd, env, stdio: 'inherit' });
      this.#child = child;
      child.once('error', reject);
      child.once('exit', (code, signal) => {
        this.#child = null;
        // A CLI killed by a signal was interrupted, not failed: stop quietly, whoever got it first.
        if (this.stopping || signal) reject(new Interrupted(signal));
        else resolve(code ?? 1);
      });
    });
  }

  /** Passes a signal on to the running CLI (a terminal's Ctrl-C reaches it anyway; kill(1) does not). */
  interrupt(signal: NodeJS.Signals): void {
    this.stopping = true;
    this.#child?.kill(signal);
  }

  /** Idempotent: the CLI child ends first (it holds connections), then the servers, then the dirs. */
  cleanup(): Promise<string[]> {
    this.#cleanup ??= (async () => {
      this.stopping = true;
      const child = this.#child;
      if (child && child.exitCode === null && child.signalCode === null) {
        await new Promise<void>((resolve) => {
          const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
          child.once('exit', () => {
            clearTimeout(force);
            resolve();
          });
          child.kill('SIGTERM');
        });
      }
      const removed: string[] = [];
      const started = await Promise.allSettled(this.#starting);
      await Promise.all(
        started.map(async (result) => {
          if (result.status !== 'fulfilled') return;
          await result.value.destroy();
          removed.push(result.value.dir);
        }),
      );
      for (const dir of this.#dirs) {
        rmSync(dir, { recursive: true, force: true });
        removed.push(dir);
      }
      return removed;
    })();
    return this.#cleanup;
  }
}

const resources = new DemoResources();
let receivedSignal: NodeJS.Signals | null = null;

async function demo(): Promise<number> {
  say(paint.bold('replicoop demo: refresh a sandbox "shop" database from production, end to end.'));
  say(paint.dim('Everything runs on this machine, in temp dirs that are removed at the end.'));
  // Fails fast with the one-line install hint before anything is created.
  findServerBinary();

  heading(
    1,
    'Starting two throwaway MariaDB servers',
    'Private mariadbd processes on free ports: one plays production, the other the sandbox.',
  );
  const [production, sandbox] = await Promise.all([resources.startServer('demo-production'), resources.startServer('demo-sandbox')]);
  say(`  production  127.0.0.1:${production.port}  (${production.dir})`);
  say(`  sandbox     127.0.0.1:${sandbox.port}  (${sandbox.dir})`);

  heading(2, 'Loading the databases', 'Production has the current release; the sandbox is an older copy that drifted.');
  await Promise.all([
    production.sql(
      `CREATE DATABASE ${PRODUCTION_DATABASE} CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci; USE ${PRODUCTION_DATABASE}; ${PRODUCTION_SQL}`,
    ),
    sandbox.sql(
      `CREATE DATABASE ${SANDBOX_DATABASE} CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci; USE ${SANDBOX_DATABASE}; ${SANDBOX_SQL}`,
    ),
  ]);
  const counts = (await production.sql(
    'SELECT (SELECT COUNT(*) FROM customers) AS customers, (SELECT COUNT(*) FROM customers WHERE deleted_at IS NOT NULL) AS closed, (SELECT COUNT(*) FROM products) AS products, (SELECT COUNT(*) FROM orders) AS orders, (SELECT COUNT(*) FROM order_items) AS items',
    PRODUCTION_DATABASE,
  )) as Record<string, string | number>[];
  const n = (key: string): string => Number(counts[0]?.[key] ?? 0).toLocaleString('en-US');
  say(
    `  production \`${PRODUCTION_DATABASE}\`: ${n('customers')} customers (${n('closed')} closed accounts), ${n('products')} products, ${n('orders')} orders, ${n('items')} order lines;`,
  );
  say('    foreign keys, a view (order_totals) and a trigger (orders_after_insert)');
  say(`  sandbox \`${SANDBOX_DATABASE}\`: last release's schema (missing columns, narrower types, an old view, no trigger,`);
  say('    a leftover legacy_coupons table) and stale test rows');

  const work = resources.tempDir('replicoop-demo-');
  const configText = DEMO_CONFIG(production, sandbox);
  writeFileSync(join(work, 'replicoop.yaml'), configText);
  heading(
    3,
    `Writing the config: ${join(work, 'replicoop.yaml')}`,
    'Maintained tables get production rows (customers filtered and masked); the others only its structure.',
  );
  say(paint.dim(configText.trimEnd().replace(/^/gm, '  | ')));

  const env: NodeJS.ProcessEnv = { ...process.env, [SECRET_VARIABLE]: 'demo-only-masking-secret-7f3a' };
  const step = async (number: number, args: readonly string[], title: string, explanation: string): Promise<boolean> => {
    heading(number, title, explanation);
    say(paint.bold(`$ replicoop ${args.join(' ')}`));
    const code = await resources.runCli(args, work, env);
    if (code !== 0) say(paint.red(`✖ replicoop ${args[0]} failed (exit ${code})`));
    return code === 0;
  };

  if (
    !(await step(
      4,
      ['plan'],
      'replicoop plan: snapshot both schemas, diff them, write plan.json',
      'Nothing changes yet: the plan shows every difference as a unified diff with the SQL that fixes it.',
    ))
  )
    return 1;
  if (
    !(await step(
      5,
      ['apply', 'plan.json'],
      'replicoop apply plan.json: back up the sandbox, then run the plan step by step',
      'Each step is checkpointed (a rerun resumes); maintained tables are copied in chunks, customers masked on the way.',
    ))
  ) {
    return 1;
  }
  await showMasking(production, sandbox);
  if (
    !(await step(
      6,
      ['validate'],
      'replicoop validate: prove the sandbox now matches production',
      'Structure identical, maintained data equal (after the filter and masks).',
    ))
  )
    return 1;
  return 0;
}

/** Three customers side by side: what masking did to the personal columns. */
async function showMasking(production: LocalServer, sandbox: LocalServer): Promise<void> {
  const query = 'SELECT id, email, name, phone FROM customers WHERE id IN (1, 2, 3) ORDER BY id';
  const before = (await production.sql(query, PRODUCTION_DATABASE)) as Record<string, unknown>[];
  const after = (await sandbox.sql(query, SANDBOX_DATABASE)) as Record<string, unknown>[];
  say();
  say(paint.dim('  Masking, three customers in production -> in the sandbox:'));
  for (const row of before) {
    const masked = after.find((r) => String(r.id) === String(row.id));
    say(`  #${String(row.id)}  ${String(row.email).padEnd(38)} ${String(row.name).padEnd(18)} ${String(row.phone ?? 'NULL')}`);
    say(
      paint.green(
        `   -> ${String(masked?.email ?? '(missing)').padEnd(38)} ${String(masked?.name ?? '').padEnd(18)} ${String(masked?.phone ?? 'NULL')}`,
      ),
    );
  }
}

/** Cleanup, one summary line, and the exit code; runs once whichever way the demo ends. */
let finishing = false;
async function finish(code: number): Promise<never> {
  if (!finishing) {
    finishing = true;
    if (!resources.empty) heading(null, 'Cleaning up: stopping both servers and removing the temp dirs');
    try {
      const removed = await resources.cleanup();
      for (const dir of removed) say(paint.dim(`  removed ${dir}`));
    } catch (error) {
      say(paint.red(`  cleanup failed: ${(error as Error).message}`));
      code = code || 1;
    }
    const exitCode = receivedSignal ? 128 + (constants.signals[receivedSignal] ?? 0) : code;
    say();
    say(
      exitCode === 0
        ? paint.green(paint.bold('Demo finished: plan, apply and validate all succeeded.'))
        : paint.red(paint.bold(`Demo stopped (exit ${exitCode}).`)),
    );
    process.exit(exitCode);
  }
  // A second caller (signal during cleanup) waits for the first one's exit.
  return new Promise<never>(() => undefined);
}

let signalsHandled = 0;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    signalsHandled += 1;
    if (signalsHandled > 1) {
      // A second Ctrl-C means "now": the LocalServer exit hook still SIGKILLs the servers.
      process.stderr.write(`\n${signal} again: exiting without waiting; temp dirs may remain\n`);
      process.exit(128 + (constants.signals[signal] ?? 0));
    }
    receivedSignal ??= signal;
    process.stderr.write(`\n${signal}: stopping the demo\n`);
    resources.interrupt(signal);
    void finish(1);
  });
}

let exitCode = 1;
try {
  exitCode = await demo();
} catch (error) {
  if (error instanceof Interrupted) receivedSignal ??= error.signal;
  else if (!receivedSignal) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`${paint.red('error:')} ${message.split('\n')[0]}\n`);
  }
}
await finish(exitCode);
