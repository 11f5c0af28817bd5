import { describe, expect, it } from 'vitest';
import { rangeCondition, splitRange, WHOLE_RANGE, type KeyRange } from '../../../src/sql/key-range.js';
import type { KeyColumn } from '../../../src/sql/key-sql.js';

const b = (text: string): Buffer => Buffer.from(text, 'latin1');
const id: KeyColumn[] = [{ name: 'id', dataType: 'int', type: 'int(11)', charset: null, collation: null }];
const pair: KeyColumn[] = [...id, { name: 'n', dataType: 'smallint', type: 'smallint(6) unsigned', charset: null, collation: null }];

describe('key ranges', () => {
  it('have no condition for the whole range, one per closed end otherwise', () => {
    expect(rangeCondition(id, WHOLE_RANGE)).toBeNull();
    expect(rangeCondition(id, { lower: [b('5')], upper: null })).toEqual({ sql: '`id` > CAST(? AS SIGNED)', params: ['5'] });
    expect(rangeCondition(id, { lower: null, upper: [b('9')] })).toEqual({ sql: '`id` <= CAST(? AS SIGNED)', params: ['9'] });
    expect(rangeCondition(id, { lower: [b('5')], upper: [b('9')] })).toEqual({
      sql: '(`id` > CAST(? AS SIGNED)) AND (`id` <= CAST(? AS SIGNED))',
      params: ['5', '9'],
    });
  });

  it('compare full tuples on a composite key, and 1-tuples on its first column (the copy segments)', () => {
    const range: KeyRange = { lower: [b('1'), b('2')], upper: null };
    expect(rangeCondition(pair, range)).toEqual({
      sql: '(`id` > CAST(? AS SIGNED) OR (`id` = CAST(? AS SIGNED) AND `n` > CAST(? AS UNSIGNED)))',
      params: ['1', '1', '2'],
    });
    expect(rangeCondition(pair.slice(0, 1), { lower: [b('1')], upper: [b('3')] })!.params).toEqual(['1', '3']);
  });

  it('split into consecutive ranges sharing boundaries, keeping the outer ends', () => {
    expect(splitRange(WHOLE_RANGE, [])).toEqual([WHOLE_RANGE]);
    const outer: KeyRange = { lower: [b('0')], upper: [b('100')] };
    expect(splitRange(outer, [[b('10')], [b('50')]])).toEqual([
      { lower: [b('0')], upper: [b('10')] },
      { lower: [b('10')], upper: [b('50')] },
      { lower: [b('50')], upper: [b('100')] },
    ]);
  });
});
