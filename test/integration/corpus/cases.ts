import { expect } from 'vitest';
import { testServers } from '../../support/servers.js';
import type { CorpusCase } from './run-case.js';

/** A one-table case: `CREATE TABLE t (id INT PRIMARY KEY, ...)` on each side. */
function table(name: string, a: string, b: string, extra: Partial<CorpusCase> = {}): CorpusCase {
  const create = (body: string): string => (body === '' ? '' : `CREATE TABLE t (id INT NOT NULL PRIMARY KEY${body ? `, ${body}` : ''})`);
  return { name, a: create(a), b: create(b), ...extra };
}

// ---- generated columns: every pair of kinds, with and without keys and CHECKs on the column ----

interface Kind {
  readonly label: string;
  readonly sql: string;
  /** The expression the column's values follow, or null for a regular column. */
  readonly expression: string | null;
}
const KINDS: Record<string, Kind> = {
  regular: { label: 'regular', sql: 'b INT', expression: null },
  virtual: { label: 'VIRTUAL', sql: 'b INT AS (a * 2) VIRTUAL', expression: 'a * 2' },
  stored: { label: 'STORED', sql: 'b INT AS (a * 2) STORED', expression: 'a * 2' },
  virtual2: { label: 'VIRTUAL (other expression)', sql: 'b INT AS (a + 100) VIRTUAL', expression: 'a + 100' },
  stored2: { label: 'STORED (other expression)', sql: 'b INT AS (a + 100) STORED', expression: 'a + 100' },
};
const PAIRS: readonly [string, string][] = [
  ['regular', 'virtual'],
  ['regular', 'stored'],
  ['virtual', 'stored'],
  ['virtual', 'virtual2'],
  ['stored', 'stored2'],
  ['virtual', 'stored2'],
];
const DECORATIONS: Record<string, string> = {
  plain: '',
  'an index': ', KEY kb (b)',
  'a unique key': ', UNIQUE KEY ub (b)',
  'a composite index': ', KEY kab (a, b)',
  'a table CHECK': ', CONSTRAINT ck_b CHECK (b > -1000)',
  'an index and a CHECK': ', KEY kb (b), KEY kba (b, a), CONSTRAINT ck_b CHECK (b IS NULL OR b > -1000)',
};

/** After apply: a column that became regular holds each row's old generated value. */
function keepsValues(sandboxKind: Kind, productionKind: Kind) {
  return async (database: string): Promise<void> => {
    const rows = await testServers().sandbox.sql<{ id: number; a: number; b: number | null }[]>(
      'SELECT id, a, b FROM t ORDER BY id',
      database,
    );
    expect(rows).toHaveLength(3);
    const follows = productionKind.expression ?? (productionKind.expression === null ? sandboxKind.expression : null);
    for (const row of rows) {
      if (follows === null) expect(row.b).toBeNull();
      else {
        const a = Number(row.a);
        const expected = follows === 'a * 2' ? a * 2 : a + 100;
        expect(Number(row.b)).toBe(expected);
      }
    }
  };
}

const generated: CorpusCase[] = PAIRS.flatMap(([x, y]) =>
  Object.entries(DECORATIONS).map(([decoration, keys]) => {
    const kx = KINDS[x]!;
    const ky = KINDS[y]!;
    return {
      name: `generated: ${kx.label} <-> ${ky.label}, ${decoration}`,
      a: `CREATE TABLE t (id INT NOT NULL PRIMARY KEY, a INT NOT NULL, ${kx.sql}, c INT${keys})`,
      b: `CREATE TABLE t (id INT NOT NULL PRIMARY KEY, a INT NOT NULL, ${ky.sql}, c INT${keys})`,
      rows: { a: 'INSERT INTO t (id, a) VALUES (1, 1), (2, 2), (3, 30)', b: 'INSERT INTO t (id, a) VALUES (1, 1), (2, 2), (3, 30)' },
      after: async (database: string, direction: 'forward' | 'backward') => {
        const [sandboxKind, productionKind] = direction === 'forward' ? [kx, ky] : [ky, kx];
        await keepsValues(sandboxKind, productionKind)(database);
      },
    } satisfies CorpusCase;
  }),
);

const generatedMore: CorpusCase[] = [
  table('generated: VIRTUAL -> regular keeps values with a column CHECK', 'a INT, b INT AS (a + 1) VIRTUAL', 'a INT, b INT CHECK (b > 0)', {
    rows: { a: 'INSERT INTO t (id, a) VALUES (1, 4)', b: 'INSERT INTO t (id, a, b) VALUES (1, 4, 5)' },
    after: async (database) => {
      const [row] = await testServers().sandbox.sql<{ b: number }[]>('SELECT b FROM t', database);
      expect(Number(row!.b)).toBe(5);
    },
  }),
  table(
    'generated: string expression VIRTUAL <-> STORED',
    "s VARCHAR(10), u VARCHAR(20) AS (CONCAT(s, '!')) VIRTUAL",
    "s VARCHAR(10), u VARCHAR(20) AS (CONCAT(s, '!')) STORED",
  ),
  table('generated: VIRTUAL column moved and re-kinded', 'a INT, b INT AS (a * 3) VIRTUAL, c INT', 'a INT, c INT, b INT AS (a * 3) STORED'),
  table('generated: added and dropped generated columns', 'a INT, g1 INT AS (a) VIRTUAL', 'a INT, g2 INT AS (a + 1) STORED, KEY k2 (g2)'),
  table(
    'generated: two columns change at once',
    'a INT, b INT AS (a) VIRTUAL, c INT AS (a) STORED',
    'a INT, b INT AS (a) STORED, c INT AS (a) VIRTUAL',
  ),
  table('generated: type of a VIRTUAL column', 'a INT, b INT AS (a) VIRTUAL', 'a INT, b BIGINT AS (a) VIRTUAL'),
  table('generated: comment on a STORED column', 'a INT, b INT AS (a) STORED', "a INT, b INT AS (a) STORED COMMENT 'doubled'"),
  table(
    'generated: json extraction VIRTUAL -> STORED with index',
    "j JSON, x VARCHAR(20) AS (JSON_VALUE(j, '$.x')) VIRTUAL, KEY kx (x)",
    "j JSON, x VARCHAR(20) AS (JSON_VALUE(j, '$.x')) STORED, KEY kx (x)",
  ),
];

export const CORPUS: readonly CorpusCase[] = [...generated, ...generatedMore];
