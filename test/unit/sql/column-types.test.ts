import { describe, expect, it } from 'vitest';
import * as types from '../../../src/sql/column-types.js';
import { takesLiteralDefault, isNumericType } from '../../../src/snapshot/dialect.js';
import { displayValue } from '../../../src/validate/display-value.js';

const BASE = [
  types.INTEGER_TYPES,
  types.FIXED_POINT_TYPES,
  types.FLOATING_POINT_TYPES,
  types.BOOLEAN_ALIASES,
  types.BIT_TYPES,
  types.YEAR_TYPES,
  types.DATE_TYPES,
  types.FRACTIONAL_SECONDS_TYPES,
  types.CHAR_TYPES,
  types.TEXT_TYPES,
  types.BYTE_STRING_TYPES,
  types.BLOB_TYPES,
  types.ENUM_SET_TYPES,
  types.SPATIAL_TYPES,
  types.JSON_TYPES,
  types.VECTOR_TYPES,
  types.TEXT_FORM_NATIVE_TYPES,
];

describe('column type families', () => {
  it('base families are disjoint, so every type has one home', () => {
    const seen = new Map<string, number>();
    BASE.forEach((set, index) => {
      for (const name of set) {
        expect(seen.has(name), `${name} in two base families`).toBe(false);
        seen.set(name, index);
      }
    });
    expect(seen.size).toBe(BASE.reduce((n, s) => n + s.size, 0));
  });

  it('purpose families are unions of base families', () => {
    expect([...types.NUMERIC_TYPES].sort()).toEqual(
      [...types.INTEGER_TYPES, ...types.FIXED_POINT_TYPES, ...types.FLOATING_POINT_TYPES].sort(),
    );
    expect(types.BYTE_VALUED_TYPES.has('vector')).toBe(true);
    expect(types.BYTE_VALUED_TYPES.has('bit')).toBe(true);
    expect(types.BYTE_VALUED_TYPES.has('varchar')).toBe(false);
    expect(types.MASKABLE_STRING_TYPES.has('longblob')).toBe(true);
    expect(types.MASKABLE_STRING_TYPES.has('enum')).toBe(false);
    expect(types.isOfType(types.INTEGER_TYPES, 'BIGINT')).toBe(true);
  });

  it('the frozen families cannot be changed by a caller', () => {
    expect(Object.isFrozen(types.INTEGER_TYPES)).toBe(true);
  });

  // Fixed by the unification: MySQL 8 reports GEOMETRYCOLLECTION as `geomcollection`, which only
  // the dumper knew; the dialect offered it a literal DEFAULT, which MySQL refuses.
  it('MySQL 8 geomcollection takes no literal default, like every spatial type', () => {
    expect(takesLiteralDefault('geomcollection')).toBe(false);
    expect(takesLiteralDefault('geometrycollection')).toBe(false);
    expect(takesLiteralDefault('varchar')).toBe(true);
    expect(isNumericType('year')).toBe(true);
  });

  // Fixed by the unification: BIT values (raw bytes) were shown as text, control characters and all.
  it('reports show BIT, VECTOR and geomcollection values as hex', () => {
    expect(displayValue(Buffer.from([0x01]), { dataType: 'bit', charset: null })).toBe('0x01');
    expect(displayValue(Buffer.from([0x00, 0x00, 0x80, 0x3f]), { dataType: 'vector', charset: null })).toBe('0x0000803f');
    expect(displayValue(Buffer.from([0x00, 0x07]), { dataType: 'geomcollection', charset: null })).toBe('0x0007');
    expect(displayValue(Buffer.from('abc'), { dataType: 'varchar', charset: 'utf8mb4' })).toBe('abc');
  });
});
