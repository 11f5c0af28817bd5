import { expect } from 'vitest';
import type { CorpusCase, Query } from './run-case.js';

/**
 * A regular column that holds its own values (not the expression's) becoming generated: the
 * server computes every row's value again (the plan says so and marks the step destructive), and
 * going back to regular keeps the computed values.
 */
function ownValues(kind: 'VIRTUAL' | 'STORED'): CorpusCase {
  return {
    name: `generated: regular holding its own values <-> ${kind}`,
    a: 'CREATE TABLE t (id INT NOT NULL PRIMARY KEY, a INT NOT NULL, b INT)',
    b: `CREATE TABLE t (id INT NOT NULL PRIMARY KEY, a INT NOT NULL, b INT AS (a * 2) ${kind})`,
    rows: {
      a: 'INSERT INTO t (id, a, b) VALUES (1, 1, 7), (2, 2, 7), (3, 30, NULL)',
      b: 'INSERT INTO t (id, a) VALUES (1, 1), (2, 2), (3, 30)',
    },
    after: async (query: Query) => {
      // Forward the stored 7s are replaced by the expression's values; backward they are kept.
      const rows = await query<{ a: number; b: number | null }>('SELECT a, b FROM t ORDER BY id');
      expect(rows.map((r) => [Number(r.a), r.b === null ? null : Number(r.b)])).toEqual([
        [1, 2],
        [2, 4],
        [30, 60],
      ]);
    },
  };
}

export const GENERATED_VALUES: readonly CorpusCase[] = [ownValues('STORED'), ownValues('VIRTUAL')];
