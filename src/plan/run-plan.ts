/**
 * The `plan` use case: read both sides, check `maintain` against production, count the rows to
 * copy, and build the plan. The CLI command, the benchmark and the tests all plan through here,
 * so what they time and test is what users plan. Writes nothing: the caller saves the file.
 * What the config contributes to the plan is the pure half, plan-input.ts.
 */
import type { ResolvedConfig } from '../config/types.js';
import { closeAll, openProductionPool, openSandboxPool, openSessions } from '../db/open-sessions.js';
import { assertSandboxPrivileges } from './sandbox-grants.js';
import { checkMaintain } from '../introspect/check-maintain.js';
import { checkMaintainPrivileges } from '../introspect/check-maintain-privileges.js';
import { readPrivileges } from '../introspect/read-privileges.js';
import { countMaintainRows } from '../introspect/count-rows.js';
import { countKeep, keepCollisionMessage, keepKeys, type KeepCount } from '../introspect/count-keep.js';
import { DEFAULT_RETRY, type Queryable, type RetryPolicy } from '../db/session.js';
import type { MaintainTable } from '../config/types.js';
import { ReplicoopError } from '../errors.js';
import { closeSubset } from './run-subset-closure.js';
import { sampleProblems, unknownRelations } from './subset.js';
import { readSnapshot } from '../introspect/read-snapshot.js';
import { packageVersion } from '../package-info.js';
import { describeTarget } from '../config/connection-target.js';
import { StateStore } from '../state/state-store.js';
import type { Snapshot } from '../snapshot/model.js';
import { readPlanFile } from './plan-file.js';
import { existsSync } from 'node:fs';
import { buildPlan } from './build-plan.js';
import { planInput } from './plan-input.js';
import { serverIdentity } from './plan-identity.js';
import type { Plan } from './plan-types.js';

export interface RunPlanOptions {
  /** One line per stage, for a spinner or a log. */
  readonly onStage?: (text: string) => void;
  /** Extra sessions per side for parallel reads. */
  readonly readers?: number;
  readonly createdAt?: string;
  /** Connection retries (the CLI's says each one). */
  readonly retry?: RetryPolicy;
}

export async function runPlan(config: ResolvedConfig, options: RunPlanOptions = {}): Promise<Plan> {
  const stage = options.onStage ?? (() => undefined);
  const readers = options.readers ?? 3;
  stage('connecting to production and sandbox');
  const retry = options.retry ?? DEFAULT_RETRY;
  const sessions = await openSessions(config, retry);
  const extras = [...(await openProductionPool(config, readers, retry)), ...(await openSandboxPool(config, readers, retry))];
  try {
    stage('reading production schema');
    const productionReaders = extras.filter((s) => s.role === 'production');
    const production = await readSnapshot(sessions.production, {
      ignore: config.ignore,
      extraSessions: productionReaders,
      onProgress: (p) => stage(`reading production schema (${p.stage} ${p.done}/${p.total})`),
    });
    await checkMaintainPrivileges(sessions.production, await readPrivileges(sessions.production), config.maintain, config.displayFile);
    stage('reading sandbox schema');
    const sandbox = await readSnapshot(sessions.sandbox, {
      ignore: config.ignore,
      extraSessions: extras.filter((s) => s.role === 'sandbox'),
      onProgress: (p) => stage(`reading sandbox schema (${p.stage} ${p.done}/${p.total})`),
    });
    const masking = await checkMaintain(config, sessions.production, production, lastAppliedProduction(config, sandbox));
    const unknown = [
      ...unknownRelations(production, config.maintain, config.subset).map(
        (u) => `${config.displayFile}: /subset/relations/${u.key}: ${u.message}`,
      ),
      ...sampleProblems(production, config.maintain).map(
        (u) => `${config.displayFile}: /maintain/${config.maintain.findIndex((m) => m.table === u.key)}: ${u.message}`,
      ),
    ];
    if (unknown.length > 0) throw new ReplicoopError('maintain_invalid', unknown.join('\n'));
    stage('checking the subset keeps every foreign key between maintain tables');
    const subset = await closeSubset(config, production, [sessions.production, ...productionReaders]);
    const effective = config.maintain.map((m) => ({ ...m, where: subset.tables[m.table]?.where ?? m.where }));
    stage('counting rows of maintain tables');
    const rowCounts = await countMaintainRows(
      [sessions.production, ...productionReaders],
      effective,
      new Set(production.tables.map((t) => t.name)),
    );
    const keepCounts = await keepRows(config, sessions.sandbox, sessions.production, sandbox, production, effective);
    stage('diffing');
    const plan = buildPlan(
      planInput(config, {
        production,
        sandbox,
        source: serverIdentity(config.production, sessions.production.server),
        target: serverIdentity(config.sandbox, sessions.sandbox.server),
        rowCounts,
        subset,
        newUnmaskedColumns: masking.newUnmasked,
        keepCounts,
        replicoopVersion: packageVersion,
        createdAt: options.createdAt ?? new Date().toISOString(),
      }),
    );
    // The plan's own steps (apply's preflight checks again, backup and restore included).
    assertSandboxPrivileges(await readPrivileges(sessions.sandbox), plan, 'plan', { backup: false });
    return plan;
  } finally {
    await closeAll([sessions.production, sessions.sandbox, ...extras]);
  }
}

