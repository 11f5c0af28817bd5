import { describe, expect, it } from 'vitest';
import { findCycles, folderGraph, importSpecifiers } from '../../../scripts/import-cycles.js';

describe('importSpecifiers', () => {
  it('sees type-only imports and re-exports, which import-x/no-cycle skips', () => {
    const text = [
      "import type { A } from './a.js';",
      "import { type B, c } from './b.js';",
      "export type { D } from './d.js';",
      "export * from './e.js';",
      "export { f } from './f.js';",
      "type G = import('./g.js').G;",
      "const h = await import('./h.js');",
      "import i = require('./i.js');",
      "import './j.js';",
      "const notAnImport = './k.js';",
    ].join('\n');
    expect(importSpecifiers('x.ts', text)).toEqual([
      './a.js',
      './b.js',
      './d.js',
      './e.js',
      './f.js',
      './g.js',
      './h.js',
      './i.js',
      './j.js',
    ]);
  });
});

describe('findCycles', () => {
  it('finds a circle made only of type-only edges (the graph does not know edge kinds)', () => {
    // sql/key-sql.ts `import type { KeyRange } from './key-range.js'`, while key-range imports key-sql.
    const graph = new Map([
      ['sql/key-range.ts', ['sql/key-sql.ts']],
      ['sql/key-sql.ts', ['sql/key-range.ts', 'sql/quote.ts']],
      ['sql/quote.ts', []],
    ]);
    expect(findCycles(graph)).toEqual([
      { path: ['sql/key-range.ts', 'sql/key-sql.ts', 'sql/key-range.ts'], members: ['sql/key-range.ts', 'sql/key-sql.ts'] },
    ]);
  });

  it('returns nothing for a DAG, even with shared descendants', () => {
    const graph = new Map([
      ['a', ['b', 'c']],
      ['b', ['d']],
      ['c', ['d']],
      ['d', []],
    ]);
    expect(findCycles(graph)).toEqual([]);
  });

  it('names a self-import and separates two independent circles, with a shortest path each', () => {
    const graph = new Map([
      ['a', ['a']],
      ['b', ['c']],
      ['c', ['d', 'b']],
      ['d', ['b']],
      ['e', ['f']],
      ['f', ['e']],
    ]);
    expect(findCycles(graph)).toEqual([
      { path: ['a', 'a'], members: ['a'] },
      { path: ['b', 'c', 'b'], members: ['b', 'c', 'd'] },
      { path: ['e', 'f', 'e'], members: ['e', 'f'] },
    ]);
  });

  it('handles a chain longer than the call stack would allow recursively', () => {
    const n = 20_000;
    const graph = new Map(Array.from({ length: n }, (_, i) => [`m${i}`, [`m${(i + 1) % n}`]] as [string, string[]]));
    const [cycle] = findCycles(graph);
    expect(cycle?.members.length).toBe(n);
    expect(cycle?.path.length).toBe(n + 1);
  });
});

describe('folderGraph', () => {
  it('turns an upward import between floors into a folder cycle', () => {
    const graph = new Map([
      ['copy/copy-table.ts', ['db/session.ts']],
      ['db/session.ts', ['copy/copy-task.ts', 'errors.ts']],
      ['copy/copy-task.ts', []],
      ['errors.ts', []],
    ]);
    expect(folderGraph(graph)).toEqual(
      new Map([
        ['copy', ['db']],
        ['db', ['.', 'copy']],
        ['.', []],
      ]),
    );
    expect(findCycles(folderGraph(graph)).map((c) => c.path)).toEqual([['copy', 'db', 'copy']]);
  });
});
