import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir, writeConfig } from '../support/cli.js';
import { testServers, uniqueName } from '../support/servers.js';
import { SHOP_MAINTAIN, SHOP_PRODUCTION, SHOP_SANDBOX, databaseState, sides } from '../support/shop.js';

const env = { MASK_SECRET: 'mask-secret-for-tests-0123' };

async function setup(): Promise<{ dir: string; sandboxDb: string }> {
  const { production, sandbox } = testServers();
  const productionDb = uniqueName('reap');
  const sandboxDb = uniqueName('reas');
  await production.createDatabase(productionDb);
  await sandbox.createDatabase(sandboxDb);
  await production.sql(SHOP_PRODUCTION, productionDb);
  await sandbox.sql(SHOP_SANDBOX, sandboxDb);
  const dir = tempDir();
  writeConfig(dir, sides(production.port, sandbox.port, productionDb, sandboxDb), {
    maintain: SHOP_MAINTAIN,
    masking: { secret: '${MASK_SECRET}' },
  });
  const plan = await runCli(['plan', '-q'], { cwd: dir, env });
  expect(plan.code, plan.stderr).toBe(0);
  return { dir, sandboxDb };
}

describe('applying a plan that already finished', () => {
  it('says which run applied it and exits 0 while the sandbox still matches; --force re-runs no DDL whose effect is there', async () => {
    const s = await setup();
    const first = await runCli(['apply', 'plan.json', '--no-validate'], { cwd: s.dir, env });
    expect(first.code, first.stderr).toBe(0);
    const runId = /run (\S+): \d+ steps from plan\.json/.exec(first.stderr)?.[1];
    expect(runId).toBeDefined();
    const after = databaseState(testServers().sandbox.port, s.sandboxDb);

    const again = await runCli(['apply', 'plan.json', '--no-validate'], { cwd: s.dir, env });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(new RegExp(`Nothing to do: this plan was applied by run ${runId} at \\d{4}-\\d\\d-\\d\\dT`));
    expect(databaseState(testServers().sandbox.port, s.sandboxDb)).toEqual(after);

    const forced = await runCli(['apply', 'plan.json', '--force', '--no-validate', '--no-backup'], { cwd: s.dir, env });
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stderr).toMatch(/alter-table-audit: its effect is already in the sandbox \(checked against the plan\), not run again/);
    expect(forced.stderr).not.toMatch(/Duplicate column/);
    const replan = await runCli(['plan', '-q', '--detailed-exitcode', '-o', 'again.json'], { cwd: s.dir, env });
    expect(replan.code, replan.stdout + replan.stderr).toBe(0);
  });

  it('still refuses, naming the run, when the sandbox changed after that run', async () => {
    const s = await setup();
    expect((await runCli(['apply', 'plan.json', '--no-validate'], { cwd: s.dir, env })).code).toBe(0);
    await testServers().sandbox.sql('CREATE TABLE drifted (id INT)', s.sandboxDb);
    const again = await runCli(['apply', 'plan.json', '--no-validate'], { cwd: s.dir, env });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(
      /this plan was applied by run \S+ at \S+, and the sandbox changed since the plan was made \(.*drifted.*\); run replicoop plan again, or apply anyway with --force/,
    );
  });
});

describe('a resumed run', () => {
  it('re-checks the sandbox for drift outside its own steps', async () => {
    const s = await setup();
    const crashed = await runCli(['apply', 'plan.json', '--no-validate'], { cwd: s.dir, env: { ...env, REPLICOOP_FAULT: 'backup' } });
    expect(crashed.signal).toBe('SIGKILL');
    await testServers().sandbox.sql('CREATE TABLE drifted_meanwhile (id INT)', s.sandboxDb);
    const resumed = await runCli(['apply', 'plan.json', '--no-validate'], { cwd: s.dir, env });
    expect(resumed.code).toBe(1);
    expect(resumed.stderr).toMatch(
      /the sandbox changed since run \S+ stopped, outside what its own steps did \(create table drifted_meanwhile\); make a new plan \(replicoop plan\) and apply it with --restart, or resume anyway with --force/,
    );
    // Both ways out work: --force resumes; (a new plan + --restart is the other).
    const forced = await runCli(['apply', 'plan.json', '--no-validate', '--force'], { cwd: s.dir, env });
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stderr).toContain('resuming run');
  });
});

