import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir, writeConfig } from '../support/cli.js';
import { testServers, uniqueName } from '../support/servers.js';
import { SHOP_MAINTAIN, SHOP_PRODUCTION, SHOP_SANDBOX, databaseState, sides } from '../support/shop.js';

// Every way out `replicoop status` prints for an unfinished run is executed here, in the state it
// was printed for, and must work (issue 18: "every printed way out must be a command that works").

const env = { MASK_SECRET: 'mask-secret-for-tests-0123' };

interface Project {
  readonly dir: string;
  readonly productionDb: string;
  readonly sandboxDb: string;
  readonly steps: readonly { readonly id: string; readonly kind: string; readonly object: string }[];
}

async function setup(): Promise<Project> {
  const { production, sandbox } = testServers();
  const productionDb = uniqueName('swp');
  const sandboxDb = uniqueName('sws');
  await production.createDatabase(productionDb);
  await sandbox.createDatabase(sandboxDb);
  await production.sql(SHOP_PRODUCTION, productionDb);
  await sandbox.sql(SHOP_SANDBOX, sandboxDb);
  const dir = tempDir('replicoop-ways-');
  writeConfig(dir, sides(production.port, sandbox.port, productionDb, sandboxDb), {
    maintain: SHOP_MAINTAIN,
    masking: { secret: '${MASK_SECRET}' },
  });
  const plan = await runCli(['plan', '-q'], { cwd: dir, env });
  expect(plan.code, plan.stderr).toBe(0);
  const steps = (JSON.parse(readFileSync(join(dir, 'plan.json'), 'utf8')) as { steps: Project['steps'] }).steps;
  return { dir, productionDb, sandboxDb, steps };
}

/** The ways out on status's "Next:" line, each as the commands to run one after the other. */
async function waysOut(p: Project): Promise<{ line: string; ways: string[][][] }> {
  const status = await runCli(['status'], { cwd: p.dir, env });
  expect(status.code, status.stderr).toBe(0);
  const line = /^Next: (.*)$/m.exec(status.stdout)?.[1] ?? '';
  const ways = line.split(', or ').map((way) =>
    way
      .replace(/ \([^)]*\)/g, '')
      .split(', then ')
      .map((command) => {
        expect(command).toMatch(/^replicoop /);
        return command.slice('replicoop '.length).split(' ');
      }),
  );
  return { line, ways };
}

async function runWay(p: Project, way: string[][]): Promise<void> {
  for (const args of way) {
    const result = await runCli(args, { cwd: p.dir, env });
    expect(result.code, `replicoop ${args.join(' ')}: ${result.stderr}`).toBe(0);
  }
}

/** After a way out that applies: the sandbox matches production (a new plan has no schema change). */
async function assertConverged(p: Project): Promise<void> {
  const again = await runCli(['plan', '-q', '--detailed-exitcode', '-o', 'again.json'], { cwd: p.dir, env });
  expect(again.code, again.stdout + again.stderr).toBe(0);
  const validate = await runCli(['validate'], { cwd: p.dir, env });
  expect(validate.code, validate.stdout + validate.stderr).toBe(0);
}

// Rows of each maintain table production changes while the apply copies the others.
const PRODUCTION_EDITS: Record<string, string> = {
  countries: "UPDATE countries SET name = 'Brasil' WHERE code = 'BR'",
  customers: "UPDATE customers SET name = 'changed meanwhile' WHERE id = 1",
  orders: 'UPDATE orders SET amount = amount + 1 WHERE id = 1',
  events: 'UPDATE events SET kind = kind + 100 WHERE id = 1',
};

/** A run whose validation failed: production changed a table after its copy, before the validation. */
async function failedValidation(): Promise<{ p: Project; runId: string; before: ReturnType<typeof databaseState> }> {
  const p = await setup();
  const before = databaseState(testServers().sandbox.port, p.sandboxDb);
  const firstCopy = p.steps.find((s) => s.kind === 'copy_table')!;
  let edit: Promise<unknown> | null = null;
  // --full: every table is copied whole and checksummed by the validation (a delta copy's own proof is not redone).
  const applied = await runCli(['apply', 'plan.json', '--full'], {
    cwd: p.dir,
    env,
    onStderr: (soFar) => {
      // The other tables' copies (80,000 rows) still run: the edit lands long before the validation reads this table.
      if (edit === null && soFar.includes(`✓ ${firstCopy.id}`))
        edit = testServers().production.sql(PRODUCTION_EDITS[firstCopy.object]!, p.productionDb);
    },
  });
  expect(edit).not.toBeNull();
  await edit;
  expect(applied.code, applied.stderr).toBe(1);
  expect(applied.stderr).toContain('validation failed');
  const runId = /run (\S+): \d+ steps from plan\.json/.exec(applied.stderr)?.[1] ?? '';
  expect(runId).not.toBe('');
  return { p, runId, before };
}

