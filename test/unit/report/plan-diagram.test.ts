import { beforeAll, describe, expect, it } from 'vitest';
import { buildPlan } from '../../../src/plan/build-plan.js';
import { computeSubset } from '../../../src/plan/subset.js';
import { planDiagram, text } from '../../../src/report/plan-diagram.js';
import { renderPlanMarkdown } from '../../../src/report/render-plan.js';
import type { Table } from '../../../src/snapshot/model.js';
import { column, foreignKey, planOf, primaryKey, snapshot, table } from '../diff/builders.js';
import { mermaidParser } from '../../support/mermaid.js';
import { everyStepKindPlan } from './every-step-kind.js';

let parse: (source: string) => Promise<unknown>;
beforeAll(async () => {
  parse = await mermaidParser();
});

const child = (name: string, parent: string, fk = `fk_${name}_${parent}`): Table =>
  table(name, {
    columns: [column('id', { nullable: false, default: null }), column(`${parent}_id`)],
    foreignKeys: [foreignKey(fk, [`${parent}_id`], parent, ['id'])],
  });

describe('the Mermaid diagram of a plan', () => {
  it('parses with the real Mermaid parser, and a broken diagram does not (the check can fail)', async () => {
    const { source } = planDiagram(everyStepKindPlan());
    expect(source).not.toBeNull();
    await expect(parse(source!)).resolves.toMatchObject({ diagramType: 'flowchart-v2' });
    await expect(parse(source!.replace('-->|', '-->|"'))).rejects.toThrow(/Parse error/);
  });

  it('marks refreshed tables with copy order, filter and masks, structure-only and destructive ones, and cycles', () => {
    const { source } = planDiagram(everyStepKindPlan());
    expect(source).toContain("customer<br/>copy 1 · ~1,200 rows<br/>where email LIKE '%@example.com'<br/>masked: email\"]");
    expect(source).toMatch(/orders<br\/>copy 2 · ~5,400 rows"\]/);
    expect(source).toMatch(/\("notes<br\/>structure only<br\/>⚠ destructive change"\)/);
    expect(source).toMatch(/-\.->\|"fk_staff_store · cycle"\|/);
    expect(source).toMatch(/-->\|"fk_orders_customer"\|/);
    expect(source).toMatch(/class [t\d,]+ destructive/);
  });

  it('escapes what the grammar treats specially in names and filters', async () => {
    const awkward = table('we"ird|<name>#1', { columns: [column('id', { nullable: false, default: null })] });
    const plan = planOf(snapshot({ tables: [awkward] }), snapshot({ tables: [awkward] }), {
      maintain: [{ table: awkward.name, where: 'a <> "x" OR `b` = \'#\'', mask: {} }],
    });
    const { source } = planDiagram(plan);
    expect(source).toContain(text(awkward.name));
    await expect(parse(source!)).resolves.toMatchObject({ diagramType: 'flowchart-v2' });
  });

  it('on a big schema draws only maintained tables and their direct neighbours, and says so', async () => {
    const tables: Table[] = [table('hub')];
    for (let i = 0; i < 60; i++) tables.push(child(`t${String(i).padStart(2, '0')}`, i < 3 ? 'hub' : 'other'));
    tables.push(table('other'));
    const plan = planOf(snapshot({ tables }), snapshot({ tables }), { maintain: [{ table: 'hub', where: null, mask: {} }] });
    const { source, note } = planDiagram(plan);
    expect(note).toBe('62 tables: only the 1 maintained table and 3 direct foreign-key neighbours are drawn.');
    expect(source!.split('\n').filter((l) => /^ {2}t\d+[[(]/.test(l))).toHaveLength(4);
    await expect(parse(source!)).resolves.toMatchObject({ diagramType: 'flowchart-v2' });
  });

  it("marks subset tables with the user's where and what the closure adds, and says when a filter is cut", async () => {
    const id = column('id', { nullable: false, default: null });
    const store = table('store', { columns: [id, column('region_id'), column('active')], indexes: [primaryKey('id')] });
    const customer = table('customer', {
      columns: [id, column('store_id', { nullable: false })],
      indexes: [primaryKey('id')],
      foreignKeys: [foreignKey('fk_customer_store', ['store_id'], 'store', ['id'])],
    });
    const production = snapshot({ tables: [store, customer] });
    const where = 'region_id = 7 AND active = 1 AND id NOT IN (3, 4, 5)';
    const maintain = [
      { table: 'store', where, mask: {} },
      { table: 'customer', where: null, mask: {} },
    ];
    const identity = { host: 'h', port: 1, database: 'db', flavor: production.flavor, version: production.serverVersion, serverId: 'x' };
    const plan = buildPlan({
      production,
      sandbox: production,
      source: identity,
      target: identity,
      settings: { definers: 'current_user', maintain, ignore: [] },
      rowCounts: { store: 2, customer: 30 },
      subset: computeSubset(production, maintain),
      replicoopVersion: 'test',
      createdAt: '2026-01-01T00:00:00.000Z',
    });
    const diagram = planDiagram(plan);
    const source = diagram.source!;
    expect(source).toContain(`store<br/>copy 1 · ~2 rows<br/>subset · where ${where.slice(0, 39)}… (cut)"]`);
    expect(source).toContain(
      'customer<br/>copy 2 · ~30 rows<br/>subset · no where of its own<br/>closure: only rows of copied parents via fk_customer_store"]',
    );
    // The effective filter (a semi-join over store's) is left to the plan's table, not cut mid-way.
    expect(source).not.toContain('IN (SELECT');
    expect(source).toMatch(/^ {2}class t1,t2 subset$/m);
    expect(diagram).toMatchObject({ subsets: true, cutFilters: true });
    const legend = renderPlanMarkdown(plan)
      .split('\n')
      .find((l) => l.startsWith('Rectangles:'))!;
    expect(legend).toContain('Dashed border, `subset`: only some rows are copied');
    expect(legend).toContain('A filter ending in `… (cut)` is shortened; the Data refresh table has it in full.');
    await expect(parse(source)).resolves.toMatchObject({ diagramType: 'flowchart-v2' });
  });

  it('a table filtered by its own where alone shows that where whole, and no subset legend', () => {
    const { source, subsets, cutFilters } = planDiagram(everyStepKindPlan());
    expect(source).toContain("where email LIKE '%@example.com'<br/>");
    expect(source).not.toContain('subset');
    expect({ subsets, cutFilters }).toEqual({ subsets: false, cutFilters: false });
  });
});