/** A run killed after its first step, then a new plan written over plan.json; returns the way-out commands printed. */
async function replannedOverUnfinishedRun(): Promise<{
  s: { dir: string; sandboxDb: string };
  commands: string[];
  before: ReturnType<typeof databaseState>;
}> {
  const s = await setup();
  const before = databaseState(testServers().sandbox.port, s.sandboxDb);
  const steps = (JSON.parse(readFileSync(`${s.dir}/plan.json`, 'utf8')) as { steps: { id: string }[] }).steps.map((x) => x.id);
  const crashed = await runCli(['apply', 'plan.json', '--no-validate'], {
    cwd: s.dir,
    env: { ...env, REPLICOOP_FAULT: `after:${steps[0]}` },
  });
  expect(crashed.signal).toBe('SIGKILL');
  // The user plans again into the same file: the old plan is gone, so "resume" cannot be offered.
  const replan = await runCli(['plan', '-q'], { cwd: s.dir, env });
  expect(replan.code, replan.stderr).toBe(0);
  const refused = await runCli(['apply', 'plan.json', '--no-validate'], { cwd: s.dir, env });
  expect(refused.code).toBe(1);
  const line = /error: (run \S+ of another plan .*)/.exec(refused.stderr)?.[1] ?? '';
  expect(line).toMatch(/its plan file plan\.json now holds a different plan/);
  expect(line).not.toMatch(/resume it/);
  const commands = [...line.matchAll(/replicoop (apply plan\.json --restart|rollback --run \S+)/g)].map((m) => m[1]!);
  expect(commands).toHaveLength(2);
  return { s, commands, before };
}

describe('ways out after re-planning over an unfinished run', () => {
  it('abandon and apply the new plan (--restart) works in that state', async () => {
    const { s, commands } = await replannedOverUnfinishedRun();
    const restarted = await runCli([...commands[0]!.split(' '), '--no-validate'], { cwd: s.dir, env });
    expect(restarted.code, restarted.stderr).toBe(0);
    const again = await runCli(['plan', '-q', '--detailed-exitcode', '-o', 'again.json'], { cwd: s.dir, env });
    expect(again.code, again.stdout + again.stderr).toBe(0);
  });

  it("restoring the unfinished run's backup works in that state and gives back the sandbox as it was", async () => {
    const { s, commands, before } = await replannedOverUnfinishedRun();
    expect(databaseState(testServers().sandbox.port, s.sandboxDb)).not.toEqual(before);
    const rollback = await runCli(commands[1]!.split(' '), { cwd: s.dir, env });
    expect(rollback.code, rollback.stderr).toBe(0);
    expect(databaseState(testServers().sandbox.port, s.sandboxDb)).toEqual(before);
  });
});

describe('status after a killed run', () => {
  it('shows it as interrupted and offers no rollback when the run has no backup; the resume it offers works', async () => {
    const s = await setup();
    const steps = (JSON.parse(readFileSync(`${s.dir}/plan.json`, 'utf8')) as { steps: { id: string }[] }).steps.map((x) => x.id);
    const crashed = await runCli(['apply', 'plan.json', '--no-validate', '--no-backup'], {
      cwd: s.dir,
      env: { ...env, REPLICOOP_FAULT: `after:${steps[0]}` },
    });
    expect(crashed.signal).toBe('SIGKILL');
    const status = await runCli(['status'], { cwd: s.dir, env });
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/interrupted \(or still running\)/);
    expect(status.stdout).not.toMatch(/rollback \(restore/);
    const next = /Next: (.*)/.exec(status.stdout)?.[1] ?? '';
    expect(next).toBe(
      'replicoop apply plan.json (resume), or replicoop plan -o next.json, then replicoop apply next.json --restart (a new plan of what still differs; this run has no backup to roll back to)',
    );
    const resumed = await runCli(['apply', 'plan.json', '--no-validate', '--no-backup'], { cwd: s.dir, env });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain('resuming run');
  });
});
