/**
 * A Mermaid `flowchart` of the tables a refresh touches, for the Markdown plan (GitHub renders
 * it in pull-request comments): the maintained tables with their copy order, filter and masks,
 * their foreign-key neighbours, structure-only and destructively changed tables, and foreign keys
 * that form a cycle. Arrows go from the child to the parent it references. Pure.
 */
import type { DataStep, Plan, PlanStep } from '../plan/plan-types.js';
import type { Table } from '../snapshot/model.js';

/** Up to this many production tables every table with a foreign key is drawn; past it only the maintained ones and their direct neighbours. */
export const DIAGRAM_FULL_LIMIT = 40;
/** Filters are cut to this many characters in a node, saying so (the full text is in the data-refresh table). */
const FILTER_SHOWN = 40;
/** Relations named per closure line of a node; past it, how many more. */
const RELATIONS_SHOWN = 2;

export interface PlanDiagram {
  /** The Mermaid source (without the fence); null when there is nothing to draw. */
  readonly source: string | null;
  /** What was left out, one sentence; null when everything is drawn. */
  readonly note: string | null;
  /** Some node is a subset (its rows shaped by a where and the foreign-key closure): the legend explains the label. */
  readonly subsets: boolean;
  /** Some filter was cut short in a node: the legend says where the full one is. */
  readonly cutFilters: boolean;
}

interface Edge {
  readonly from: string;
  readonly to: string;
  readonly label: string;
}

export function planDiagram(plan: Plan, fullLimit: number = DIAGRAM_FULL_LIMIT): PlanDiagram {
  const tables = new Map(plan.snapshots.production.tables.map((t) => [t.name, t]));
  const copies = plan.steps.filter(
    (s): s is PlanStep & { data: NonNullable<PlanStep['data']> } => s.kind === 'copy_table' && s.data !== null,
  );
  const copyOrder = new Map(copies.map((s, i) => [s.data.table, { position: i + 1, step: s }]));
  const destructive = new Set(plan.steps.filter((s) => s.destructive && s.objectType === 'table').map((s) => s.object));
  const cut = new Set(copies.flatMap((s) => s.data.subset?.cut ?? []));
  const edges = allEdges([...tables.values()], tables);

  const linked = new Set(edges.flatMap((e) => [e.from, e.to]));
  let shown: Set<string>;
  let note: string | null = null;
  if (tables.size <= fullLimit) {
    shown = new Set([...tables.keys()].filter((n) => copyOrder.has(n) || linked.has(n) || destructive.has(n)));
    const left = tables.size - shown.size;
    if (left > 0)
      note = `${left} structure-only table${left === 1 ? '' : 's'} without foreign keys and without destructive changes not drawn.`;
  } else {
    shown = new Set([...copyOrder.keys()]);
    for (const e of edges) {
      if (copyOrder.has(e.from)) shown.add(e.to);
      if (copyOrder.has(e.to)) shown.add(e.from);
    }
    note = `${tables.size.toLocaleString('en-US')} tables: only the ${copyOrder.size} maintained table${copyOrder.size === 1 ? '' : 's'} and ${shown.size - copyOrder.size} direct foreign-key neighbour${shown.size - copyOrder.size === 1 ? '' : 's'} are drawn.`;
  }
  if (shown.size === 0)
    return { source: null, note: note ?? 'no maintained tables and no foreign keys: nothing to draw.', subsets: false, cutFilters: false };

  const names = [...shown].sort();
  const id = new Map(names.map((n, i) => [n, `t${i + 1}`]));
  const drawn = edges.filter((e) => shown.has(e.from) && shown.has(e.to));
  const inCycle = cycleEdges(drawn);
  const lines = ['flowchart LR'];
  let cutFilters = false;
  const shorten = (filter: string): string => {
    if (filter.length <= FILTER_SHOWN) return filter;
    cutFilters = true;
    return `${filter.slice(0, FILTER_SHOWN - 1)}… (cut)`;
  };
  for (const name of names) {
    const copy = copyOrder.get(name);
    const label = [text(name)];
    if (copy) {
      const d = copy.step.data;
      label.push(text(`copy ${copy.position} · ~${d.estimatedRows.toLocaleString('en-US')} rows`));
      label.push(...filterLines(name, d, shorten).map(text));
      if (d.maskedColumns.length > 0) label.push(text(`masked: ${d.maskedColumns.map((m) => m.column).join(', ')}`));
      if (d.keep) label.push(text(`keeps ${d.keep.keptRows.toLocaleString('en-US')} sandbox rows`));
    } else label.push('structure only');
    if (destructive.has(name)) label.push('⚠ destructive change');
    const body = label.join('<br/>');
    lines.push(copy ? `  ${id.get(name)}["${body}"]` : `  ${id.get(name)}("${body}")`);
  }
  for (const edge of drawn) {
    const key = edgeKey(edge);
    const cycle = inCycle.has(key);
    const label = `${edge.label}${cut.has(`${edge.from}.${edge.label}`) ? ' · cut' : cycle ? ' · cycle' : ''}`;
    lines.push(`  ${id.get(edge.from)} ${cycle ? '-.->' : '-->'}|"${text(label)}"| ${id.get(edge.to)}`);
  }
  lines.push('  classDef refreshed fill:#e6f4ea,stroke:#1e7e34,color:#111');
  lines.push('  classDef structure fill:#f1f3f4,stroke:#888,color:#333');
  const subset = names.filter((n) => isSubset(copyOrder.get(n)?.step.data));
  if (subset.length > 0) lines.push('  classDef subset fill:#fff8e1,stroke:#b26a00,stroke-dasharray: 5 5,color:#111');
  lines.push('  classDef destructive stroke:#d32f2f,stroke-width:3px');
  const refreshed = names.filter((n) => copyOrder.has(n));
  const structure = names.filter((n) => !copyOrder.has(n));
  const flagged = names.filter((n) => destructive.has(n));
  if (refreshed.length > 0) lines.push(`  class ${refreshed.map((n) => id.get(n)).join(',')} refreshed`);
  if (structure.length > 0) lines.push(`  class ${structure.map((n) => id.get(n)).join(',')} structure`);
  if (subset.length > 0) lines.push(`  class ${subset.map((n) => id.get(n)).join(',')} subset`);
  if (flagged.length > 0) lines.push(`  class ${flagged.map((n) => id.get(n)).join(',')} destructive`);
  return { source: lines.join('\n'), note, subsets: subset.length > 0, cutFilters };
}

