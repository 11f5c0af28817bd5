import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/package-info.js';
import { CLI, runCli, tempDir, writeConfig } from '../support/cli.js';
import { testServers, uniqueName } from '../support/servers.js';
import { SHOP_PRODUCTION, SHOP_SANDBOX, sides } from '../support/shop.js';

const TOTAL = 340_000;

/** A copy of 340,000 rows in chunks of 2,000: long enough to be interrupted in the middle. */
async function bigCopy(): Promise<{ dir: string; productionDb: string; sandboxDb: string }> {
  const { production, sandbox } = testServers();
  const productionDb = uniqueName('intp');
  const sandboxDb = uniqueName('ints');
  await production.createDatabase(productionDb);
  await sandbox.createDatabase(sandboxDb);
  await production.sql(
    `${SHOP_PRODUCTION}\nINSERT INTO events SELECT seq, seq % 17, NULL, '2025-01-01' FROM seq_60001_to_400000`,
    productionDb,
  );
  await sandbox.sql(SHOP_SANDBOX, sandboxDb);
  const dir = tempDir();
  writeConfig(dir, sides(production.port, sandbox.port, productionDb, sandboxDb), {
    maintain: ['events'],
    copy: { chunkRows: 2000, concurrency: 1, method: 'insert' },
  });
  expect((await runCli(['plan', '-q'], { cwd: dir })).code).toBe(0);
  return { dir, productionDb, sandboxDb };
}

async function rowsCopied(dir: string): Promise<number> {
  const { default: Database } = await import('better-sqlite3');
  try {
    const state = new Database(join(dir, '.replicoop', 'state.db'), { readonly: true });
    const row = state.prepare("SELECT MAX(rows_done) AS n FROM steps WHERE kind = 'copy_table'").get() as { n: number | null };
    state.close();
    return row.n ?? 0;
  } catch {
    return 0;
  }
}

async function waitForRows(dir: string, rows: number): Promise<void> {
  for (let i = 0; i < 1800 && (await rowsCopied(dir)) < rows; i++) await new Promise((r) => setTimeout(r, 50));
}

async function runState(dir: string): Promise<{ run: string; step: string; rows: number }> {
  const { default: Database } = await import('better-sqlite3');
  const state = new Database(join(dir, '.replicoop', 'state.db'), { readonly: true });
  const step = state.prepare("SELECT status, rows_done AS n FROM steps WHERE kind = 'copy_table'").get() as { status: string; n: number };
  const run = state.prepare('SELECT status FROM runs').get() as { status: string };
  state.close();
  return { run: run.status, step: step.status, rows: step.n };
}

async function expectResumeConverges(dir: string, productionDb: string, sandboxDb: string): Promise<void> {
  const { production, sandbox } = testServers();
  const resumed = await runCli(['apply', 'plan.json'], { cwd: dir });
  expect(resumed.code, resumed.stderr).toBe(0);
  expect(resumed.stderr).toContain('resuming run');
  const [prodSum] = await production.sql<{ Checksum: string }[]>('CHECKSUM TABLE events EXTENDED', productionDb);
  const [sandSum] = await sandbox.sql<{ Checksum: string }[]>('CHECKSUM TABLE events EXTENDED', sandboxDb);
  expect(sandSum!.Checksum).toBe(prodSum!.Checksum);
  const replan = await runCli(['plan', '-q', '--detailed-exitcode', '-o', 'again.json'], { cwd: dir });
  expect(replan.code).toBe(0);
}

describe('stopping an apply', () => {
  it('Ctrl-C on a terminal (spinner running) stops at a chunk boundary, exits 130, and the run resumes to convergence', async () => {
    const { dir, productionDb, sandboxDb } = await bigCopy();
    const flag = join(dir, 'send-ctrl-c');
    const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm' };
    delete env.CI;
    delete env.NO_COLOR;
    const child = spawn(
      'python3',
      [join(packageRoot, 'test', 'support', 'pty-run.py'), flag, '120', process.execPath, CLI, 'apply', 'plan.json', '--no-validate'],
      {
        cwd: dir,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<void>((r) => child.once('close', () => r()));
    await waitForRows(dir, 20_000);
    writeFileSync(flag, '');
    await exited;
    expect(output).toMatch(/EXIT 130 SENT 1/);
    expect(output).toContain('SIGINT: stopping at the next safe point');
    expect(output).toMatch(/apply interrupted: run \S+ stopped at a safe point/);
    expect(output).toContain('Resume with "replicoop apply');
    const state = await runState(dir);
    expect(state.run).toBe('failed');
    expect(state.step).toBe('failed');
    expect(state.rows).toBeGreaterThanOrEqual(20_000);
    expect(state.rows).toBeLessThan(TOTAL);
    await expectResumeConverges(dir, productionDb, sandboxDb);
  });

  it('SIGTERM without a terminal does the same', async () => {
    const { dir, productionDb, sandboxDb } = await bigCopy();
    const child = spawn(process.execPath, [CLI, 'apply', 'plan.json', '--no-validate'], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: '1', CI: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => child.once('close', (code) => r(code)));
    await waitForRows(dir, 20_000);
    child.kill('SIGTERM');
    expect(await exited).toBe(130);
    expect(stderr).toContain('SIGTERM: stopping at the next safe point');
    expect(stderr).toMatch(/apply interrupted: run \S+ stopped at a safe point/);
    const state = await runState(dir);
    expect(state.run).toBe('failed');
    expect(state.rows).toBeLessThan(TOTAL);
    await expectResumeConverges(dir, productionDb, sandboxDb);
  });
});
