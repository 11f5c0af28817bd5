import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load-config.js';

const BASE = `
production: { host: 127.0.0.1, user: ro, password: x, database: shop }
sandbox: { host: 127.0.0.1, port: 3307, user: root, password: "", database: shop_sandbox }
`;
const parse = (extra: string) => parseConfig(BASE + extra, '/etc/replicoop/replicoop.yaml', 'replicoop.yaml', {});

describe('config: renames', () => {
  it('defaults to none', () => {
    expect(parse('').renames).toEqual({ tables: {}, columns: {} });
  });

  it('a string renames a table, a map renames columns of a (production) table', () => {
    expect(parse('renames: { people: users, users: { mail: email, "old name": "new name" } }').renames).toEqual({
      tables: { people: 'users' },
      columns: { users: { mail: 'email', 'old name': 'new name' } },
    });
  });

  it('refuses a rename to the same name, two old names for one new one, chains and bad names, naming the key', () => {
    expect(() => parse('renames: { users: { mail: mail } }')).toThrow(/\/renames\/users\/mail: renames the column to its own name/);
    expect(() => parse('renames: { users: { a: c, b: c } }')).toThrow(/\/renames\/users\/b: column "c" is also the new name of a/);
    expect(() => parse('renames: { a: b, b: c }')).toThrow(/\/renames\/a: "b" is itself renamed/);
    expect(() => parse('renames: { a: c, b: c }')).toThrow(/table "c" is also the new name of a/);
    expect(() => parse('renames: { "db.t": t }')).toThrow(/\/renames\/db\.t: "db\.t" is not a valid table name/);
    expect(() => parse('renames: { t: 3 }')).toThrow(/replicoop\.yaml: \/renames\/t/);
    expect(() => parse('renames: { t: {} }')).toThrow(/replicoop\.yaml: \/renames\/t/);
  });
});
