import { describe, expect, it } from 'vitest';
import { planInput, planSettings, type PlanConfig } from '../../../src/plan/plan-input.js';
import { snapshot } from '../diff/builders.js';

const config = (overrides: Partial<PlanConfig> = {}): PlanConfig => ({
  definers: 'keep',
  maintain: [{ table: 'orders', where: 'id > 10', mask: {} }],
  ignore: ['tmp_*'],
  unknown: {},
  renames: { tables: {}, columns: {} },
  copy: { mode: 'full' },
  ...overrides,
});

describe('planSettings', () => {
  it('records definers, maintain and ignore, and leaves empty unknown and renames out', () => {
    const settings = planSettings(config());
    expect(settings).toEqual({ definers: 'keep', maintain: config().maintain, ignore: ['tmp_*'] });
    expect(Object.keys(settings)).toEqual(['definers', 'maintain', 'ignore']);
  });

  it('records unknown and renames when the config has any', () => {
    const renames = { tables: { old_t: 'new_t' }, columns: {} };
    const settings = planSettings(config({ unknown: { views: 'skip' }, renames }));
    expect(settings.unknown).toEqual({ views: 'skip' });
    expect(settings.renames).toEqual(renames);
    expect(planSettings(config({ renames: { tables: {}, columns: { t: { a: 'b' } } } })).renames).toBeDefined();
  });
});

describe('planInput', () => {
  it('adds the settings and copy.mode to what was read, and keeps the rest as given', () => {
    const identity = { host: 'h', port: 1, database: 'db', flavor: 'mariadb' as const, version: '10.11.19-MariaDB', serverId: 'x' };
    const read = {
      production: snapshot(),
      sandbox: snapshot(),
      source: identity,
      target: { ...identity, serverId: 'y' },
      rowCounts: { orders: 5 },
      keepCounts: { orders: { kept: 1, deleted: 2 } },
      replicoopVersion: 'test',
      createdAt: '2026-01-01T00:00:00.000Z',
    };
    const input = planInput(config(), read);
    expect(input).toEqual({ ...read, settings: planSettings(config()), copyMode: 'full' });
  });
});
