import { describe, expect, it } from 'vitest';
import { keyAfter, keyAtMost, keyEquals, type KeyColumn } from '../../src/sql/key-sql.js';
import { rangeCondition, splitRange, WHOLE_RANGE } from '../../src/sql/key-range.js';
import { aggregateList, rowSerialisation } from '../../src/sql/row-hash.js';

const b = (text: string): Buffer => Buffer.from(text, 'latin1');

describe('row serialisation', () => {
  it('marks NULLs in a bitmap, length-prefixes text, reads strings as bytes and normalises FLOAT and BIT', () => {
    const sql = rowSerialisation([
      { name: 'id', dataType: 'int', nullable: false },
      { name: 'name', dataType: 'varchar', nullable: true },
      { name: 'f', dataType: 'float', nullable: true },
      { name: 'flags', dataType: 'bit', nullable: false },
      { name: 'blob`x', dataType: 'blob', nullable: true },
      { name: 'at', dataType: 'datetime', nullable: false },
    ]);
    expect(sql).toBe(
      "CONCAT_WS('#', CONCAT(ISNULL(`name`), ISNULL(`f`), ISNULL(`blob``x`)), `id`, LENGTH(`name`), CAST(`name` AS BINARY), CAST(`f` AS DOUBLE), `flags` + 0, LENGTH(`blob``x`), `blob``x`, `at`)",
    );
  });

  it('has no bitmap without nullable columns and a constant without columns', () => {
    expect(rowSerialisation([{ name: 'id', dataType: 'bigint', nullable: false }])).toBe("CONCAT_WS('#', `id`)");
    expect(rowSerialisation([])).toBe("''");
  });

  it('aggregates with XOR for keyed tables and SUM for key-less ones', () => {
    const columns = [{ name: 'id', dataType: 'int', nullable: false }];
    expect(aggregateList(columns, 'xor', ['COUNT(`e`)'])).toBe("COUNT(*), BIT_XOR(CRC32(SHA1(CONCAT_WS('#', `id`)))), COUNT(`e`)");
    expect(aggregateList(columns, 'sum')).toBe("COUNT(*), COALESCE(SUM(CRC32(SHA1(CONCAT_WS('#', `id`)))), 0)");
  });
});

describe('key ranges', () => {
  const key: KeyColumn[] = [
    { name: 'code', dataType: 'varchar', type: 'varchar(20)', charset: 'utf8mb4', collation: 'utf8mb4_unicode_ci' },
    { name: 'n', dataType: 'int', type: 'int(10) unsigned', charset: null, collation: null },
  ];

  it('writes tuple comparisons as a union of ranges, comparing strings in their own collation', () => {
    expect(keyAfter(key, [b('k1'), b('7')])).toEqual({
      sql: '(`code` > CONVERT(? USING utf8mb4) COLLATE utf8mb4_unicode_ci OR (`code` = CONVERT(? USING utf8mb4) COLLATE utf8mb4_unicode_ci AND `n` > CAST(? AS UNSIGNED)))',
      params: [b('k1'), b('k1'), '7'],
    });
    expect(keyAtMost(key, [b('k1'), b('7')]).sql).toBe(
      '(`code` < CONVERT(? USING utf8mb4) COLLATE utf8mb4_unicode_ci OR (`code` = CONVERT(? USING utf8mb4) COLLATE utf8mb4_unicode_ci AND `n` <= CAST(? AS UNSIGNED)))',
    );
    expect(keyEquals(key, [b('k1'), b('7')]).sql).toBe(
      '`code` = CONVERT(? USING utf8mb4) COLLATE utf8mb4_unicode_ci AND `n` = CAST(? AS UNSIGNED)',
    );
  });

  it('cuts a range into consecutive ranges that share their boundaries, open at both ends', () => {
    const parts = splitRange(WHOLE_RANGE, [[b('10')], [b('20')]]);
    expect(parts).toEqual([
      { lower: null, upper: [b('10')] },
      { lower: [b('10')], upper: [b('20')] },
      { lower: [b('20')], upper: null },
    ]);
    const id: KeyColumn[] = [{ name: 'id', dataType: 'bigint', type: 'bigint(20)', charset: null, collation: null }];
    expect(rangeCondition(id, parts[0]!)).toEqual({ sql: '`id` <= CAST(? AS SIGNED)', params: ['10'] });
    expect(rangeCondition(id, parts[1]!)).toEqual({
      sql: '(`id` > CAST(? AS SIGNED)) AND (`id` <= CAST(? AS SIGNED))',
      params: ['10', '20'],
    });
    expect(rangeCondition(id, WHOLE_RANGE)).toBeNull();
  });

  it('refuses a collation name that could smuggle SQL', () => {
    const bad: KeyColumn[] = [{ name: 'c', dataType: 'varchar', type: 'varchar(5)', charset: 'utf8mb4', collation: 'x; DROP' }];
    expect(() => keyAfter(bad, [b('a')])).toThrow(/unexpected character set or collation name/);
  });
});