/**
 * Production as the last applied plan saw it, for columns a migration added since: that plan's
 * own production snapshot when its file is still the one the run applied (checksum), else the
 * sandbox, which that run left matching it. Null when no run ever finished on this sandbox (on
 * a first plan every column would be "new"). Reads the state database through its public
 * methods only.
 */
function lastAppliedProduction(config: ResolvedConfig, sandbox: Snapshot): Snapshot | null {
  if (!existsSync(config.statePath)) return null;
  let store: StateStore | null = null;
  try {
    store = StateStore.open(config.statePath);
    const target = describeTarget(config.sandbox);
    const run = store.listRuns(1000).find((r) => r.target === target && r.status === 'done');
    if (!run) return null;
    try {
      const plan = readPlanFile(run.planPath);
      if (plan.checksum === run.planChecksum) return plan.snapshots.production;
    } catch {
      // The plan file was moved, replaced or removed: the sandbox is the record of that run.
    }
    return sandbox;
  } finally {
    store?.close();
  }
}

/**
 * maintain[].keep: counts of sandbox rows kept and deleted per table, and a plan error when a
 * kept row has the value of a unique key of a production row the copy brings (it would collide
 * mid-apply; the copy checks again before it deletes a row, production may change meanwhile).
 */
async function keepRows(
  config: ResolvedConfig,
  sandboxSession: Queryable,
  productionSession: Queryable,
  sandbox: Snapshot,
  production: Snapshot,
  effective: readonly MaintainTable[],
): Promise<Record<string, KeepCount>> {
  const out: Record<string, KeepCount> = {};
  const problems: string[] = [];
  for (const [index, entry] of effective.entries()) {
    if (!entry.keep) continue;
    const table = production.tables.find((t) => t.name === entry.table);
    if (!table) continue;
    const sandboxTable = sandbox.tables.find((t) => t.name === entry.table);
    if (!sandboxTable) {
      out[entry.table] = { kept: 0, deleted: 0, collisions: 0, samples: [] };
      continue;
    }
    // A key over a column the sandbox does not have yet is checked by the copy, after the schema steps.
    const keys = keepKeys(table, entry.mask).filter((k) => k.parts.every((p) => sandboxTable.columns.some((c) => c.name === p.column)));
    let counted: KeepCount;
    try {
      counted = await countKeep(sandboxSession, productionSession, entry.table, entry.keep, keys, entry.where);
    } catch (error) {
      problems.push(
        `${config.displayFile}: /maintain/${index}/keep: the sandbox rejects the condition for table "${entry.table}": ${(error as Error).message.replace(/^sandbox: /, '')}`,
      );
      continue;
    }
    out[entry.table] = counted;
    if (counted.collisions > 0)
      problems.push(`${config.displayFile}: /maintain/${index}/keep: ${keepCollisionMessage(entry.table, entry.keep, counted)}`);
  }
  if (problems.length > 0) throw new ReplicoopError('keep_collision', problems.join('\n'), { details: { problems } });
  return out;
}
