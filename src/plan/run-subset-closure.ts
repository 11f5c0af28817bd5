/**
 * The subset closure as plan and validate both settle it: computeSubset (pure) for one round,
 * then production's data, read through the sessions handed in (SELECT only, in their snapshot),
 * says whether a relation cut to break a cycle still lets a kept row point at a parent that is
 * not kept; if so one more round is unrolled, up to a bound. Any other crossing, or one left after
 * the last round, is an error naming the foreign key.
 */
import type { ResolvedConfig } from '../config/types.js';
import type { Queryable } from '../db/session.js';
import { ReplicoopError } from '../errors.js';
import { countSubsetCrossings, type SubsetCrossing } from '../introspect/count-rows.js';
import type { Snapshot } from '../snapshot/model.js';
import { computeSubset, type SubsetRelation, type SubsetResult } from './subset.js';

export const MAX_SUBSET_ROUNDS = 4;

export async function closeSubset(config: ResolvedConfig, production: Snapshot, sessions: readonly Queryable[]): Promise<SubsetResult> {
  let subset = computeSubset(production, config.maintain, config.subset);
  if (!subset.active) return subset;
  for (let rounds = 1; ; rounds++) {
    const crossings = await countSubsetCrossings(sessions, subset);
    if (crossings.length === 0) return subset;
    if (rounds >= MAX_SUBSET_ROUNDS || crossings.some((c) => c.relation.mode !== 'cut')) failCrossings(config, crossings, rounds);
    subset = computeSubset(production, config.maintain, config.subset, rounds + 1);
  }
}

function failCrossings(config: ResolvedConfig, crossings: readonly SubsetCrossing<SubsetRelation>[], rounds: number): never {
  const lines = crossings.map(({ relation: r, rows }) => {
    const why =
      r.mode === 'cut'
        ? `foreign key ${r.foreignKey} was cut to break a cycle between maintain tables, and after ${rounds} rounds of closure`
        : `foreign key ${r.foreignKey}:`;
    return `${config.displayFile}: /subset: ${why} ${rows.toLocaleString('en-US')} copied row${rows === 1 ? '' : 's'} of ${r.table} would point at ${r.referencedTable} rows that are not copied; give ${r.table} or ${r.referencedTable} a where that keeps them together, or copy ${r.referencedTable} whole`;
  });
  throw new ReplicoopError('subset_incomplete', lines.join('\n'), {
    details: { relations: crossings.map((c) => ({ relation: c.relation.id, rows: c.rows })) },
  });
}
