import { describe, expect, it } from 'vitest';
import { columnChangeSafety } from '../../../src/diff/column-safety.js';
import { column } from './builders.js';

const typed = (type: string, overrides = {}) => column('c', { type, dataType: type.replace(/[( ].*$/, '').toLowerCase(), ...overrides });

describe('columnChangeSafety', () => {
  it.each([
    ['int(11)', 'bigint(20)'],
    ['tinytext', 'mediumtext'],
    ['varchar(10)', 'text'],
    ['char(5)', 'varchar(5)'],
    ['float', 'double'],
    ['date', 'datetime'],
    ['varchar(10)', 'varchar(20)'],
    ['decimal(10,2)', 'decimal(12,2)'],
    ["enum('a','b')", "enum('a','b','c')"],
    ['datetime(3)', 'datetime(6)'],
  ])('%s -> %s keeps every value', (from, to) => {
    expect(columnChangeSafety(typed(from), typed(to))).toEqual({ destructive: false, reasons: [] });
  });

  it.each([
    ['bigint(20)', 'int(11)', 'type changes from bigint(20) to int(11)'],
    ['int(11)', 'int(10) unsigned', 'signed to unsigned'],
    ['varchar(20)', 'varchar(10)', 'shortened from varchar(20) to varchar(10)'],
    ['decimal(10,2)', 'decimal(10,1)', 'precision narrowed'],
    ["enum('a','b')", "enum('a')", "ENUM values removed ('b')"],
    ['datetime(6)', 'datetime', 'fractional seconds reduced from 6 to 0'],
    ['mediumtext', 'text', 'type changes'],
    ['blob', 'text', 'type changes'],
  ])('%s -> %s is destructive (%s)', (from, to, reason) => {
    const safety = columnChangeSafety(typed(from), typed(to));
    expect(safety.destructive).toBe(true);
    expect(safety.reasons.join('; ')).toContain(reason);
  });

  it('flags NOT NULL, charset changes and a stored value becoming a VIRTUAL or STORED expression', () => {
    expect(columnChangeSafety(typed('int(11)'), typed('int(11)', { nullable: false })).reasons).toEqual([
      'column c: becomes NOT NULL (existing NULLs are rejected or replaced)',
    ]);
    expect(
      columnChangeSafety(typed('varchar(5)', { charset: 'utf8mb4' }), typed('varchar(5)', { charset: 'latin1' })).reasons[0],
    ).toContain('character set changes from utf8mb4 to latin1');
    expect(columnChangeSafety(typed('int(11)'), typed('int(11)', { generated: { expression: '1', stored: false } })).reasons).toEqual([
      'column c: becomes a generated column (stored values are replaced)',
    ]);
    expect(columnChangeSafety(typed('int(11)'), typed('int(11)', { generated: { expression: '1', stored: true } })).reasons).toEqual([
      'column c: becomes a generated column (stored values are replaced)',
    ]);
  });
});
