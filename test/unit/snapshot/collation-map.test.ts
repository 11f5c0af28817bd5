import { describe, expect, it } from 'vitest';
import { ReplicoopError } from '../../../src/errors.js';
import { collationForFlavor } from '../../../src/snapshot/dialect.js';
import { forSandboxFlavor } from '../../../src/snapshot/for-flavor.js';
import { column, snapshot, table } from '../diff/builders.js';

// Names from the MySQL 8.0 manual ("Unicode Character Sets": utf8mb4 UCA 9.0.0 collations) and
// MariaDB's UCA 14.0.0 list (10.10+, MDEV-27009), as information_schema.COLLATIONS prints them.
describe('collationForFlavor: MySQL 8 0900 collations on a MariaDB sandbox', () => {
  const cases: [string, string][] = [
    ['utf8mb4_0900_ai_ci', 'utf8mb4_uca1400_nopad_ai_ci'],
    ['utf8mb4_0900_as_ci', 'utf8mb4_uca1400_nopad_as_ci'],
    ['utf8mb4_0900_as_cs', 'utf8mb4_uca1400_nopad_as_cs'],
    ['utf8mb4_0900_bin', 'utf8mb4_nopad_bin'],
    ['utf8mb4_de_pb_0900_ai_ci', 'utf8mb4_uca1400_german2_nopad_ai_ci'],
    ['utf8mb4_es_trad_0900_as_cs', 'utf8mb4_uca1400_spanish2_nopad_as_cs'],
    ['utf8mb4_es_0900_ai_ci', 'utf8mb4_uca1400_spanish_nopad_ai_ci'],
    ['utf8mb4_la_0900_ai_ci', 'utf8mb4_uca1400_roman_nopad_ai_ci'],
    ['utf8mb4_sv_0900_as_cs', 'utf8mb4_uca1400_swedish_nopad_as_cs'],
    ['utf8mb4_tr_0900_ai_ci', 'utf8mb4_uca1400_turkish_nopad_ai_ci'],
    ['utf8mb4_vi_0900_as_cs', 'utf8mb4_uca1400_vietnamese_nopad_as_cs'],
    ['utf8mb4_hr_0900_ai_ci', 'utf8mb4_uca1400_croatian_nopad_ai_ci'],
    ['UTF8MB4_0900_AI_CI', 'utf8mb4_uca1400_nopad_ai_ci'],
  ];
  for (const [mysql, mariadb] of cases) {
    it(`${mysql} -> ${mariadb} on MariaDB 10.11`, () => {
      expect(collationForFlavor(mysql, 'mariadb', 10, 11)).toEqual({ kind: 'mapped', collation: mariadb });
    });
  }

  it('languages MariaDB has no tailoring for, and kana-sensitive ones, have no counterpart', () => {
    for (const name of ['utf8mb4_ru_0900_ai_ci', 'utf8mb4_zh_0900_as_cs', 'utf8mb4_ja_0900_as_cs', 'utf8mb4_ja_0900_as_cs_ks'])
      expect(collationForFlavor(name, 'mariadb', 10, 11).kind).toBe('unmappable');
  });

  it('MariaDB before 10.10 has no UCA 14.0.0 collation', () => {
    const result = collationForFlavor('utf8mb4_0900_ai_ci', 'mariadb', 10, 6);
    expect(result).toEqual({ kind: 'unmappable', reason: expect.stringContaining('10.10') });
    // The binary one needs no UCA: utf8mb4_nopad_bin exists since 10.2.
    expect(collationForFlavor('utf8mb4_0900_bin', 'mariadb', 10, 6)).toEqual({ kind: 'mapped', collation: 'utf8mb4_nopad_bin' });
  });

  it('other collations, and a MySQL sandbox, are left as they are', () => {
    expect(collationForFlavor('utf8mb4_general_ci', 'mariadb', 10, 11)).toEqual({ kind: 'same' });
    expect(collationForFlavor('utf8mb4_unicode_520_ci', 'mariadb', 10, 11)).toEqual({ kind: 'same' });
    expect(collationForFlavor('utf8mb4_0900_ai_ci', 'mysql', 8, 0)).toEqual({ kind: 'same' });
  });
});

describe('forSandboxFlavor: production read on MySQL 8, planned for MariaDB', () => {
  const mysql = snapshot({
    flavor: 'mysql',
    serverVersion: '8.0.36',
    collation: 'utf8mb4_0900_ai_ci',
    tables: [
      table('t', {
        options: { engine: 'InnoDB', charset: 'utf8mb4', collation: 'utf8mb4_0900_ai_ci', comment: '', createOptions: [] },
        columns: [
          column('id', { nullable: false, default: null }),
          column('name', { dataType: 'varchar', type: 'varchar(20)', charset: 'utf8mb4', collation: 'utf8mb4_0900_as_cs' }),
        ],
      }),
    ],
  });

  it('maps every collation and says which, in one warning per collation', () => {
    const { snapshot: mapped, warnings } = forSandboxFlavor(mysql, 'mariadb', '10.11.19-MariaDB');
    expect(mapped.collation).toBe('utf8mb4_uca1400_nopad_ai_ci');
    expect(mapped.tables[0]!.options.collation).toBe('utf8mb4_uca1400_nopad_ai_ci');
    expect(mapped.tables[0]!.columns[1]!.collation).toBe('utf8mb4_uca1400_nopad_as_cs');
    expect(warnings).toEqual([
      expect.stringMatching(
        /^collation utf8mb4_0900_ai_ci \(MySQL\) is created as utf8mb4_uca1400_nopad_ai_ci .*: the database default, table t$/,
      ),
      expect.stringMatching(/^collation utf8mb4_0900_as_cs \(MySQL\) is created as utf8mb4_uca1400_nopad_as_cs .*: column t\.name$/),
    ]);
  });

  it('is one clear error when a collation has no counterpart', () => {
    const old = () => forSandboxFlavor(mysql, 'mariadb', '10.6.18-MariaDB');
    expect(old).toThrow(ReplicoopError);
    expect(old).toThrow(/collations the mariadb 10\.6\.18-MariaDB sandbox does not have: the database default uses utf8mb4_0900_ai_ci/);
  });

  it('leaves a same-flavor snapshot alone', () => {
    const same = snapshot();
    expect(forSandboxFlavor(same, 'mariadb', '10.11.19').snapshot).toBe(same);
  });
});
