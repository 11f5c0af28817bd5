/**
 * The `plan` use case: read both sides, check `maintain` against production, count the rows to
 * copy, and build the plan. The CLI command, the benchmark and the tests all plan through here,
 * so what they time and test is what users plan. Writes nothing: the caller saves the file.
 */
import type { ResolvedConfig } from '../config/types.js';
import { closeAll, openProductionPool, openSandboxPool, openSessions } from '../db/open-sessions.js';
import { checkMaintain } from '../introspect/check-maintain.js';
import { countMaintainRows } from '../introspect/count-rows.js';
import { ReplicoopError } from '../errors.js';
import { closeSubset } from './subset-rounds.js';
import { unknownRelations } from './subset.js';
import { readSnapshot } from '../introspect/read-snapshot.js';
import { packageVersion } from '../package-info.js';
import { buildPlan } from './build-plan.js';
import { serverIdentity } from './plan-identity.js';
import type { Plan } from './plan-types.js';

export interface RunPlanOptions {
  /** One line per stage, for a spinner or a log. */
  readonly onStage?: (text: string) => void;
  /** Extra sessions per side for parallel reads. */
  readonly readers?: number;
  readonly createdAt?: string;
}

export async function runPlan(config: ResolvedConfig, options: RunPlanOptions = {}): Promise<Plan> {
  const stage = options.onStage ?? (() => undefined);
  const readers = options.readers ?? 3;
  stage('connecting to production and sandbox');
  const sessions = await openSessions(config);
  const extras = [...(await openProductionPool(config, readers)), ...(await openSandboxPool(config, readers))];
  try {
    stage('reading production schema');
    const productionReaders = extras.filter((s) => s.role === 'production');
    const production = await readSnapshot(sessions.production, {
      ignore: config.ignore,
      extraSessions: productionReaders,
      onProgress: (p) => stage(`reading production schema (${p.stage} ${p.done}/${p.total})`),
    });
    await checkMaintain(config, sessions.production, production);
    const unknown = unknownRelations(production, config.maintain, config.subset);
    if (unknown.length > 0) throw new ReplicoopError('maintain_invalid', unknown.map((u) => `${config.displayFile}: /subset/relations/${u.key}: ${u.message}`).join('\n'));
    stage('checking the subset keeps every foreign key between maintain tables');
    const subset = await closeSubset(config, production, [sessions.production, ...productionReaders]);
    const effective = config.maintain.map((m) => ({ ...m, where: subset.tables[m.table]?.where ?? m.where }));
    stage('counting rows of maintain tables');
    const rowCounts = await countMaintainRows([sessions.production, ...productionReaders], effective, new Set(production.tables.map((t) => t.name)));
    stage('reading sandbox schema');
    const sandbox = await readSnapshot(sessions.sandbox, {
      ignore: config.ignore,
      extraSessions: extras.filter((s) => s.role === 'sandbox'),
      onProgress: (p) => stage(`reading sandbox schema (${p.stage} ${p.done}/${p.total})`),
    });
    stage('diffing');
    return buildPlan({
      production,
      sandbox,
      source: serverIdentity(config.production, sessions.production.server),
      target: serverIdentity(config.sandbox, sessions.sandbox.server),
      settings: { definers: config.definers, maintain: config.maintain, ignore: config.ignore },
      rowCounts,
      subset,
      replicoopVersion: packageVersion,
      createdAt: options.createdAt ?? new Date().toISOString(),
    });
  } finally {
    await closeAll([sessions.production, sessions.sandbox, ...extras]);
  }
}

/** Rows of a kept child whose existing parent is not kept: only a relation cut in a cycle can have them. */
