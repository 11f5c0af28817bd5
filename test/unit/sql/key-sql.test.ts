import { describe, expect, it } from 'vitest';
import {
  allOf,
  isIntegerColumn,
  isIntegerKey,
  keyAfter,
  keyAtMost,
  keyEquals,
  keyOrderBy,
  keySelectList,
  keySelectSql,
  whereClause,
  type KeyColumn,
} from '../../../src/sql/key-sql.js';

const b = (text: string): Buffer => Buffer.from(text, 'latin1');
const col = (
  name: string,
  dataType: string,
  type = dataType,
  charset: string | null = null,
  collation: string | null = null,
): KeyColumn => ({ name, dataType, type, charset, collation });

describe('key comparands, one per type family', () => {
  const one = (column: KeyColumn, raw: Buffer) => keyEquals([column], [raw]);

  it('binds integers as exact SIGNED or UNSIGNED, by the column type', () => {
    for (const dataType of ['tinyint', 'smallint', 'mediumint', 'int', 'integer', 'bigint']) {
      expect(one(col('k', dataType, `${dataType}(11)`), b('-5'))).toEqual({ sql: '`k` = CAST(? AS SIGNED)', params: ['-5'] });
    }
    expect(one(col('k', 'BIGINT', 'bigint(20) unsigned'), b('18446744073709551615'))).toEqual({
      sql: '`k` = CAST(? AS UNSIGNED)',
      params: ['18446744073709551615'],
    });
  });

  it('binds BIT, ENUM and SET by their number', () => {
    for (const dataType of ['bit', 'enum', 'set'])
      expect(one(col('k', dataType, `${dataType}(...)`), b('3'))).toEqual({ sql: '`k` = CAST(? AS UNSIGNED)', params: ['3'] });
  });

  it('binds DECIMAL at its own precision and scale, defaulting to (10,0)', () => {
    expect(one(col('k', 'decimal', 'decimal(12,4)'), b('1.5000')).sql).toBe('`k` = CAST(? AS DECIMAL(12,4))');
    expect(one(col('k', 'numeric', 'numeric(7)'), b('12')).sql).toBe('`k` = CAST(? AS DECIMAL(7,0))');
    expect(one(col('k', 'decimal', 'decimal'), b('12')).sql).toBe('`k` = CAST(? AS DECIMAL(10,0))');
  });

  it('binds FLOAT, DOUBLE and REAL as DOUBLE', () => {
    for (const dataType of ['float', 'double', 'real'])
      expect(one(col('k', dataType), b('0.1'))).toEqual({ sql: '`k` = CAST(? AS DOUBLE)', params: ['0.1'] });
  });

  it('binds binary strings as their bytes', () => {
    for (const dataType of ['binary', 'varbinary', 'tinyblob', 'blob', 'mediumblob', 'longblob']) {
      const raw = Buffer.from([0, 255, 39]);
      expect(one(col('k', dataType, `${dataType}(3)`), raw)).toEqual({ sql: '`k` = ?', params: [raw] });
    }
  });

  it('binds character strings in their own charset and collation, or as bytes without one', () => {
    for (const dataType of ['char', 'varchar', 'tinytext', 'text', 'mediumtext', 'longtext']) {
      expect(one(col('k', dataType, dataType, 'latin1', 'latin1_swedish_ci'), b('x')).sql).toBe(
        '`k` = CONVERT(? USING latin1) COLLATE latin1_swedish_ci',
      );
    }
    expect(one(col('k', 'varchar', 'varchar(5)', 'binary', 'binary'), b('x'))).toEqual({ sql: '`k` = ?', params: [b('x')] });
    expect(one(col('k', 'varchar', 'varchar(5)'), b('x'))).toEqual({ sql: '`k` = ?', params: [b('x')] });
  });

  it('binds temporal types, YEAR, UUID and INET6 as text the server converts', () => {
    for (const dataType of ['date', 'datetime', 'timestamp', 'time', 'year', 'uuid', 'inet6', 'inet4']) {
      expect(one(col('k', dataType), b('2024-01-02'))).toEqual({ sql: '`k` = ?', params: ['2024-01-02'] });
    }
  });

  it('quotes key column names', () => {
    expect(one(col('we`ird', 'int'), b('1')).sql).toBe('`we``ird` = CAST(? AS SIGNED)');
  });
});