/**
 * A copy's filter as a node shows it. A subset's effective filter is a long semi-join the reader
 * cannot check at a glance, so the node shows what it is made of instead: the user's own where
 * and the foreign keys the closure follows (`closure`); the effective filter is in the plan's table.
 */
function filterLines(table: string, d: DataStep, shorten: (filter: string) => string): string[] {
  if (!isSubset(d)) return d.where ? [`where ${shorten(d.where)}`] : [];
  const s = d.subset!;
  const lines = [s.userWhere ? `subset · where ${shorten(s.userWhere)}` : 'subset · no where of its own'];
  // This table's own relations are named by key only: the node already names the table.
  const own = (ids: readonly string[]): string[] => ids.map((r) => (r.startsWith(`${table}.`) ? r.slice(table.length + 1) : r));
  const closure: string[] = [];
  if (s.restrictedBy.length > 0) closure.push(`only rows of copied parents via ${relations(own(s.restrictedBy))}`);
  if (s.pulledBy.length > 0) closure.push(`+ rows referenced via ${relations(s.pulledBy)}`);
  if (s.selfClosure.length > 0) closure.push(`+ ancestors via ${relations(own(s.selfClosure))}`);
  if (closure.length > 0) lines.push(`closure: ${closure.join('; ')}`);
  return lines;
}

/** Rows shaped by the subset closure. A table whose only subset fact is a cut relation is copied whole (the edge says `cut`). */
function isSubset(d: DataStep | undefined): boolean {
  return d?.subset !== undefined && d.where !== null;
}

function relations(ids: readonly string[]): string {
  const shown = ids.slice(0, RELATIONS_SHOWN).join(', ');
  return ids.length > RELATIONS_SHOWN ? `${shown} +${ids.length - RELATIONS_SHOWN} more` : shown;
}

/** One edge per foreign key inside this database, child -> parent, sorted. */
function allEdges(tables: readonly Table[], byName: ReadonlyMap<string, Table>): Edge[] {
  return tables
    .flatMap((t) =>
      t.foreignKeys
        .filter((fk) => fk.referencedSchema === null && byName.has(fk.referencedTable))
        .map((fk) => ({ from: t.name, to: fk.referencedTable, label: fk.name })),
    )
    .sort((a, b) => (edgeKey(a) < edgeKey(b) ? -1 : edgeKey(a) > edgeKey(b) ? 1 : 0));
}

function edgeKey(e: Edge): string {
  return `${e.from}\u0000${e.label}\u0000${e.to}`;
}

/** Edges inside a strongly connected component (Tarjan), self-references included. */
export function cycleEdges(edges: readonly Edge[]): Set<string> {
  const out = new Map<string, string[]>();
  for (const e of edges) out.set(e.from, [...(out.get(e.from) ?? []), e.to]);
  const nodes = [...new Set(edges.flatMap((e) => [e.from, e.to]))].sort();
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const component = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  let next = 0;
  let components = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of out.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      for (;;) {
        const w = stack.pop()!;
        onStack.delete(w);
        component.set(w, components);
        if (w === v) break;
      }
      components++;
    }
  };
  for (const v of nodes) if (!index.has(v)) visit(v);
  return new Set(edges.filter((e) => e.from === e.to || component.get(e.from) === component.get(e.to)).map(edgeKey));
}

/** Text inside a quoted Mermaid label: the characters its grammar treats specially become entity codes. */
export function text(value: string): string {
  return value
    .replace(/#/g, '#35;')
    .replace(/"/g, '#quot;')
    .replace(/</g, '#lt;')
    .replace(/>/g, '#gt;')
    .replace(/`/g, '#96;')
    .replace(/\|/g, '#124;')
    .replace(/[\r\n\t]+/g, ' ');
}
