/**
 * What the data checks share (data-checksum.ts for keyed tables, keyless-check.ts, masked-check.ts,
 * and the delta copy in copy/): a table's comparison context (hashed and masked columns, key,
 * production filter), the per-range aggregate on each side and its parsing, leaf rows, findings
 * and limits. See data-checksum.ts for the method.
 */
import type { MaintainTable, MaskRule } from '../config/types.js';
import { quoteIdent } from '../sql/quote.js';
import type { ProductionSession, SandboxSession } from '../db/session.js';
import type { CutTarget } from '../db/key-boundaries.js';
import { chooseChunkKey } from '../snapshot/chunk-key.js';
import { isRowPeriodColumn, type Column, type Snapshot, type Table } from '../snapshot/model.js';
import { allOf, keySelectList, whereClause, type SqlFragment } from '../sql/key-sql.js';
import { rangeCondition, type KeyRange } from '../sql/key-range.js';
import { aggregateList, rowDigest } from '../sql/row-hash.js';
import type { KeyValues, RowSample, TableDataResult } from './validation-result.js';
import type { SessionPair, WorkPool } from './work-pool.js';

export interface DataProgress {
  readonly table: string;
  readonly chunksDone: number;
  readonly chunksTotal: number;
  /** Production rows in the chunks done so far. */
  readonly rowsDone: number;
}

export interface DataCheckInput {
  readonly pool: WorkPool;
  readonly production: Snapshot;
  readonly sandbox: Snapshot;
  /** The maintain entries to check (already narrowed by --tables). */
  readonly maintain: readonly MaintainTable[];
  readonly maskSecret: string | null;
  /** Target rows per chunk. */
  readonly chunkRows: number;
  readonly onProgress?: (progress: DataProgress) => void;
}

/** Samples kept per kind of difference, per table. */
export const SAMPLE_LIMIT = 10;
/** Row-by-row comparisons per table before the drill-down stops (the counts become lower bounds). */
export const MAX_DRILL_LEAVES = 20;
export const SPLIT_PARTS = 16;
/** Parts this small are compared row by row even when chunks are tiny. */
export const LEAF_MIN_ROWS = 1000;
export const MAX_CHUNKS = 10_000;
/** Production rows re-masked per masked table, taken from up to 5 chunks spread over the key range. */
export const MASK_SAMPLE_CHUNKS = 5;
export const MASK_SAMPLE_ROWS = 100;
export const KEYLESS_MASK_SAMPLE_ROWS = 50;
export const VALUE_DISPLAY_LENGTH = 100;

export type Side = 'production' | 'sandbox';

export interface MaskedColumn {
  readonly column: Column;
  readonly rule: MaskRule;
}

export interface TableContext {
  readonly entry: MaintainTable;
  readonly table: Table;
  readonly quoted: string;
  /** Columns in the row hash, production's order. */
  readonly hashed: readonly Column[];
  readonly masked: readonly MaskedColumn[];
  readonly key: readonly Column[] | null;
  /** The maintain filter, applied to production rows only. */
  readonly filter: SqlFragment | null;
  readonly notes: string[];
}

export interface Sums {
  readonly count: number;
  readonly hash: string;
  /** Non-NULL count per masked column. */
  readonly nonNull: readonly number[];
  /** Sandbox only: rows not holding a fixed rule's constant, per masked column (0 for other rules). */
  readonly constantMismatches: readonly number[];
}

export interface LeafRow {
  readonly key: Buffer[];
  readonly display: Buffer[];
  readonly digest: string;
}

export class Findings {
  missing = 0;
  extra = 0;
  different = 0;
  readonly missingSamples: KeyValues[] = [];
  readonly extraSamples: KeyValues[] = [];
  readonly differentKeys: { key: Buffer[]; display: KeyValues }[] = [];
  readonly rowMissing: RowSample[] = [];
  readonly rowExtra: RowSample[] = [];

  get full(): boolean {
    return (
      this.missingSamples.length >= SAMPLE_LIMIT && this.extraSamples.length >= SAMPLE_LIMIT && this.differentKeys.length >= SAMPLE_LIMIT
    );
  }
}

