import { compareText } from '../compare-text.js';

/**
 * Orders names so that each comes after the names it depends on. Cycles (strongly connected
 * groups) stay together, ordered inside by fewest unmet dependencies; the caller breaks the
 * edges that remain (deferred or pre-dropped foreign keys). Ties are broken by name, so the
 * result is deterministic. Dependencies outside `names` are ignored.
 */
export function topoSort(names: readonly string[], dependsOn: (name: string) => readonly string[]): string[] {
  const nodes = [...new Set(names)].sort(compareText);
  const inSet = new Set(nodes);
  const edges = new Map(nodes.map((n) => [n, [...new Set(dependsOn(n))].filter((d) => d !== n && inSet.has(d)).sort(compareText)]));
  const components = stronglyConnected(nodes, edges);
  const componentOf = new Map<string, number>();
  components.forEach((members, index) => members.forEach((m) => componentOf.set(m, index)));

  const out: string[] = [];
  const placed = new Set<string>();
  const placedComponents = new Set<number>();
  while (placedComponents.size < components.length) {
    // The first component (by its smallest name) whose outside dependencies are all placed.
    const ready = components
      .map((members, index) => ({ members, index }))
      .filter(
        ({ members, index }) =>
          !placedComponents.has(index) && members.every((m) => edges.get(m)!.every((d) => componentOf.get(d) === index || placed.has(d))),
      )
      .sort((a, b) => compareText(a.members[0]!, b.members[0]!))[0]!;
    const pending = new Set(ready.members);
    while (pending.size > 0) {
      const unmet = (n: string): number => edges.get(n)!.filter((d) => pending.has(d)).length;
      const next = [...pending].sort((a, b) => unmet(a) - unmet(b) || compareText(a, b))[0]!;
      pending.delete(next);
      placed.add(next);
      out.push(next);
    }
    placedComponents.add(ready.index);
  }
  return out;
}

/** Tarjan's algorithm; each component's members sorted by name. */
function stronglyConnected(nodes: readonly string[], edges: ReadonlyMap<string, readonly string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter++;
    stack.push(node);
    onStack.add(node);
    for (const next of edges.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const members: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        members.push(member);
      } while (member !== node);
      components.push(members.sort(compareText));
    }
  };
  for (const node of nodes) if (!index.has(node)) visit(node);
  return components;
}