describe('tuple comparisons', () => {
  const key = [col('a', 'int'), col('b', 'varchar', 'varchar(9)', 'utf8mb4', 'utf8mb4_bin'), col('c', 'date')];
  const values = [b('1'), b('x'), b('2020-01-01')];

  it('write "after" as a union of ranges, strict on every column', () => {
    expect(keyAfter(key, values)).toEqual({
      sql:
        '(`a` > CAST(? AS SIGNED) OR (`a` = CAST(? AS SIGNED) AND `b` > CONVERT(? USING utf8mb4) COLLATE utf8mb4_bin)' +
        ' OR (`a` = CAST(? AS SIGNED) AND `b` = CONVERT(? USING utf8mb4) COLLATE utf8mb4_bin AND `c` > ?))',
      params: ['1', '1', b('x'), '1', b('x'), '2020-01-01'],
    });
  });

  it('write "at most" with <= on the last column only', () => {
    expect(keyAtMost(key, values).sql).toBe(
      '(`a` < CAST(? AS SIGNED) OR (`a` = CAST(? AS SIGNED) AND `b` < CONVERT(? USING utf8mb4) COLLATE utf8mb4_bin)' +
        ' OR (`a` = CAST(? AS SIGNED) AND `b` = CONVERT(? USING utf8mb4) COLLATE utf8mb4_bin AND `c` <= ?))',
    );
  });

  it('are a single comparison for a one-column key', () => {
    expect(keyAfter([key[0]!], [b('9')])).toEqual({ sql: '`a` > CAST(? AS SIGNED)', params: ['9'] });
    expect(keyAtMost([key[0]!], [b('9')])).toEqual({ sql: '`a` <= CAST(? AS SIGNED)', params: ['9'] });
  });

  it('equal every column', () => {
    expect(keyEquals(key, values).sql).toBe('`a` = CAST(? AS SIGNED) AND `b` = CONVERT(? USING utf8mb4) COLLATE utf8mb4_bin AND `c` = ?');
  });
});

describe('key select lists and helpers', () => {
  it('select BIT, ENUM and SET as numbers and FLOAT widened, others as they are', () => {
    expect(keySelectSql(col('k', 'bit'))).toBe('`k` + 0');
    expect(keySelectSql(col('k', 'enum'))).toBe('`k` + 0');
    expect(keySelectSql(col('k', 'set'))).toBe('`k` + 0');
    expect(keySelectSql(col('k', 'float'))).toBe('CAST(`k` AS DOUBLE)');
    expect(keySelectSql(col('k', 'varchar'))).toBe('`k`');
    expect(keySelectList([col('a', 'int'), col('b', 'enum')])).toBe('`a`, `b` + 0');
    expect(keyOrderBy([col('a', 'int'), col('b', 'enum')])).toBe('`a`, `b`');
  });

  it('know an integer key: one integer column', () => {
    expect(isIntegerColumn(col('k', 'BIGINT'))).toBe(true);
    expect(isIntegerColumn(col('k', 'decimal'))).toBe(false);
    expect(isIntegerKey([col('k', 'int')])).toBe(true);
    expect(isIntegerKey([col('k', 'int'), col('j', 'int')])).toBe(false);
    expect(isIntegerKey([col('k', 'varchar')])).toBe(false);
  });

  it('AND fragments in order, keeping their parameters in order', () => {
    expect(allOf([])).toBeNull();
    expect(allOf([null, null])).toBeNull();
    const f = { sql: 'x = ?', params: [1] };
    expect(allOf([null, f])).toBe(f);
    expect(allOf([f, null, { sql: 'y = ?', params: [2] }])).toEqual({ sql: '(x = ?) AND (y = ?)', params: [1, 2] });
    expect(whereClause(null)).toBe('');
    expect(whereClause(f)).toBe(' WHERE x = ?');
  });
});
