import { describe, expect, it } from 'vitest';
import { ReplicoopError } from '../../../src/errors.js';
import { forSandboxFlavor } from '../../../src/snapshot/for-flavor.js';
import type { Routine, Snapshot, Trigger, View } from '../../../src/snapshot/model.js';
import { replaceCollationNames } from '../../../src/snapshot/sql-text.js';
import { column, index, planOf, primaryKey, snapshot, table, trigger } from '../diff/builders.js';

// Collation names from the MySQL 8.0 manual ("Unicode Character Sets": utf8mb4 UCA 9.0.0 collations),
// written the way MySQL 8's SHOW CREATE prints them inside text.
const upper = (name: string): string => name.toUpperCase();

describe('replaceCollationNames: collation names inside SQL text', () => {
  it('rewrites bare words and a quoted name or string after COLLATE, never other literals or plain comments', () => {
    const sql =
      "select _utf8mb4'utf8mb4_0900_ai_ci' collate utf8mb4_0900_ai_ci AS `utf8mb4_0900_ai_ci`, x COLLATE 'utf8mb4_sv_0900_as_cs', y COLLATE = `utf8mb4_0900_bin` /* utf8mb4_0900_ai_ci */ -- utf8mb4_0900_ai_ci\n";
    expect(replaceCollationNames(sql, upper)).toBe(
      "SELECT _UTF8MB4'utf8mb4_0900_ai_ci' COLLATE UTF8MB4_0900_AI_CI AS `utf8mb4_0900_ai_ci`, X COLLATE 'UTF8MB4_SV_0900_AS_CS', Y COLLATE = `UTF8MB4_0900_BIN` /* utf8mb4_0900_ai_ci */ -- utf8mb4_0900_ai_ci\n",
    );
  });

  it('rewrites inside executable comments, which the server runs', () => {
    expect(replaceCollationNames('a /*!80016 COLLATE utf8mb4_0900_ai_ci */ b', (n) => (n === 'utf8mb4_0900_ai_ci' ? 'X' : n))).toBe(
      'a /*!80016 COLLATE X */ b',
    );
  });

  it('leaves text without such names byte for byte', () => {
    const sql = "CREATE  VIEW v AS SELECT 1 AS `a`,'x' -- c\n";
    expect(replaceCollationNames(sql, (n) => n)).toBe(sql);
  });
});

