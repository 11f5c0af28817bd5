/**
 * The import graph of src/ and its cycles, over every edge: `import type` and `export type ...
 * from` included, which import-x/no-cycle skips (a type-only circle is still a circle in the
 * design, and one `import type` turned into a value import makes it a load-order bug). Dynamic
 * `import('...')` counts too. Pure: the caller reads the files (check-import-cycles.ts).
 */
import ts from 'typescript';

/** File (or folder) → the files (or folders) it imports. */
export type ImportGraph = ReadonlyMap<string, readonly string[]>;

/**
 * Every module specifier a TypeScript file names: import and export-from declarations (type-only
 * ones too), `import x = require(...)`, `import('...')` calls and `import('...').T` types.
 */
export function importSpecifiers(fileName: string, text: string): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier))
      found.push(node.moduleSpecifier.text);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      const expression = node.moduleReference.expression;
      if (ts.isStringLiteral(expression)) found.push(expression.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [argument] = node.arguments;
      if (argument && ts.isStringLiteralLike(argument)) found.push(argument.text);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal))
      found.push(node.argument.literal.text);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/**
 * The cycles of a graph: one per strongly connected component of more than one node (or a node
 * importing itself), each given as a closed path `a → b → ... → a` through that component, with
 * the component's other members listed by `members`. Sorted, so the output is stable.
 */
export function findCycles(graph: ImportGraph): { readonly path: readonly string[]; readonly members: readonly string[] }[] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let next = 0;
  const nodes = [...new Set([...graph.keys(), ...[...graph.values()].flat()])].sort();
  const edges = (node: string): readonly string[] => graph.get(node) ?? [];
  // Tarjan's algorithm, iterative so that a long chain of imports cannot overflow the stack.
  for (const root of nodes) {
    if (index.has(root)) continue;
    const work: { node: string; edge: number }[] = [{ node: root, edge: 0 }];
    index.set(root, next);
    low.set(root, next++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const targets = edges(frame.node);
      if (frame.edge < targets.length) {
        const target = targets[frame.edge++]!;
        if (!index.has(target)) {
          index.set(target, next);
          low.set(target, next++);
          stack.push(target);
          onStack.add(target);
          work.push({ node: target, edge: 0 });
        } else if (onStack.has(target)) low.set(frame.node, Math.min(low.get(frame.node)!, index.get(target)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        if (component.length > 1 || edges(frame.node).includes(frame.node)) components.push(component.sort());
      }
    }
  }
  return components
    .map((members) => ({ path: closedPath(graph, members), members }))
    .sort((a, b) => (a.members[0]! < b.members[0]! ? -1 : a.members[0]! > b.members[0]! ? 1 : 0));
}

/** The shortest way from the component's first member back to itself, staying inside it. */
function closedPath(graph: ImportGraph, members: readonly string[]): string[] {
  const inside = new Set(members);
  const start = members[0]!;
  const cameFrom = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i]!;
    for (const target of graph.get(node) ?? []) {
      if (!inside.has(target)) continue;
      if (target === start) {
        const path = [start];
        for (let at: string | undefined = node; at !== undefined && at !== start; at = cameFrom.get(at)) path.push(at);
        return [start, ...path.slice(1).reverse(), start];
      }
      if (!cameFrom.has(target)) {
        cameFrom.set(target, node);
        queue.push(target);
      }
    }
  }
  return [start, start];
}

/** The graph between folders (a file at the root of src/ is in folder '.'), without self-edges. */
export function folderGraph(graph: ImportGraph): ImportGraph {
  const folder = (file: string): string => (file.includes('/') ? file.slice(0, file.lastIndexOf('/')).split('/')[0]! : '.');
  const result = new Map<string, Set<string>>();
  for (const [from, targets] of graph) {
    const edges = result.get(folder(from)) ?? new Set<string>();
    result.set(folder(from), edges);
    for (const target of targets) if (folder(target) !== folder(from)) edges.add(folder(target));
  }
  return new Map([...result].map(([k, v]) => [k, [...v].sort()]));
}