export function tableContext(entry: MaintainTable, table: Table, sandboxTable: Table): TableContext {
  const notes: string[] = [];
  const masked: MaskedColumn[] = [];
  for (const [name, rule] of Object.entries(entry.mask)) {
    const column = table.columns.find((c) => c.name === name);
    if (column && column.generated === null) masked.push({ column, rule });
  }
  const maskedNames = new Set(masked.map((m) => m.column.name));
  const hashed = table.columns.filter((c) => !maskedNames.has(c.name) && !isRowPeriodColumn(c));
  // A key with a masked column has different values on the two sides by design.
  const unmaskedIndexes = {
    ...table,
    indexes: table.indexes.filter((i) => !i.parts.some((p) => p.column !== null && maskedNames.has(p.column))),
  };
  let keyNames = chooseChunkKey(unmaskedIndexes);
  if (keyNames !== null && !hasLeadingIndex(sandboxTable, keyNames)) {
    // Without an index on the sandbox side every chunk would scan the whole table.
    notes.push(`the sandbox has no index on (${keyNames.join(', ')}): compared as a whole-table multiset of rows`);
    keyNames = null;
  }
  if (keyNames === null && chooseChunkKey(table) !== null && notes.length === 0) {
    notes.push('every usable key contains a masked column: compared as a whole-table multiset of rows');
  }
  const periods = table.columns.filter(isRowPeriodColumn);
  if (periods.length > 0) {
    notes.push(
      `system-versioning column${periods.length > 1 ? 's' : ''} ${periods.map((c) => c.name).join(', ')} not compared: the sandbox sets them when rows are written`,
    );
  }
  const key = keyNames === null ? null : keyNames.map((name) => table.columns.find((c) => c.name === name)!);
  return {
    entry,
    table,
    quoted: quoteIdent(table.name),
    hashed,
    masked,
    key,
    filter: entry.where === null ? null : { sql: entry.where, params: [] },
    notes,
  };
}

function hasLeadingIndex(table: Table, columns: readonly string[]): boolean {
  return table.indexes.some(
    (index) =>
      (index.kind === 'primary' || index.kind === 'unique' || index.kind === 'index') &&
      columns.every((name, i) => index.parts[i]?.column === name && index.parts[i]?.length === null),
  );
}

/** The key of a table as the cutter sees it on one side (production rows are filtered). */
export function cutTarget(ctx: TableContext, side: Side): CutTarget {
  return { table: ctx.table.name, key: ctx.key!, filter: side === 'production' ? ctx.filter : null };
}

/**
 * The filter goes last: the driver fills placeholders in order and leaves the rest alone, so a
 * '?' inside the user's filter text (a string literal) is never taken for a placeholder.
 */
export function sideCondition(ctx: TableContext, side: Side, condition: SqlFragment | null): SqlFragment | null {
  // Sandbox rows kept through refreshes (maintain[].keep) are the developers', not production's.
  const kept = ctx.entry.keep ? { sql: `(${ctx.entry.keep}) IS NOT TRUE`, params: [] } : null;
  return allOf([condition, side === 'production' ? ctx.filter : kept]);
}

/** The aggregate SELECT for one side; the sandbox also counts rows not holding a fixed mask's constant. */
export function aggregateSql(
  ctx: TableContext,
  side: Side,
  combine: 'xor' | 'sum',
  prefix: string | null,
): { select: string; params: unknown[] } {
  const extra = ctx.masked.map((m) => `COUNT(${quoteIdent(m.column.name)})`);
  const params: unknown[] = [];
  if (side === 'sandbox') {
    for (const m of ctx.masked) {
      const constant = m.rule.kind === 'fixed' && m.rule.value !== null ? String(m.rule.value) : null;
      if (constant === null) {
        extra.push('0');
        continue;
      }
      const name = quoteIdent(m.column.name);
      // Strings byte for byte (a case-insensitive collation would accept 'X' for 'x'); other
      // types through the server's own conversion ('0' equals 0.00 in a DECIMAL column).
      const character = m.column.charset !== null;
      extra.push(
        character ? `COALESCE(SUM(NOT (CAST(${name} AS BINARY) <=> CAST(? AS BINARY))), 0)` : `COALESCE(SUM(NOT (${name} <=> ?)), 0)`,
      );
      params.push(constant);
    }
  }
  const list = aggregateList(ctx.hashed, combine, extra);
  return { select: prefix === null ? list : `${prefix}, ${list}`, params };
}

