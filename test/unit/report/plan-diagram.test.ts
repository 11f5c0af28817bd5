import { beforeAll, describe, expect, it } from 'vitest';
import { planDiagram, text } from '../../../src/report/plan-diagram.js';
import type { Table } from '../../../src/snapshot/model.js';
import { column, foreignKey, planOf, snapshot, table } from '../diff/builders.js';
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
});
