import { describe, expect, it } from 'vitest';
import { inlineFragment } from '../../../src/sql/inline.js';
import { keyEquals } from '../../../src/sql/key-sql.js';

describe('inlineFragment: bound values written into the statement', () => {
  it('writes Buffers as hex, strings quoted and escaped, numbers as digits, null as NULL', () => {
    expect(inlineFragment({ sql: 'a = ? AND b = ? AND c = ? AND d IS ?', params: [Buffer.from('x\x00'), "it's \\ here", 42, null] })).toBe(
      "a = X'7800' AND b = 'it''s \\\\ here' AND c = 42 AND d IS NULL",
    );
    expect(inlineFragment({ sql: 'a = ?', params: [Buffer.alloc(0)] })).toBe("a = X''");
  });

  it('leaves a ? inside quoted identifiers, strings and double-quoted text alone', () => {
    expect(inlineFragment({ sql: '`what?` = ? AND \'why?\' <> ? AND "how?" = ?', params: [1, 2, 3] })).toBe(
      '`what?` = 1 AND \'why?\' <> 2 AND "how?" = 3',
    );
    expect(inlineFragment({ sql: "`a``?` = ? AND 'it''s?' = ?", params: [1, 2] })).toBe("`a``?` = 1 AND 'it''s?' = 2");
  });

  it('refuses a count of values that does not match the placeholders', () => {
    expect(() => inlineFragment({ sql: 'a = ? AND b = ?', params: [1] })).toThrow(/more placeholders/);
    expect(() => inlineFragment({ sql: 'a = ?', params: [1, 2] })).toThrow(/2 values for 1 placeholders/);
  });

  it('inlines a key comparison of every kind of key column', () => {
    const columns = [
      { name: 'n?', dataType: 'int', type: 'int(11) unsigned', charset: null, collation: null },
      { name: 's', dataType: 'varchar', type: 'varchar(10)', charset: 'latin1', collation: 'latin1_swedish_ci' },
      { name: 'b', dataType: 'varbinary', type: 'varbinary(4)', charset: null, collation: null },
    ];
    const values = [Buffer.from('7'), Buffer.from([0xe9]), Buffer.from([0, 1])];
    expect(inlineFragment(keyEquals(columns, values))).toBe(
      "`n?` = CAST('7' AS UNSIGNED) AND `s` = CONVERT(X'e9' USING latin1) COLLATE latin1_swedish_ci AND `b` = X'0001'",
    );
  });
});
