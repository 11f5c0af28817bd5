import { describe, expect, it } from 'vitest';
import { definedNames, namespaced } from '../integration/corpus/namespace.js';

describe('corpus namespacing (test support)', () => {
  it('prefixes object names, never columns, strings or aliases of the same name', () => {
    const sql =
      "CREATE TABLE t (id INT, v INT, t INT); CREATE VIEW v (a, b) AS SELECT id, v * 2 FROM t; CREATE TRIGGER tr BEFORE INSERT ON `t` FOR EACH ROW SET NEW.v = 't'; CREATE TABLE c (pid INT, CONSTRAINT fk FOREIGN KEY (pid) REFERENCES t (id))";
    const names = definedNames(sql);
    expect([...names].sort()).toEqual(['c', 'fk', 't', 'tr', 'v']);
    expect(namespaced(sql, 'k1_', names)).toBe(
      "CREATE TABLE `k1_t` (id INT, v INT, t INT); CREATE VIEW `k1_v` (a, b) AS SELECT id, v * 2 FROM `k1_t`; CREATE TRIGGER `k1_tr` BEFORE INSERT ON `k1_t` FOR EACH ROW SET NEW.v = 't'; CREATE TABLE `k1_c` (pid INT, CONSTRAINT `k1_fk` FOREIGN KEY (pid) REFERENCES `k1_t` (id))",
    );
  });
});
