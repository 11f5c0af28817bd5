/**
 * `npm run lint`'s cycle check over every import of src/ (type-only ones too, see
 * import-cycles.ts): fails on a cycle between files or between top-level folders (the floors of
 * ARCHITECTURE.md). Run with tsx, so that it needs no build.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findCycles, folderGraph, importSpecifiers, type ImportGraph } from './import-cycles.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

const files = new Set(sourceFiles(root).map((file) => relative(root, file).split(sep).join('/')));
const graph = new Map<string, string[]>();
for (const file of [...files].sort()) {
  const targets = new Set<string>();
  for (const specifier of importSpecifiers(file, readFileSync(join(root, file), 'utf8'))) {
    if (!specifier.startsWith('.')) continue;
    // NodeNext: a relative import names the emitted .js file of a .ts source.
    const target = posix.normalize(posix.join(posix.dirname(file), specifier)).replace(/\.js$/, '.ts');
    if (files.has(target)) targets.add(target);
  }
  graph.set(file, [...targets].sort());
}

let failed = false;
const report = (what: string, g: ImportGraph): void => {
  for (const cycle of findCycles(g)) {
    failed = true;
    console.error(`import cycle between ${what} (type-only imports count): ${cycle.path.join(' → ')}`);
    if (cycle.members.length > cycle.path.length - 1)
      console.error(`  all ${cycle.members.length} in the circle: ${cycle.members.join(', ')}`);
  }
};
report('files', graph);
report('folders of src/', folderGraph(graph));
if (failed) process.exit(1);
console.log(`import cycles: none among ${files.size} files of src/ (type-only imports included)`);
