import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load-config.js';

const BASE = `
production: { host: 127.0.0.1, user: ro, password: x, database: shop }
sandbox: { host: 127.0.0.1, port: 3307, user: root, password: "", database: shop_sandbox }
`;
const parse = (extra: string) => parseConfig(BASE + extra, '/etc/replicoop/replicoop.yaml', 'replicoop.yaml', {});

describe('config: unknown', () => {
  it('defaults to nothing skipped, and takes error or skip per class', () => {
    expect(parse('').unknown).toEqual({});
    expect(parse('unknown: { routines: skip, triggers: error }').unknown).toEqual({ routines: 'skip', triggers: 'error' });
  });

  it('a bad class or treatment is one line naming the key', () => {
    expect(() => parse('unknown: { routines: ignore }')).toThrow(/^replicoop\.yaml: \/unknown\/routines: must be one of/);
    expect(() => parse('unknown: { procedures: skip }')).toThrow(/replicoop\.yaml: \/unknown.*procedures/);
  });
});
