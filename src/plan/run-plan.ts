/**
 * The `plan` use case: read both sides, check `maintain` against production, count the rows to
 * copy, and build the plan. The CLI command, the benchmark and the tests all plan through here,
 * so what they time and test is what users plan. Writes nothing: the caller saves the file.
 */
import type { ResolvedConfig } from '../config/types.js';
import { closeAll, openProductionPool, openSandboxPool, openSessions } from '../db/open-sessions.js';
import { checkMaintain } from '../introspect/check-maintain.js';
import { countMaintainRows, countSubsetCrossings, type SubsetCrossing } from '../introspect/count-rows.js';
import { ReplicoopError } from '../errors.js';
import { computeSubset, unknownRelations, type SubsetRelation } from './subset.js';
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
    let subset = computeSubset(production, config.maintain, config.subset);
    if (subset.active) {
      // Across a relation cut to break a cycle, only the data says how deep the closure goes:
      // unroll one more round while the only crossings are on cut relations (bounded).
      for (let rounds = 1; ; rounds++) {
        stage(`checking the subset keeps every foreign key between maintain tables${rounds > 1 ? ` (round ${rounds})` : ''}`);
        const crossings = await countSubsetCrossings([sessions.production, ...productionReaders], subset);
        if (crossings.length === 0) break;
        if (rounds >= MAX_SUBSET_ROUNDS || crossings.some((c) => c.relation.mode !== 'cut')) checkCrossings(config, crossings, rounds);
        subset = computeSubset(production, config.maintain, config.subset, rounds + 1);
      }
    }
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
const MAX_SUBSET_ROUNDS = 4;

function checkCrossings(config: ResolvedConfig, crossings: readonly SubsetCrossing<SubsetRelation>[], rounds: number): never {
  const lines = crossings.map(({ relation: r, rows }) => {
    const why = r.mode === 'cut' ? `foreign key ${r.foreignKey} was cut to break a cycle between maintain tables, and after ${rounds} rounds of closure` : `foreign key ${r.foreignKey}:`;
    return `${config.displayFile}: /subset: ${why} ${rows.toLocaleString('en-US')} copied row${rows === 1 ? '' : 's'} of ${r.table} would point at ${r.referencedTable} rows that are not copied; give ${r.table} or ${r.referencedTable} a where that keeps them together, or copy ${r.referencedTable} whole`;
  });
  throw new ReplicoopError('subset_incomplete', lines.join('\n'), { details: { relations: crossings.map((c) => ({ relation: c.relation.id, rows: c.rows })) } });
}
