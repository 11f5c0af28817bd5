import { describe, expect, it } from 'vitest';
import { identifierWords, quotedIdentifiers, stripSchemaQualifier, tokenize } from '../../../src/snapshot/sql-text.js';

describe('tokenize', () => {
  it('tells identifiers, strings, comments, numbers and punctuation apart, and loses no byte', () => {
    const sql = "SELECT `a``b`, 'it''s', \"q\\\"x\" -- note\n/* c */ 12.5e3 # end";
    const tokens = tokenize(sql);
    expect(tokens.map((t) => t.text).join('')).toBe(sql);
    expect(tokens.filter((t) => t.type !== 'space').map((t) => [t.type, t.value])).toEqual([
      ['word', 'SELECT'],
      ['quoted-ident', 'a`b'],
      ['punct', ','],
      ['string', "it's"],
      ['punct', ','],
      ['string', 'q"x'],
      ['comment', ''],
      ['comment', ''],
      ['number', '12.5e3'],
      ['comment', ''],
    ]);
  });

  it('a double dash without a following space is two minus signs, not a comment', () => {
    expect(tokenize('1--2').map((t) => t.type)).toEqual(['number', 'punct', 'punct', 'number']);
  });
});

describe('text rewrites', () => {
  it("removes only this schema's qualifiers, never inside literals", () => {
    expect(stripSchemaQualifier("select `db`.`t`.`a` from `db`.`t` join `other`.`u` where x = '`db`.`t`'", 'db')).toBe(
      "select `t`.`a` from `t` join `other`.`u` where x = '`db`.`t`'",
    );
  });

  it('finds quoted names and words for dependency guesses', () => {
    expect([...quotedIdentifiers('select `t`.`a` from `v1` where `s`.`x`.`y` = 1')].sort()).toEqual(['s', 't', 'v1', 'y']);
    expect([...identifierWords("SELECT Id FROM Orders WHERE note = 'Customers'")].sort()).toEqual([
      'from',
      'id',
      'note',
      'orders',
      'select',
      'where',
    ]);
  });
});
