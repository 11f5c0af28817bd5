import { expect } from 'vitest';
import type { Renames } from '../../../src/config/types.js';
import type { PlanSettings } from '../../../src/plan/plan-types.js';
import { convergeLoaded, freshDatabases } from '../../support/converge.js';
import { showCreateAll } from '../../support/show-create-oracle.js';
import { testServers } from '../../support/servers.js';
import { definedNames, namespaced } from './namespace.js';

/** Runs a query on the sandbox, the case's object names put under its prefix. */
export type Query = <T = Record<string, unknown>>(sql: string) => Promise<T[]>;

/** One small schema-change case: run a -> b and b -> a. */
export interface CorpusCase {
  readonly name: string;
  readonly a: string;
  readonly b: string;
  /** Plan settings per direction (renames name the sandbox's old names, so they differ). */
  readonly forward?: Pick<PlanSettings, 'renames'>;
  readonly backward?: Pick<PlanSettings, 'renames'>;
  /** Rows loaded into the sandbox before the plan (structure-only tables keep them). */
  readonly rows?: { readonly a?: string; readonly b?: string };
  /** Checked on the sandbox after apply, per direction. */
  readonly after?: (query: Query, direction: 'forward' | 'backward') => Promise<void>;
}

export type Direction = 'forward' | 'backward';

/** A case's renames under its prefix. */
function prefixedRenames(renames: Renames | undefined, prefix: string): Renames {
  return {
    tables: Object.fromEntries(Object.entries(renames?.tables ?? {}).map(([o, n]) => [prefix + o, prefix + n])),
    columns: Object.fromEntries(Object.entries(renames?.columns ?? {}).map(([t, m]) => [prefix + t, m])),
  };
}

/**
 * A batch of cases in one pair of databases, each case's objects under its own prefix (k<index>_):
 * loads the sandbox with one side and production with the other, plans and applies for real,
 * requires the fresh plan to be empty (convergeLoaded), then compares every object's SHOW CREATE
 * text on both servers, which replicoop's model has no part in, and runs each case's own checks.
 */
export async function runBatch(cases: readonly { readonly index: number; readonly c: CorpusCase }[], direction: Direction): Promise<void> {
  const { production, sandbox } = testServers();
  const dbs = await freshDatabases('corpus');
  const prefixes = cases.map(({ index, c }) => ({ prefix: `k${index}_`, c, names: definedNames(c.a, c.b) }));
  const side = (pick: (c: CorpusCase) => string | undefined): string =>
    prefixes
      .map(({ prefix, c, names }) => namespaced(pick(c) ?? '', prefix, names).replace(/[\s;]+$/, ''))
      .filter((sql) => sql !== '')
      .join(';\n');
  const [sandboxSql, productionSql] = direction === 'forward' ? [side((c) => c.a), side((c) => c.b)] : [side((c) => c.b), side((c) => c.a)];
  const rows = side((c) => (direction === 'forward' ? c.rows?.a : c.rows?.b));
  const renames = prefixes.map(({ prefix, c }) => prefixedRenames((direction === 'forward' ? c.forward : c.backward)?.renames, prefix));
  const settings: Partial<PlanSettings> = {
    renames: {
      tables: Object.assign({}, ...renames.map((r) => r.tables)) as Renames['tables'],
      columns: Object.assign({}, ...renames.map((r) => r.columns)) as Renames['columns'],
    },
  };
  try {
    if (productionSql) await production.sql(productionSql, dbs.production);
    if (sandboxSql) await sandbox.sql(sandboxSql, dbs.sandbox);
    if (rows) await sandbox.sql(rows, dbs.sandbox);
    const { warnings } = await convergeLoaded(dbs, settings);
    // An ordering the server refused would still converge through the foreign_key_checks=0 retry: none may be needed.
    expect(warnings).toEqual([]);
    const [want, got] = await Promise.all([showCreateAll(production, dbs.production), showCreateAll(sandbox, dbs.sandbox)]);
    expect(got).toEqual(want);
    for (const { prefix, c, names } of prefixes) {
      const query: Query = async <T>(sql: string) => sandbox.sql<T[]>(namespaced(sql, prefix, names), dbs.sandbox);
      if (c.after) await c.after(query, direction);
    }
  } catch (error) {
    // Name the cases whose objects the failure mentions.
    const message = (error as Error).message;
    const named = prefixes.filter(({ prefix }) => message.includes(prefix)).map(({ c }) => c.name);
    throw new Error(`${named.length > 0 ? `[${named.join(' | ')}] ` : ''}${message}`, { cause: error });
  } finally {
    await Promise.all([production.dropDatabase(dbs.production), sandbox.dropDatabase(dbs.sandbox)]);
  }
}