describe('status after a failed validation (every step done)', () => {
  it('offers no resume (it only fails again); its rollback works and gives back the sandbox as it was', async () => {
    const { p, runId, before } = await failedValidation();
    const { line, ways } = await waysOut(p);
    expect(line).not.toContain('(resume)');
    expect(ways).toEqual([
      [['rollback', '--run', runId]],
      [
        ['plan', '-o', 'next.json'],
        ['apply', 'next.json', '--restart'],
      ],
    ]);
    // What status used to offer is a dead end: the resume validates again and fails the same way.
    const resumed = await runCli(['apply', 'plan.json', '--full'], { cwd: p.dir, env });
    expect(resumed.code).toBe(1);
    expect(resumed.stderr).toContain('validation failed');
    expect((await waysOut(p)).ways).toEqual(ways);

    await runWay(p, ways[0]!);
    expect(databaseState(testServers().sandbox.port, p.sandboxDb)).toEqual(before);
  });

  it('its new plan applied with --restart works and converges', async () => {
    const { p } = await failedValidation();
    const { ways } = await waysOut(p);
    expect(ways[1]).toEqual([
      ['plan', '-o', 'next.json'],
      ['apply', 'next.json', '--restart'],
    ]);
    await runWay(p, ways[1]!);
    await assertConverged(p);
  });
});

/** A run killed after its first step, then a new plan written over plan.json. */
async function replannedOverKilledRun(): Promise<{ p: Project; runId: string; before: ReturnType<typeof databaseState> }> {
  const p = await setup();
  const before = databaseState(testServers().sandbox.port, p.sandboxDb);
  const crashed = await runCli(['apply', 'plan.json', '--no-validate'], {
    cwd: p.dir,
    env: { ...env, REPLICOOP_FAULT: `after:${p.steps[0]!.id}` },
  });
  expect(crashed.signal).toBe('SIGKILL');
  const runId = /run (\S+): \d+ steps from plan\.json/.exec(crashed.stderr)?.[1] ?? '';
  expect(runId).not.toBe('');
  const replan = await runCli(['plan', '-q'], { cwd: p.dir, env });
  expect(replan.code, replan.stderr).toBe(0);
  return { p, runId, before };
}

describe('status after the plan file was overwritten by another plan', () => {
  it('offers no `apply plan.json` resume (refused as another plan); its rollback works', async () => {
    const { p, runId, before } = await replannedOverKilledRun();
    const { line, ways } = await waysOut(p);
    expect(line).not.toContain('(resume)');
    expect(ways).toEqual([[['rollback', '--run', runId]], [['apply', 'plan.json', '--restart']]]);
    // What status used to offer is refused in this state.
    const resumed = await runCli(['apply', 'plan.json'], { cwd: p.dir, env });
    expect(resumed.code).toBe(1);
    expect(resumed.stderr).toContain(`run ${runId} of another plan`);

    await runWay(p, ways[0]!);
    expect(databaseState(testServers().sandbox.port, p.sandboxDb)).toEqual(before);
  });

  it('applying the newer plan in the file with --restart works and converges', async () => {
    const { p } = await replannedOverKilledRun();
    const { ways } = await waysOut(p);
    expect(ways[1]).toEqual([['apply', 'plan.json', '--restart']]);
    await runWay(p, ways[1]!);
    await assertConverged(p);
  });
});

describe('status after a killed run without a backup', () => {
  it('offers the resume and a new plan with --restart (not its own plan, which is stale); the new plan works', async () => {
    const p = await setup();
    const crashed = await runCli(['apply', 'plan.json', '--no-validate', '--no-backup'], {
      cwd: p.dir,
      env: { ...env, REPLICOOP_FAULT: `after:${p.steps[0]!.id}` },
    });
    expect(crashed.signal).toBe('SIGKILL');
    const { ways } = await waysOut(p);
    expect(ways).toEqual([
      [['apply', 'plan.json']],
      [
        ['plan', '-o', 'next.json'],
        ['apply', 'next.json', '--restart'],
      ],
    ]);
    // What status used to offer besides the resume: the run's own plan again with --restart is refused as stale.
    const ownPlan = await runCli(['apply', 'plan.json', '--restart'], { cwd: p.dir, env });
    expect(ownPlan.code).toBe(1);
    expect(ownPlan.stderr).toContain('the sandbox changed since the plan was made');

    await runWay(p, ways[1]!);
    await assertConverged(p);
  });
});
