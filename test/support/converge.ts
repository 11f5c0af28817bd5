import { expect } from 'vitest';
import { runDdlStep } from '../../src/apply/run-ddl-step.js';
import { ProductionSession, SandboxSession } from '../../src/db/session.js';
import { diffSnapshots } from '../../src/diff/diff-snapshots.js';
import type { Change } from '../../src/diff/changes.js';
import { introspectSchema } from '../../src/introspect/introspect-schema.js';
import { buildPlan } from '../../src/plan/build-plan.js';
import type { Plan, PlanSettings } from '../../src/plan/plan-types.js';
import type { Snapshot } from '../../src/snapshot/model.js';
import { parseSnapshot } from '../../src/introspect/parse-snapshot.js';
import { testServers, uniqueName } from './servers.js';

export interface Databases {
  readonly production: string;
  readonly sandbox: string;
}

export async function freshDatabases(prefix: string, charset = 'utf8mb4', collation = 'utf8mb4_general_ci'): Promise<Databases> {
  const { production, sandbox } = testServers();
  const name = uniqueName(prefix);
  await production.createDatabase(name, charset, collation);
  await sandbox.createDatabase(name, charset, collation);
  return { production: name, sandbox: name };
}

export async function snapshotOf(role: 'production' | 'sandbox', database: string, ignore: readonly string[] = []): Promise<Snapshot> {
  const server = testServers()[role];
  const session =
    role === 'production' ? await ProductionSession.open(server.target(database)) : await SandboxSession.open(server.target(database));
  try {
    return parseSnapshot(await introspectSchema(session, { ignore }));
  } finally {
    await session.close();
  }
}

export function planFor(production: Snapshot, sandbox: Snapshot, settings: Partial<PlanSettings> = {}): Plan {
  const { production: p, sandbox: s } = testServers();
  const identity = (port: number, snapshot: Snapshot) => ({
    host: '127.0.0.1',
    port,
    database: snapshot.database,
    flavor: snapshot.flavor,
    version: snapshot.serverVersion,
    serverId: `test:${port}`,
  });
  return buildPlan({
    production,
    sandbox,
    source: identity(p.port, production),
    target: identity(s.port, sandbox),
    settings: { definers: 'current_user', maintain: [], ignore: [], ...settings },
    rowCounts: {},
    replicoopVersion: 'test',
    createdAt: '2026-01-01T00:00:00.000Z',
  });
}

/** Runs every structure and post step of a plan on the sandbox (data steps are the copy engine's). */
export async function applyDdl(plan: Plan, database: string): Promise<string[]> {
  const sandbox = await SandboxSession.open(testServers().sandbox.target(database));
  const warnings: string[] = [];
  try {
    for (const step of plan.steps) {
      if (step.phase === 'data') continue;
      await runDdlStep(sandbox, step, { onWarning: (w) => warnings.push(w) });
    }
  } finally {
    await sandbox.close();
  }
  return warnings;
}

export interface Convergence {
  readonly plan: Plan;
  readonly before: readonly Change[];
  readonly after: readonly Change[];
  readonly warnings: readonly string[];
  readonly productionSnapshot: Snapshot;
}

/**
 * Loads `sandboxSql` into the sandbox and `productionSql` into production, plans, applies the
 * DDL to the sandbox for real, re-introspects and asserts that nothing is left to change.
 */
export async function converge(
  prefix: string,
  sandboxSql: string,
  productionSql: string,
  settings: Partial<PlanSettings> = {},
): Promise<Convergence & Databases> {
  const dbs = await freshDatabases(prefix);
  const { production, sandbox } = testServers();
  if (productionSql.trim()) await production.sql(productionSql, dbs.production);
  if (sandboxSql.trim()) await sandbox.sql(sandboxSql, dbs.sandbox);
  return convergeLoaded(dbs, settings);
}

export async function convergeLoaded(dbs: Databases, settings: Partial<PlanSettings> = {}): Promise<Convergence & Databases> {
  const prod = await snapshotOf('production', dbs.production, settings.ignore ?? []);
  const sand = await snapshotOf('sandbox', dbs.sandbox, settings.ignore ?? []);
  const before = diffSnapshots(sand, prod, { definers: settings.definers ?? 'current_user' });
  const plan = planFor(prod, sand, settings);
  const warnings = await applyDdl(plan, dbs.sandbox);
  const again = await snapshotOf('sandbox', dbs.sandbox, settings.ignore ?? []);
  const after = diffSnapshots(again, prod, { definers: settings.definers ?? 'current_user' });
  expect(after.map((c) => `${c.kind} ${c.name}`)).toEqual([]);
  // The next plan holds no schema change at all.
  expect(
    planFor(prod, again, settings)
      .steps.filter((s) => s.schemaChange)
      .map((s) => s.id),
  ).toEqual([]);
  return { ...dbs, plan, before, after, warnings, productionSnapshot: prod };
}
