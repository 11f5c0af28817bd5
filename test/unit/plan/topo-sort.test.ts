import { describe, expect, it } from 'vitest';
import { topoSort } from '../../../src/plan/topo-sort.js';

const graph =
  (edges: Record<string, string[]>) =>
  (name: string): string[] =>
    edges[name] ?? [];

describe('topoSort', () => {
  it('puts every name after the names it depends on, ties by name', () => {
    expect(topoSort(['c', 'b', 'a'], graph({ a: ['c'], b: [] }))).toEqual(['b', 'c', 'a']);
    expect(topoSort(['z', 'y', 'x'], graph({}))).toEqual(['x', 'y', 'z']);
  });

  it('ignores dependencies outside the set, self-references and duplicates', () => {
    expect(topoSort(['a', 'b', 'a'], graph({ a: ['a', 'outside', 'b', 'b'] }))).toEqual(['b', 'a']);
  });

  it('keeps a cycle together, fewest unmet dependencies first, and places what depends on it after', () => {
    // a <-> b cycle; c depends on a; d is free.
    const order = topoSort(['d', 'c', 'b', 'a'], graph({ a: ['b'], b: ['a'], c: ['a'] }));
    expect(order).toEqual(['a', 'b', 'c', 'd']);
    // A three-cycle with a member that has an extra outside dependency.
    const three = topoSort(['p', 'q', 'r', 's'], graph({ p: ['q'], q: ['r'], r: ['p', 's'] }));
    expect(three.indexOf('s')).toBeLessThan(three.indexOf('r'));
    // Inside the cycle every member has one unmet dependency: p by name; then r has none left (p is placed), q last.
    expect(three).toEqual(['s', 'p', 'r', 'q']);
  });

  it('is deterministic whatever the input order', () => {
    const edges = graph({ a: ['b'], b: ['c'], c: ['a'], d: ['c'], e: [] });
    const first = topoSort(['a', 'b', 'c', 'd', 'e'], edges);
    for (const names of [
      ['e', 'd', 'c', 'b', 'a'],
      ['c', 'a', 'e', 'b', 'd'],
    ])
      expect(topoSort(names, edges)).toEqual(first);
  });
});
