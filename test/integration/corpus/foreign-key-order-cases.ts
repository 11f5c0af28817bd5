import type { CorpusCase } from './run-case.js';

/**
 * Foreign keys that go away must be gone before anything they depend on changes, whatever owns
 * them: a table re-created from production's SHOW CREATE (the model cannot alter a
 * system-versioned table), a table dropped, or a table renamed by config (its keys still name
 * the old table). Each of these failed with 1829/1833 (or needed the foreign_key_checks=0 retry)
 * before the ordering was generalised.
 */
const versioned = (body: string): string => `CREATE TABLE c (id INT NOT NULL PRIMARY KEY, ${body}) WITH SYSTEM VERSIONING`;

export const FOREIGN_KEY_ORDER: readonly CorpusCase[] = [
  {
    name: "fk order: re-created child's key to a column whose type changes",
    a: `CREATE TABLE p (id INT NOT NULL PRIMARY KEY); ${versioned('pid INT, CONSTRAINT fk_c_p FOREIGN KEY (pid) REFERENCES p (id)')}`,
    b: `CREATE TABLE p (id BIGINT NOT NULL PRIMARY KEY); ${versioned('pid BIGINT, CONSTRAINT fk_c_p FOREIGN KEY (pid) REFERENCES p (id)')}`,
  },
  {
    name: 'fk order: re-created child loses its key while the primary key column is dropped',
    a: `CREATE TABLE p (id INT NOT NULL PRIMARY KEY, k INT NOT NULL); ${versioned('pid INT, CONSTRAINT fk_c_p FOREIGN KEY (pid) REFERENCES p (id)')}`,
    b: `CREATE TABLE p (k INT NOT NULL PRIMARY KEY); ${versioned('pid INT')}`,
  },
  {
    name: 'fk order: re-created parent and re-created child',
    a: `CREATE TABLE p (id INT NOT NULL PRIMARY KEY) WITH SYSTEM VERSIONING; ${versioned('pid INT, CONSTRAINT fk_c_p FOREIGN KEY (pid) REFERENCES p (id)')}`,
    b: `CREATE TABLE p (id BIGINT NOT NULL PRIMARY KEY) WITH SYSTEM VERSIONING; ${versioned('pid BIGINT, CONSTRAINT fk_c_p FOREIGN KEY (pid) REFERENCES p (id)')}`,
  },
  {
    name: 'fk order: re-created child of a re-created parent, key dropped',
    a: `CREATE TABLE p (id INT NOT NULL PRIMARY KEY, v INT) WITH SYSTEM VERSIONING; ${versioned('pid INT, CONSTRAINT fk_c_p FOREIGN KEY (pid) REFERENCES p (id)')}`,
    b: `CREATE TABLE p (id INT NOT NULL PRIMARY KEY) WITH SYSTEM VERSIONING; ${versioned('pid INT, v INT')}`,
  },
  {
    name: "fk order: dropped child's key to a parent renamed and altered",
    a: 'CREATE TABLE p_old (id INT NOT NULL PRIMARY KEY); CREATE TABLE c (id INT PRIMARY KEY, pid INT, CONSTRAINT fk_c_p FOREIGN KEY (pid) REFERENCES p_old (id))',
    b: 'CREATE TABLE p (id BIGINT NOT NULL PRIMARY KEY)',
    forward: { renames: { tables: { p_old: 'p' }, columns: {} } },
    backward: { renames: { tables: { p: 'p_old' }, columns: {} } },
  },
  {
    name: 'fk order: renamed child drops its key to a renamed parent whose column changes',
    a: 'CREATE TABLE a_old (id INT NOT NULL PRIMARY KEY); CREATE TABLE z_old (id INT PRIMARY KEY, pid INT, CONSTRAINT fk_z FOREIGN KEY (pid) REFERENCES a_old (id))',
    b: 'CREATE TABLE a (id BIGINT NOT NULL PRIMARY KEY); CREATE TABLE z (id INT PRIMARY KEY, pid INT)',
    forward: { renames: { tables: { a_old: 'a', z_old: 'z' }, columns: {} } },
    backward: { renames: { tables: { a: 'a_old', z: 'z_old' }, columns: {} } },
  },
  {
    name: 'fk order: kept key to a renamed parent, column type changes on both sides',
    a: 'CREATE TABLE p_old (id INT NOT NULL PRIMARY KEY); CREATE TABLE c (id INT PRIMARY KEY, pid INT, CONSTRAINT fk_c_p FOREIGN KEY (pid) REFERENCES p_old (id))',
    b: 'CREATE TABLE p (id BIGINT NOT NULL PRIMARY KEY); CREATE TABLE c (id INT PRIMARY KEY, pid BIGINT, CONSTRAINT fk_c_p FOREIGN KEY (pid) REFERENCES p (id))',
    forward: { renames: { tables: { p_old: 'p' }, columns: {} } },
    backward: { renames: { tables: { p: 'p_old' }, columns: {} } },
  },
  {
    name: "fk order: dropped child's key to a re-created parent",
    a: 'CREATE TABLE p (id INT NOT NULL PRIMARY KEY, v INT) WITH SYSTEM VERSIONING; CREATE TABLE c (id INT PRIMARY KEY, pid INT, CONSTRAINT fk_c_p FOREIGN KEY (pid) REFERENCES p (id))',
    b: 'CREATE TABLE p (id INT NOT NULL PRIMARY KEY) WITH SYSTEM VERSIONING',
  },
];
