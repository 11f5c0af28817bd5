import { expect } from 'vitest';
import type { PlanSettings } from '../../../src/plan/plan-types.js';
import { convergeLoaded, freshDatabases, type Convergence } from '../../support/converge.js';
import { showCreateAll } from '../../support/show-create-oracle.js';
import { testServers } from '../../support/servers.js';

/** One small schema-change case: run a -> b and b -> a. */
export interface CorpusCase {
  readonly name: string;
  readonly a: string;
  readonly b: string;
  /** Plan settings per direction (renames name the sandbox's old names, so they differ). */
  readonly forward?: Partial<PlanSettings>;
  readonly backward?: Partial<PlanSettings>;
  /** Rows loaded into the sandbox before the plan (structure-only tables keep them). */
  readonly rows?: { readonly a?: string; readonly b?: string };
  /** Checked on the sandbox after apply, per direction. */
  readonly after?: (sandboxDatabase: string, direction: 'forward' | 'backward') => Promise<void>;
}

/**
 * Loads the sandbox with one side and production with the other, plans and applies for real,
 * requires the fresh plan to be empty (convergeLoaded), then compares every object's SHOW CREATE
 * text on both servers, which replicoop's model has no part in.
 */
export async function runCase(c: CorpusCase, direction: 'forward' | 'backward'): Promise<Convergence> {
  const [sandboxSql, productionSql] = direction === 'forward' ? [c.a, c.b] : [c.b, c.a];
  const rows = direction === 'forward' ? c.rows?.a : c.rows?.b;
  const { production, sandbox } = testServers();
  const dbs = await freshDatabases('corpus');
  try {
    if (productionSql.trim()) await production.sql(productionSql, dbs.production);
    if (sandboxSql.trim()) await sandbox.sql(sandboxSql, dbs.sandbox);
    if (rows) await sandbox.sql(rows, dbs.sandbox);
    const result = await convergeLoaded(dbs, direction === 'forward' ? c.forward : c.backward);
    const [want, got] = await Promise.all([showCreateAll(production, dbs.production), showCreateAll(sandbox, dbs.sandbox)]);
    expect(got).toEqual(want);
    if (c.after) await c.after(dbs.sandbox, direction);
    return result;
  } finally {
    await Promise.all([production.dropDatabase(dbs.production), sandbox.dropDatabase(dbs.sandbox)]);
  }
}