describe('forSandboxFlavor: collation names written inside objects (MySQL 8 production, MariaDB sandbox)', () => {
  const view: View = {
    name: 'v',
    definition: "select `t`.`name` AS `name` from `t` where (`t`.`name` = _utf8mb4'a' collate utf8mb4_0900_as_cs)",
    algorithm: 'UNDEFINED',
    security: 'DEFINER',
    checkOption: 'NONE',
    definer: 'root@localhost',
    dependsOn: ['t'],
    charsetClient: 'utf8mb4',
    collationConnection: 'utf8mb4_general_ci',
  };
  const routine: Routine = {
    name: 'f',
    type: 'FUNCTION',
    definition:
      'CREATE FUNCTION `f`(s varchar(10) CHARSET utf8mb4 COLLATE utf8mb4_de_pb_0900_ai_ci) RETURNS varchar(10) CHARSET utf8mb4 COLLATE utf8mb4_0900_ai_ci\n    DETERMINISTIC\nRETURN s',
    definer: 'root@localhost',
    sqlMode: '',
    charsetClient: 'utf8mb4',
    collationConnection: 'utf8mb4_general_ci',
  };
  const tr: Trigger = trigger('tr', 't', {
    statement: 'SET NEW.name = CONVERT(NEW.name USING utf8mb4) COLLATE utf8mb4_0900_ai_ci',
    definition:
      'CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.name = CONVERT(NEW.name USING utf8mb4) COLLATE utf8mb4_0900_ai_ci',
    collationConnection: 'utf8mb4_general_ci',
  });
  const t = table('t', {
    columns: [
      column('id', { nullable: false, default: null }),
      column('name', {
        dataType: 'varchar',
        type: 'varchar(20)',
        charset: 'utf8mb4',
        collation: 'utf8mb4_general_ci',
        default: "(_utf8mb4'x' collate utf8mb4_0900_as_ci)",
      }),
      column('up', {
        dataType: 'varchar',
        type: 'varchar(20)',
        charset: 'utf8mb4',
        collation: 'utf8mb4_general_ci',
        generated: { expression: 'upper(`name`) collate utf8mb4_0900_bin', stored: true },
      }),
    ],
    indexes: [primaryKey('id'), index('kn', ['name'])],
    checks: [{ name: 'ck', clause: "(`name` collate utf8mb4_0900_ai_ci <> _utf8mb4'')", enforced: true }],
  });
  const mysql: Snapshot = snapshot({
    flavor: 'mysql',
    serverVersion: '8.0.36',
    tables: [t, table('hist')],
    views: [view],
    routines: [routine],
    triggers: [tr],
    events: [
      {
        name: 'e',
        definition: "CREATE EVENT `e` ON SCHEDULE EVERY 1 DAY DO DELETE FROM t WHERE name = 'x' COLLATE utf8mb4_0900_ai_ci",
        definer: 'root@localhost',
        sqlMode: '',
        timeZone: 'SYSTEM',
        charsetClient: 'utf8mb4',
        collationConnection: 'utf8mb4_general_ci',
      },
    ],
    unsupported: [
      {
        kind: 'table',
        name: 'hist',
        reason: 'engine attributes',
        createStatement: 'CREATE TABLE `hist` (\n  `id` int NOT NULL\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_0900_ai_ci',
      },
    ],
  });

  it('maps each name the way column collations are mapped, and the warning names every object that has it', () => {
    const { snapshot: mapped, warnings } = forSandboxFlavor(mysql, 'mariadb', '10.11.19-MariaDB');
    expect(mapped.views[0]!.definition).toBe(
      "select `t`.`name` AS `name` from `t` where (`t`.`name` = _utf8mb4'a' collate utf8mb4_uca1400_nopad_as_cs)",
    );
    expect(mapped.routines[0]!.definition).toContain('COLLATE utf8mb4_uca1400_german2_nopad_ai_ci) RETURNS varchar(10)');
    expect(mapped.routines[0]!.definition).toContain('RETURNS varchar(10) CHARSET utf8mb4 COLLATE utf8mb4_uca1400_nopad_ai_ci\n');
    expect(mapped.triggers[0]!.definition).toMatch(/ COLLATE utf8mb4_uca1400_nopad_ai_ci$/);
    expect(mapped.triggers[0]!.statement).toMatch(/ COLLATE utf8mb4_uca1400_nopad_ai_ci$/);
    expect(mapped.events[0]!.definition).toMatch(/'x' COLLATE utf8mb4_uca1400_nopad_ai_ci$/);
    const [, name, up] = mapped.tables[0]!.columns;
    expect(name!.default).toBe("(_utf8mb4'x' collate utf8mb4_uca1400_nopad_as_ci)");
    expect(up!.generated!.expression).toBe('upper(`name`) collate utf8mb4_nopad_bin');
    expect(mapped.tables[0]!.checks[0]!.clause).toBe("(`name` collate utf8mb4_uca1400_nopad_ai_ci <> _utf8mb4'')");
    expect(mapped.unsupported[0]!.createStatement).toMatch(/COLLATE=utf8mb4_uca1400_nopad_ai_ci$/);
    expect(warnings).toEqual([
      expect.stringMatching(
        /^collation utf8mb4_0900_as_ci \(MySQL\) is created as utf8mb4_uca1400_nopad_as_ci .*: column t\.name \(DEFAULT\)$/,
      ),
      expect.stringMatching(/^collation utf8mb4_0900_bin \(MySQL\) is created as utf8mb4_nopad_bin .*: column t\.up \(generated\)$/),
      expect.stringMatching(
        /^collation utf8mb4_0900_ai_ci \(MySQL\) is created as utf8mb4_uca1400_nopad_ai_ci .*: CHECK ck of table t, trigger tr, routine f, event e, table hist \(its SHOW CREATE text\)$/,
      ),
      expect.stringMatching(/^collation utf8mb4_0900_as_cs \(MySQL\) is created as utf8mb4_uca1400_nopad_as_cs .*: view v$/),
      expect.stringMatching(
        /^collation utf8mb4_de_pb_0900_ai_ci \(MySQL\) is created as utf8mb4_uca1400_german2_nopad_ai_ci .*: routine f$/,
      ),
    ]);
  });

  it('a name with no counterpart inside a body is one clear plan-time error naming the object', () => {
    const ja: Snapshot = { ...mysql, views: [{ ...view, definition: "select _utf8mb4'a' collate utf8mb4_ja_0900_as_cs AS `a`" }] };
    const plan = () => forSandboxFlavor(ja, 'mariadb', '10.11.19-MariaDB');
    expect(plan).toThrow(ReplicoopError);
    expect(plan).toThrow(
      /sandbox does not have: view v uses utf8mb4_ja_0900_as_cs: MariaDB has no UCA 14\.0\.0 tailoring for the language "ja"/,
    );
  });

  it('the plan creates the objects with the mapped names', () => {
    const plan = planOf(snapshot(), mysql);
    const sql = plan.steps.flatMap((s) => s.sql).join('\n');
    expect(sql).not.toMatch(/0900/);
    expect(sql).toContain('collate utf8mb4_uca1400_nopad_as_cs)');
    expect(sql).toContain('RETURNS varchar(10) CHARSET utf8mb4 COLLATE utf8mb4_uca1400_nopad_ai_ci');
  });
});
