import { describe, expect, it } from 'vitest';
import { packRow } from '../../../src/db/packed-rows.js';
import { diffLeaf } from '../../../src/copy/delta-parts.js';

const row = (id: string, digest: string) => packRow([Buffer.from(id), Buffer.from(digest)]);
const keys = (list: Buffer[][]) => list.map((k) => k.map((b) => b.toString()));

describe('diffLeaf', () => {
  it('sorts rows into equal, replaced, inserted and gone by key and digest', () => {
    const production = [row('1', 'a'), row('2', 'b'), row('4', 'd')];
    const sandbox = [row('1', 'a'), row('2', 'x'), row('3', 'c')];
    const diff = diffLeaf(production, sandbox, 1);
    expect(diff.productionRows).toBe(3);
    expect(diff.sandboxRows).toBe(3);
    expect(keys(diff.gone)).toEqual([['3']]);
    expect(keys(diff.replacedKeys)).toEqual([['2']]);
    expect(keys(diff.insertedKeys)).toEqual([['4']]);
    expect(keys(diff.writeKeys)).toEqual([['2'], ['4']]);
    expect([diff.replaced, diff.inserted]).toEqual([1, 1]);
  });

  it('tells multi-column keys apart by their packed bytes, not their concatenation', () => {
    // ('ab', 'c') and ('a', 'bc') read the same when joined; packed, their lengths differ.
    const production = [packRow([Buffer.from('ab'), Buffer.from('c'), Buffer.from('d')])];
    const sandbox = [packRow([Buffer.from('a'), Buffer.from('bc'), Buffer.from('d')])];
    const diff = diffLeaf(production, sandbox, 2);
    expect(keys(diff.gone)).toEqual([['a', 'bc']]);
    expect(keys(diff.insertedKeys)).toEqual([['ab', 'c']]);
  });

  it('copies the keys out of the rows, so they outlive the packets', () => {
    const production = [row('7', 'a')];
    const diff = diffLeaf(production, [], 1);
    production[0]!.fill(0);
    expect(keys(diff.insertedKeys)).toEqual([['7']]);
  });
});