export function parseSums(row: readonly unknown[], offset: number, masked: number, side: Side): Sums {
  const text = (i: number): string => (row[offset + i] as Buffer | null)?.toString('latin1') ?? '0';
  const nonNull: number[] = [];
  const constantMismatches: number[] = [];
  for (let i = 0; i < masked; i++) nonNull.push(Number(text(2 + i)));
  for (let i = 0; i < masked; i++) constantMismatches.push(side === 'sandbox' ? Number(text(2 + masked + i)) : 0);
  return { count: Number(text(0)), hash: text(1), nonNull, constantMismatches };
}

export async function sideSums(session: ProductionSession | SandboxSession, ctx: TableContext, side: Side, range: KeyRange): Promise<Sums> {
  const { select, params } = aggregateSql(ctx, side, 'xor', null);
  const condition = sideCondition(ctx, side, rangeCondition(ctx.key!, range));
  const rows = await session.queryArrays(
    `SELECT ${select} FROM ${ctx.quoted}${whereClause(condition)}`,
    [...params, ...(condition?.params ?? [])],
    { raw: true },
  );
  return parseSums(rows[0] ?? [], 0, ctx.masked.length, side);
}

/** Both sides of one chunk at the same moment. */
export async function chunkSums(pair: SessionPair, ctx: TableContext, range: KeyRange): Promise<[Sums, Sums]> {
  return Promise.all([sideSums(pair.production, ctx, 'production', range), sideSums(pair.sandbox, ctx, 'sandbox', range)]);
}

/** Equal rows: the masked columns' counts are judged by checkMasked, not here. */
export function sameSums(a: Sums, b: Sums): boolean {
  return a.count === b.count && a.hash === b.hash;
}

export interface Leaf {
  readonly rows: Map<string, LeafRow>;
  /** More rows under a key already seen: only possible when a unique index was not enforced (unique_checks=0). */
  readonly duplicates: Map<string, { readonly row: LeafRow; count: number }>;
}

/** (key, SHA1 of the row) for every row of one side in a range, by key identity. */
export async function leafRows(session: ProductionSession | SandboxSession, ctx: TableContext, side: Side, range: KeyRange): Promise<Leaf> {
  const key = ctx.key!;
  const condition = sideCondition(ctx, side, rangeCondition(key, range));
  const plain = key.map((c) => quoteIdent(c.name)).join(', ');
  const rows = await session.queryArrays(
    `SELECT ${keySelectList(key)}, ${plain}, ${rowDigest(ctx.hashed)} FROM ${ctx.quoted}${whereClause(condition)}`,
    condition?.params ?? [],
    { raw: true },
  );
  const n = key.length;
  const out: Leaf = { rows: new Map(), duplicates: new Map() };
  for (const row of rows as Buffer[][]) {
    const keyValues = row.slice(0, n);
    const id = keyValues.map((b) => b.toString('hex')).join(':');
    const leaf = { key: keyValues, display: row.slice(n, 2 * n), digest: row[2 * n]!.toString('latin1') };
    if (!out.rows.has(id)) out.rows.set(id, leaf);
    else if (out.duplicates.has(id)) out.duplicates.get(id)!.count++;
    else out.duplicates.set(id, { row: leaf, count: 1 });
  }
  return out;
}

export function emptyResult(entry: MaintainTable, reason: string, ctx: TableContext | undefined, started: number): TableDataResult {
  return {
    table: entry.table,
    status: 'not_compared',
    reason,
    method: ctx?.key === null ? 'hash_buckets' : 'key_ranges',
    key: ctx?.key?.map((c) => c.name) ?? null,
    where: entry.where,
    columns: ctx?.hashed.map((c) => c.name) ?? [],
    excludedColumns: ctx?.masked.map((m) => m.column.name) ?? [],
    productionRows: 0,
    sandboxRows: 0,
    chunks: 0,
    differingChunks: 0,
    missing: { count: 0, samples: [] },
    extra: { count: 0, samples: [] },
    different: { count: 0, samples: [] },
    rowSamples: { missing: [], extra: [] },
    drillComplete: true,
    masked: [],
    notes: ctx?.notes ?? [],
    seconds: (performance.now() - started) / 1000,
  };
}
