import { describe, expect, it } from 'vitest';
import type { MaintainTable } from '../../../src/config/types.js';
import { computeSubset, sampleProblems, unknownRelations } from '../../../src/plan/subset.js';
import type { ForeignKey, Table } from '../../../src/snapshot/model.js';
import { column, primaryKey, snapshot, table } from '../diff/builders.js';

function fk(name: string, columns: string[], referencedTable: string, referencedColumns: string[] = ['id']): ForeignKey {
  return { name, columns, referencedSchema: null, referencedTable, referencedColumns, onDelete: 'RESTRICT', onUpdate: 'RESTRICT' };
}

function t(name: string, refs: { col: string; to: string; fk: string; nullable?: boolean }[] = []): Table {
  return table(name, {
    columns: [column('id', { nullable: false, default: null }), ...refs.map((r) => column(r.col, { nullable: r.nullable ?? false }))],
    indexes: [primaryKey('id')],
    foreignKeys: refs.map((r) => fk(r.fk, [r.col], r.to)),
  });
}

const m = (table: string, where: string | null = null): MaintainTable => ({ table, where, mask: {} });

describe('computeSubset: foreign-key closure of the maintain filters', () => {
  it('copies everything untouched when no maintained table has a where', () => {
    const snap = snapshot({ tables: [t('parent'), t('child', [{ col: 'parent_id', to: 'parent', fk: 'fk_c_p' }])] });
    const result = computeSubset(snap, [m('parent'), m('child')]);
    expect(result.active).toBe(false);
    expect(result.tables.parent!.where).toBeNull();
    expect(result.tables.child!.where).toBeNull();
  });

  it('restricts children transitively through IN semi-joins over the parents filters', () => {
    const snap = snapshot({
      tables: [t('a'), t('b', [{ col: 'a_id', to: 'a', fk: 'fk_b_a' }]), t('c', [{ col: 'b_id', to: 'b', fk: 'fk_c_b', nullable: true }])],
    });
    const result = computeSubset(snap, [m('a', 'id < 10'), m('b'), m('c')]);
    expect(result.tables.a!.where).toBe('id < 10');
    expect(result.tables.b!.where).toBe('(`a_id` IN (SELECT `id` FROM `a` WHERE id < 10)) IS TRUE');
    expect(result.tables.c!.where).toBe(
      '(`b_id` IS NULL OR `b_id` IN (SELECT `id` FROM `b` WHERE (`a_id` IN (SELECT `id` FROM `a` WHERE id < 10)) IS TRUE))',
    );
    expect(result.tables.c!.restrictedBy).toEqual(['c.fk_c_b']);
  });

  it('pulls parents past their own where when a relation follows parents, and their parents in turn', () => {
    const snap = snapshot({
      tables: [t('g'), t('p', [{ col: 'g_id', to: 'g', fk: 'fk_p_g' }]), t('c', [{ col: 'p_id', to: 'p', fk: 'fk_c_p' }])],
    });
    const result = computeSubset(snap, [m('g', 'id = 1'), m('p', 'id = 2'), m('c', 'id = 3')], {
      follow: 'children',
      relations: { 'c.fk_c_p': 'parents' },
    });
    // c keeps its own rows; p = (its where, restricted by g) OR referenced by c; g pulls for p's pulled rows.
    expect(result.tables.c!.where).toBe('id = 3');
    expect(result.tables.p!.pulledBy).toEqual(['c.fk_c_p']);
    expect(result.tables.p!.where).toContain('OR `id` IN (SELECT `p_id` FROM `c` WHERE (id = 3))');
    expect(result.tables.g!.pulledBy).toEqual(['p.fk_p_g']);
  });

  it('cuts a cycle at a nullable relation first and lets the parent pull across it', () => {
    const snap = snapshot({
      tables: [
        t('region', [{ col: 'capital_id', to: 'office', fk: 'fk_region_capital', nullable: true }]),
        t('office', [{ col: 'region_id', to: 'region', fk: 'fk_office_region' }]),
      ],
    });
    const result = computeSubset(snap, [m('region', 'id = 1'), m('office')]);
    expect(result.relations.find((r) => r.id === 'region.fk_region_capital')!.mode).toBe('cut');
    expect(result.relations.find((r) => r.id === 'office.fk_office_region')!.mode).toBe('children');
    expect(result.tables.office!.pulledBy).toEqual(['region.fk_region_capital']);
    expect(result.tables.office!.where).toContain('(`region_id` IN (SELECT `id` FROM `region` WHERE id = 1)) IS TRUE');
  });

  it('cuts a NOT NULL cycle (store <-> staff) at the relation whose parent has no where', () => {
    const snap = snapshot({
      tables: [
        t('store', [{ col: 'manager_staff_id', to: 'staff', fk: 'fk_store_staff' }]),
        t('staff', [{ col: 'store_id', to: 'store', fk: 'fk_staff_store' }]),
      ],
    });
    const result = computeSubset(snap, [m('store', 'id = 1'), m('staff')]);
    expect(result.relations.filter((r) => r.mode === 'cut').map((r) => r.id)).toEqual(['store.fk_store_staff']);
    expect(result.tables.staff!.restrictedBy).toEqual(['staff.fk_staff_store']);
    // A second round embeds the first round's kept rows of the cut child.
    const two = computeSubset(snap, [m('store', 'id = 1'), m('staff')], undefined, 2);
    expect(two.tables.staff!.where!.length).toBeGreaterThan(result.tables.staff!.where!.length);
  });

  it('closes a self-reference over ancestors with a recursive CTE', () => {
    const snap = snapshot({ tables: [t('node', [{ col: 'parent_id', to: 'node', fk: 'fk_node_parent', nullable: true }])] });
    const result = computeSubset(snap, [m('node', 'id > 5')]);
    expect(result.tables.node!.selfClosure).toEqual(['node.fk_node_parent']);
    expect(result.tables.node!.where).toBe(
      '`id` IN (WITH RECURSIVE `replicoop_closure_node` (`id`, `parent_id`) AS (SELECT `id`, `parent_id` FROM `node` WHERE id > 5 UNION SELECT t.`id`, t.`parent_id` FROM `node` AS t JOIN `replicoop_closure_node` AS r ON t.`id` = r.`parent_id`) SELECT `id` FROM `replicoop_closure_node`)',
    );
  });

  it('ignores relations to tables that are not maintained, and names unknown relation overrides', () => {
    const snap = snapshot({ tables: [t('a'), t('b', [{ col: 'a_id', to: 'a', fk: 'fk_b_a' }])] });
    const result = computeSubset(snap, [m('a', 'id = 1')]);
    expect(result.relations).toEqual([]);
    expect(Object.keys(result.tables)).toEqual(['a']);
    expect(unknownRelations(snap, [m('a'), m('b')], { follow: 'children', relations: { 'b.fk_nope': 'parents' } })[0]!.message).toMatch(
      /"b\.fk_nope" is not a foreign key between two maintain tables \(.*known: b\.fk_b_a\)/,
    );
  });

  it('narrows a table by a deterministic sample and a limit, and the closure follows them', () => {
    const snap = snapshot({ tables: [t('a'), t('b', [{ col: 'a_id', to: 'a', fk: 'fk_b_a' }])] });
    const result = computeSubset(snap, [{ table: 'a', where: 'x = 1', mask: {}, sample: 10, limit: 5 }, m('b')]);
    expect(result.active).toBe(true);
    expect(result.tables.a!.where).toBe(
      '(x = 1) AND MOD(CRC32(`id`), 1000000) < 100000 AND `id` IN (SELECT `id` FROM (SELECT `id` FROM `a` WHERE (x = 1) AND MOD(CRC32(`id`), 1000000) < 100000 ORDER BY `id` LIMIT 5) AS `replicoop_limit`)',
    );
    expect(result.tables.b!.restrictedBy).toEqual(['b.fk_b_a']);
    const keyless = snapshot({ tables: [table('k', { indexes: [] })] });
    expect(sampleProblems(keyless, [{ table: 'k', where: null, mask: {}, limit: 3 }])[0]!.message).toMatch(
      /no primary key or NOT NULL unique key/,
    );
  });
});
