import { describe, expect, it } from 'vitest';
import { whereProblem } from '../../../src/config/where-lexer.js';

describe('whereProblem: a filter is one SQL expression', () => {
  it('accepts ordinary filters, nested parentheses, quotes holding parentheses and block comments', () => {
    for (const ok of [
      'deleted_at IS NULL',
      "store_id = 1 AND (status IN ('a', 'b') OR x > 2)",
      "name = 'it''s (here'",
      'note = "say ) and ("',
      '`odd ) name` = 1',
      "title LIKE '%;%'",
      "a = '\\\\'",
      'x = 1 /* a comment with ) in it */',
      "email NOT LIKE '%--%'",
      'a - -1 > 0',
    ]) {
      expect(whereProblem(ok), ok).toBeNull();
    }
  });

  it('refuses text that closes the statement parenthesis, even when it balances', () => {
    expect(whereProblem('1) OR (1')).toMatch(/closes a parenthesis it did not open at character 2/);
    expect(whereProblem('a = 1)')).toMatch(/closes a parenthesis/);
  });

  it('refuses unbalanced parentheses and quotes', () => {
    expect(whereProblem('(a = 1')).toMatch(/1 unclosed parenthesis/);
    expect(whereProblem('((a = 1')).toMatch(/2 unclosed parentheses/);
    expect(whereProblem("name = 'x")).toMatch(/unclosed quote \(' *\)? *starting at character 8|unclosed quote/);
    expect(whereProblem('name = "x')).toMatch(/unclosed double quote/);
    expect(whereProblem('`name = 1')).toMatch(/unclosed backtick/);
    expect(whereProblem('a = 1 /* open')).toMatch(/unclosed comment/);
  });

  it('refuses statement separators, line comments and executable comments', () => {
    expect(whereProblem('1; DROP TABLE x')).toMatch(/contains ";"/);
    expect(whereProblem('a = 1 -- rest')).toMatch(/line comment/);
    expect(whereProblem('a = 1 --')).toMatch(/line comment/);
    expect(whereProblem('a = 1 # rest')).toMatch(/line comment/);
    expect(whereProblem('a = 1 /*! OR 1 */')).toMatch(/executable comment/);
    expect(whereProblem('a = 1 /*M!100000 OR 1 */')).toMatch(/executable comment/);
  });

  it('refuses a backslash-escaped quote, whose meaning depends on sql_mode', () => {
    expect(whereProblem("name = 'a\\' OR 1 = 1 OR ''")).toMatch(/backslash.*NO_BACKSLASH_ESCAPES/);
  });
});
