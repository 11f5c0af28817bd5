/**
 * Check 2, data of the maintain tables: chunked checksums computed by both servers at once, in
 * the style of pt-table-checksum, then a drill-down into the chunks that differ.
 *
 * - Chunks are key ranges (lower, upper] over the chunk key (chooseChunkKey, leaving out keys
 *   that contain a masked column, since masked key values differ by design). A single integer
 *   key is cut arithmetically between production's MIN and MAX (two index dives); any other key
 *   is nibbled on production (`ORDER BY key LIMIT 1 OFFSET n`, one index pass). The first and
 *   last chunks are open-ended, so rows only the sandbox has are still inside some chunk.
 * - Each chunk is one aggregate per side (COUNT(*), BIT_XOR of the row hash, see row-hash.ts),
 *   sent to production and sandbox at the same moment on a pair of connections; pairs work
 *   through one queue shared by all tables.
 * - Production rows are filtered by the table's `where`; sandbox rows are not, so a sandbox row
 *   the filter excludes is reported as extra.
 * - A differing chunk is cut into 16 parts (nibbled on the side with more rows), each checksummed
 *   again, and only differing parts are followed, down to parts of at most chunkRows/16 rows;
 *   those are read row by row as (key, SHA1 of the row) from both sides and compared, and the
 *   columns of up to 10 different rows are compared one by one. Checksumming 16 parts costs
 *   about one chunk of server time; reading a whole chunk's rows into Node costs ten times that.
 * - Tables without a usable key are compared as multisets of row hashes: 256 buckets by hash
 *   prefix in one scan per side (COUNT and SUM, which does not cancel duplicate rows), then the
 *   rows of differing buckets are counted per hash.
 * - Masked columns are left out of the row hash and checked on their own: non-NULL counts per
 *   chunk; constant rules (null, fixed) on every sandbox row; the other rules by masking a
 *   sample of production values again with maskValue and comparing with the sandbox's bytes.
 *
 * Nothing is locked and nothing is written; each chunk pair is read at about the same instant,
 * so rows production changes during the check show up as differences (they are).
 */
import type { MaintainTable, MaskRule } from '../config/types.js';
import { isKeyedRule, maskValue } from '../mask/mask-value.js';
import { quoteIdent } from '../sql/quote.js';
import type { ProductionSession, SandboxSession } from '../db/session.js';
import { isReplicoopError } from '../errors.js';
import { chooseChunkKey } from '../snapshot/chunk-key.js';
import { isRowPeriodColumn, type Column, type Snapshot, type Table } from '../snapshot/model.js';
import { displayValue } from './display-value.js';
import { allOf, isIntegerKey, keyAfter, keyAtMost, keyEquals, keyOrderBy, keySelectList, whereClause, type SqlFragment } from '../sql/key-sql.js';
import { rangeCondition, splitRange, WHOLE_RANGE, type KeyRange } from '../sql/key-range.js';
import { aggregateList, columnValueSql, rowDigest } from './row-hash.js';
import type { KeyValues, MaskedColumnResult, RowDifference, RowSample, TableDataResult } from './validation-result.js';
import type { SessionPair, WorkPool } from './work-pool.js';

export interface DataProgress {
  readonly table: string;
  readonly chunksDone: number;
  readonly chunksTotal: number;
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
const MAX_DRILL_LEAVES = 20;
const SPLIT_PARTS = 16;
/** Parts this small are compared row by row even when chunks are tiny. */
const LEAF_MIN_ROWS = 1000;
const MAX_CHUNKS = 10_000;
/** Production rows re-masked per masked table, taken from up to 5 chunks spread over the key range. */
const MASK_SAMPLE_CHUNKS = 5;
const MASK_SAMPLE_ROWS = 100;
const KEYLESS_MASK_SAMPLE_ROWS = 50;
const VALUE_DISPLAY_LENGTH = 100;

type Side = 'production' | 'sandbox';

interface MaskedColumn {
  readonly column: Column;
  readonly rule: MaskRule;
}

interface TableContext {
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

interface Sums {
  readonly count: number;
  readonly hash: string;
  /** Non-NULL count per masked column. */
  readonly nonNull: readonly number[];
  /** Sandbox only: rows not holding a fixed rule's constant, per masked column (0 for other rules). */
  readonly constantMismatches: readonly number[];
}

interface LeafRow {
  readonly key: Buffer[];
  readonly display: Buffer[];
  readonly digest: string;
}

class Findings {
  missing = 0;
  extra = 0;
  different = 0;
  readonly missingSamples: KeyValues[] = [];
  readonly extraSamples: KeyValues[] = [];
  readonly differentKeys: { key: Buffer[]; display: KeyValues }[] = [];
  readonly rowMissing: RowSample[] = [];
  readonly rowExtra: RowSample[] = [];

  get full(): boolean {
    return this.missingSamples.length >= SAMPLE_LIMIT && this.extraSamples.length >= SAMPLE_LIMIT && this.differentKeys.length >= SAMPLE_LIMIT;
  }
}

/** Checks every table in parallel; chunk work from all tables shares the pool's session pairs. */
export async function checkData(input: DataCheckInput): Promise<TableDataResult[]> {
  return Promise.all(input.maintain.map((entry) => checkTable(input, entry)));
}

async function checkTable(input: DataCheckInput, entry: MaintainTable): Promise<TableDataResult> {
  const started = performance.now();
  const table = input.production.tables.find((t) => t.name === entry.table);
  const sandboxTable = input.sandbox.tables.find((t) => t.name === entry.table);
  const notCompared = (reason: string, ctx?: TableContext): TableDataResult => emptyResult(entry, reason, ctx, started);
  if (!table) return notCompared(`table ${entry.table} is not in production`);
  if (!sandboxTable) return notCompared(`table ${entry.table} is not in the sandbox`);
  const ctx = tableContext(entry, table, sandboxTable);
  const lacking = ctx.hashed.concat(ctx.masked.map((m) => m.column)).filter((c) => !sandboxTable.columns.some((s) => s.name === c.name));
  if (lacking.length > 0) return notCompared(`the sandbox table lacks column${lacking.length > 1 ? 's' : ''} ${lacking.map((c) => c.name).join(', ')}`, ctx);
  try {
    return ctx.key === null ? await checkKeyless(input, ctx, started) : await checkRanges(input, ctx, started);
  } catch (error) {
    // A statement one side refuses (a type the sandbox lacks, a filter production rejects) makes
    // this table uncheckable, not the whole run; lost connections still end the run.
    if (isReplicoopError(error) && error.code === 'sql_error') return notCompared(error.message, ctx);
    throw error;
  }
}

function tableContext(entry: MaintainTable, table: Table, sandboxTable: Table): TableContext {
  const notes: string[] = [];
  const masked: MaskedColumn[] = [];
  for (const [name, rule] of Object.entries(entry.mask)) {
    const column = table.columns.find((c) => c.name === name);
    if (column && column.generated === null) masked.push({ column, rule });
  }
  const maskedNames = new Set(masked.map((m) => m.column.name));
  const hashed = table.columns.filter((c) => !maskedNames.has(c.name) && !isRowPeriodColumn(c));
  // A key with a masked column has different values on the two sides by design.
  const unmaskedIndexes = { ...table, indexes: table.indexes.filter((i) => !i.parts.some((p) => p.column !== null && maskedNames.has(p.column))) };
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
    notes.push(`system-versioning column${periods.length > 1 ? 's' : ''} ${periods.map((c) => c.name).join(', ')} not compared: the sandbox sets them when rows are written`);
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
  return table.indexes.some((index) => (index.kind === 'primary' || index.kind === 'unique' || index.kind === 'index') && columns.every((name, i) => index.parts[i]?.column === name && index.parts[i]?.length === null));
}

// ---------------------------------------------------------------------------------------------
// Tables with a key: checksums over key ranges.

async function checkRanges(input: DataCheckInput, ctx: TableContext, started: number): Promise<TableDataResult> {
  const ranges = await input.pool.run(async (pair) => planRanges(pair.production, ctx, await estimatedRows(pair.production, ctx.table.name), input.chunkRows));
  let done = 0;
  const progress = (): void => input.onProgress?.({ table: ctx.table.name, chunksDone: done, chunksTotal: ranges.length });
  progress();
  const sums = await Promise.all(
    ranges.map(async (range) => {
      const pair = await input.pool.run((p) => chunkSums(p, ctx, range));
      done++;
      progress();
      return pair;
    }),
  );
  const total = (side: 0 | 1, pick: (s: Sums) => number): number => sums.reduce((n, pair) => n + pick(pair[side]), 0);
  const differing = ranges.flatMap((range, i) => (sameSums(sums[i]![0], sums[i]![1]) ? [] : [{ range, production: sums[i]![0], sandbox: sums[i]![1] }]));

  // Chunks are drilled one after the other, in key order, so the samples are the first differences.
  const findings = new Findings();
  const budget = { leaves: MAX_DRILL_LEAVES };
  let complete = true;
  for (const chunk of differing) {
    if (findings.full || budget.leaves <= 0) {
      complete = false;
      break;
    }
    if (!(await drill(input, ctx, chunk.range, chunk.production.count, chunk.sandbox.count, findings, budget))) complete = false;
  }
  const different = await describeDifferences(input.pool, ctx, findings.differentKeys);
  const masked = await checkMasked(input, ctx, ranges, sums);
  return {
    table: ctx.table.name,
    status: differing.length > 0 || masked.some((m) => !m.passed) ? 'differ' : 'match',
    reason: null,
    method: 'key_ranges',
    key: ctx.key!.map((c) => c.name),
    where: ctx.entry.where,
    columns: ctx.hashed.map((c) => c.name),
    excludedColumns: ctx.masked.map((m) => m.column.name),
    productionRows: total(0, (s) => s.count),
    sandboxRows: total(1, (s) => s.count),
    chunks: ranges.length,
    differingChunks: differing.length,
    missing: { count: findings.missing, samples: findings.missingSamples },
    extra: { count: findings.extra, samples: findings.extraSamples },
    different: { count: findings.different, samples: different },
    rowSamples: { missing: [], extra: [] },
    drillComplete: complete,
    masked,
    notes: ctx.notes,
    seconds: (performance.now() - started) / 1000,
  };
}

/** The chunk ranges of a table, from production (see the file comment). */
/** information_schema's row estimate: enough to size chunks, never trusted for counts. */
async function estimatedRows(production: ProductionSession, table: string): Promise<number> {
  const rows = await production.query<{ n: string | number | null }>('SELECT TABLE_ROWS AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?', [table]);
  return Number(rows[0]?.n ?? 0);
}

async function planRanges(production: ProductionSession, ctx: TableContext, estimatedRows: number, chunkRows: number): Promise<KeyRange[]> {
  const key = ctx.key!;
  if (isIntegerKey(key)) {
    const name = quoteIdent(key[0]!.name);
    const [row] = await production.queryArrays(`SELECT MIN(${name}), MAX(${name}) FROM ${ctx.quoted}`, [], { raw: true });
    const [min, max] = (row ?? []) as (Buffer | null)[];
    if (!min || !max) return [WHOLE_RANGE];
    const lo = BigInt(min.toString('latin1'));
    const hi = BigInt(max.toString('latin1'));
    const span = hi - lo + 1n;
    const rows = estimatedRows > 0 && BigInt(estimatedRows) < span ? BigInt(estimatedRows) : span;
    const parts = bigMin(bigMin(BigInt(MAX_CHUNKS), (rows + BigInt(chunkRows) - 1n) / BigInt(chunkRows)), span);
    const boundaries: Buffer[][] = [];
    for (let i = 1n; i < parts; i++) boundaries.push([Buffer.from(String(lo + (span * i) / parts - 1n), 'latin1')]);
    return splitRange(WHOLE_RANGE, boundaries);
  }
  return splitRange(WHOLE_RANGE, await nibble(production, ctx, 'production', WHOLE_RANGE, chunkRows));
}

function bigMin(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

/** Boundaries every `step` rows of one side inside a range, read from the key index. */
async function nibble(session: ProductionSession | SandboxSession, ctx: TableContext, side: Side, range: KeyRange, step: number): Promise<Buffer[][]> {
  const key = ctx.key!;
  const boundaries: Buffer[][] = [];
  let lower = range.lower;
  for (let i = 0; i < MAX_CHUNKS; i++) {
    const condition = sideCondition(ctx, side, allOf([lower ? keyAfter(key, lower) : null, range.upper ? keyAtMost(key, range.upper) : null]));
    const rows = await session.queryArrays(
      `SELECT ${keySelectList(key)} FROM ${ctx.quoted}${whereClause(condition)} ORDER BY ${keyOrderBy(key)} LIMIT 1 OFFSET ${Math.max(0, step - 1)}`,
      condition?.params ?? [],
      { raw: true },
    );
    if (rows.length === 0) break;
    const boundary = rows[0] as Buffer[];
    boundaries.push(boundary);
    lower = boundary;
  }
  return boundaries;
}

/**
 * The filter goes last: the driver fills placeholders in order and leaves the rest alone, so a
 * '?' inside the user's filter text (a string literal) is never taken for a placeholder.
 */
function sideCondition(ctx: TableContext, side: Side, condition: SqlFragment | null): SqlFragment | null {
  // Sandbox rows kept through refreshes (maintain[].keep) are the developers', not production's.
  const kept = ctx.entry.keep ? { sql: `(${ctx.entry.keep}) IS NOT TRUE`, params: [] } : null;
  return allOf([condition, side === 'production' ? ctx.filter : kept]);
}

/** The aggregate SELECT for one side; the sandbox also counts rows not holding a fixed mask's constant. */
function aggregateSql(ctx: TableContext, side: Side, combine: 'xor' | 'sum', prefix: string | null): { select: string; params: unknown[] } {
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
      extra.push(character ? `COALESCE(SUM(NOT (CAST(${name} AS BINARY) <=> CAST(? AS BINARY))), 0)` : `COALESCE(SUM(NOT (${name} <=> ?)), 0)`);
      params.push(constant);
    }
  }
  const list = aggregateList(ctx.hashed, combine, extra);
  return { select: prefix === null ? list : `${prefix}, ${list}`, params };
}

function parseSums(row: readonly unknown[], offset: number, masked: number, side: Side): Sums {
  const text = (i: number): string => (row[offset + i] as Buffer | null)?.toString('latin1') ?? '0';
  const nonNull: number[] = [];
  const constantMismatches: number[] = [];
  for (let i = 0; i < masked; i++) nonNull.push(Number(text(2 + i)));
  for (let i = 0; i < masked; i++) constantMismatches.push(side === 'sandbox' ? Number(text(2 + masked + i)) : 0);
  return { count: Number(text(0)), hash: text(1), nonNull, constantMismatches };
}

async function sideSums(session: ProductionSession | SandboxSession, ctx: TableContext, side: Side, range: KeyRange): Promise<Sums> {
  const { select, params } = aggregateSql(ctx, side, 'xor', null);
  const condition = sideCondition(ctx, side, rangeCondition(ctx.key!, range));
  const rows = await session.queryArrays(`SELECT ${select} FROM ${ctx.quoted}${whereClause(condition)}`, [...params, ...(condition?.params ?? [])], { raw: true });
  return parseSums(rows[0] ?? [], 0, ctx.masked.length, side);
}

/** Both sides of one chunk at the same moment. */
async function chunkSums(pair: SessionPair, ctx: TableContext, range: KeyRange): Promise<[Sums, Sums]> {
  return Promise.all([sideSums(pair.production, ctx, 'production', range), sideSums(pair.sandbox, ctx, 'sandbox', range)]);
}

/** Equal rows: the masked columns' counts are judged by checkMasked, not here. */
function sameSums(a: Sums, b: Sums): boolean {
  return a.count === b.count && a.hash === b.hash;
}

/**
 * Follows one differing range down to row level. Returns false when the budget ran out before
 * every differing part was compared.
 */
async function drill(input: DataCheckInput, ctx: TableContext, range: KeyRange, productionCount: number, sandboxCount: number, findings: Findings, budget: { leaves: number }): Promise<boolean> {
  if (findings.full || budget.leaves <= 0) return false;
  const larger = Math.max(productionCount, sandboxCount);
  if (larger > Math.max(LEAF_MIN_ROWS, Math.ceil(input.chunkRows / SPLIT_PARTS))) {
    const side: Side = productionCount >= sandboxCount ? 'production' : 'sandbox';
    const step = Math.max(1, Math.ceil(larger / SPLIT_PARTS));
    const boundaries = await input.pool.run((pair) => nibble(pair[side], ctx, side, range, step));
    const parts = splitRange(range, boundaries);
    const sums = await Promise.all(parts.map((part) => input.pool.run((pair) => chunkSums(pair, ctx, part))));
    let complete = true;
    for (const [i, part] of parts.entries()) {
      const [p, s] = sums[i]!;
      if (sameSums(p, s)) continue;
      if (!(await drill(input, ctx, part, p.count, s.count, findings, budget))) complete = false;
    }
    return complete;
  }
  budget.leaves--;
  const [productionLeaf, sandboxLeaf] = await input.pool.run((pair) => Promise.all([leafRows(pair.production, ctx, 'production', range), leafRows(pair.sandbox, ctx, 'sandbox', range)]));
  const production = productionLeaf.rows;
  const sandbox = sandboxLeaf.rows;
  const keyDisplay = (row: LeafRow): KeyValues => Object.fromEntries(ctx.key!.map((c, i) => [c.name, displayValue(row.display[i]!, c)]));
  // More rows under one key on one side than on the other: extra (or missing) copies.
  for (const id of new Set([...productionLeaf.duplicates.keys(), ...sandboxLeaf.duplicates.keys()])) {
    const p = productionLeaf.duplicates.get(id);
    const s = sandboxLeaf.duplicates.get(id);
    const surplus = (s?.count ?? 0) - (p?.count ?? 0);
    if (surplus > 0) {
      findings.extra += surplus;
      if (findings.extraSamples.length < SAMPLE_LIMIT) findings.extraSamples.push(keyDisplay(s!.row));
    } else if (surplus < 0) {
      findings.missing -= surplus;
      if (findings.missingSamples.length < SAMPLE_LIMIT) findings.missingSamples.push(keyDisplay(p!.row));
    }
  }
  for (const [id, row] of production) {
    const other = sandbox.get(id);
    if (!other) {
      findings.missing++;
      if (findings.missingSamples.length < SAMPLE_LIMIT) findings.missingSamples.push(keyDisplay(row));
    } else if (other.digest !== row.digest) {
      findings.different++;
      if (findings.differentKeys.length < SAMPLE_LIMIT) findings.differentKeys.push({ key: row.key, display: keyDisplay(row) });
    }
  }
  for (const [id, row] of sandbox) {
    if (production.has(id)) continue;
    findings.extra++;
    if (findings.extraSamples.length < SAMPLE_LIMIT) findings.extraSamples.push(keyDisplay(row));
  }
  return true;
}

interface Leaf {
  readonly rows: Map<string, LeafRow>;
  /** More rows under a key already seen: only possible when a unique index was not enforced (unique_checks=0). */
  readonly duplicates: Map<string, { readonly row: LeafRow; count: number }>;
}

/** (key, SHA1 of the row) for every row of one side in a range, by key identity. */
async function leafRows(session: ProductionSession | SandboxSession, ctx: TableContext, side: Side, range: KeyRange): Promise<Leaf> {
  const key = ctx.key!;
  const condition = sideCondition(ctx, side, rangeCondition(key, range));
  const plain = key.map((c) => quoteIdent(c.name)).join(', ');
  const rows = await session.queryArrays(`SELECT ${keySelectList(key)}, ${plain}, ${rowDigest(ctx.hashed)} FROM ${ctx.quoted}${whereClause(condition)}`, condition?.params ?? [], { raw: true });
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

/** For each sampled different row: which columns differ, with both values. */
async function describeDifferences(pool: WorkPool, ctx: TableContext, keys: readonly { key: Buffer[]; display: KeyValues }[]): Promise<RowDifference[]> {
  if (keys.length === 0) return [];
  const select = ctx.hashed.map(columnValueSql).join(', ');
  return pool.run(async (pair) => {
    const out: RowDifference[] = [];
    for (const { key, display } of keys) {
      const condition = keyEquals(ctx.key!, key);
      const sql = `SELECT ${select} FROM ${ctx.quoted} WHERE ${condition.sql}`;
      const [p, s] = await Promise.all([pair.production.queryArrays(sql, condition.params, { raw: true }), pair.sandbox.queryArrays(sql, condition.params, { raw: true })]);
      const a = (p[0] ?? []) as (Buffer | null)[];
      const b = (s[0] ?? []) as (Buffer | null)[];
      const columns = ctx.hashed
        .map((column, i) => ({ column, a: a[i] ?? null, b: b[i] ?? null }))
        .filter(({ a: x, b: y }) => (x === null) !== (y === null) || (x !== null && y !== null && !x.equals(y)))
        .map(({ column, a: x, b: y }) => ({ column: column.name, production: displayValue(x, column, VALUE_DISPLAY_LENGTH), sandbox: displayValue(y, column, VALUE_DISPLAY_LENGTH) }));
      out.push({ key: display, columns });
    }
    return out;
  });
}

// ---------------------------------------------------------------------------------------------
// Tables without a usable key: multisets of row hashes in 256 buckets.

const BUCKET_SQL = (ctx: TableContext): string => `LEFT(${rowDigest(ctx.hashed)}, 2)`;

async function checkKeyless(input: DataCheckInput, ctx: TableContext, started: number): Promise<TableDataResult> {
  input.onProgress?.({ table: ctx.table.name, chunksDone: 0, chunksTotal: 1 });
  const bucketSums = async (session: ProductionSession | SandboxSession, side: Side): Promise<Map<string, Sums>> => {
    const { select, params } = aggregateSql(ctx, side, 'sum', BUCKET_SQL(ctx));
    const condition = sideCondition(ctx, side, null);
    const rows = await session.queryArrays(`SELECT ${select} FROM ${ctx.quoted}${whereClause(condition)} GROUP BY 1`, [...params, ...(condition?.params ?? [])], { raw: true });
    return new Map((rows as Buffer[][]).map((row) => [row[0]!.toString('latin1'), parseSums(row, 1, ctx.masked.length, side)]));
  };
  const [production, sandbox] = await input.pool.run((pair) => Promise.all([bucketSums(pair.production, 'production'), bucketSums(pair.sandbox, 'sandbox')]));
  input.onProgress?.({ table: ctx.table.name, chunksDone: 1, chunksTotal: 1 });
  const empty: Sums = { count: 0, hash: '0', nonNull: ctx.masked.map(() => 0), constantMismatches: ctx.masked.map(() => 0) };
  const buckets = [...new Set([...production.keys(), ...sandbox.keys()])].sort();
  const differing = buckets.filter((b) => !sameSums(production.get(b) ?? empty, sandbox.get(b) ?? empty));
  const findings = new Findings();
  if (differing.length > 0) await drillBuckets(input.pool, ctx, differing, findings);
  const totals = (map: Map<string, Sums>): Sums => {
    const all = [...map.values()];
    return {
      count: all.reduce((n, s) => n + s.count, 0),
      hash: '',
      nonNull: ctx.masked.map((_, i) => all.reduce((n, s) => n + s.nonNull[i]!, 0)),
      constantMismatches: ctx.masked.map((_, i) => all.reduce((n, s) => n + s.constantMismatches[i]!, 0)),
    };
  };
  const p = totals(production);
  const s = totals(sandbox);
  const masked = await checkMaskedKeyless(input, ctx, p, s);
  return {
    table: ctx.table.name,
    status: differing.length > 0 || masked.some((m) => !m.passed) ? 'differ' : 'match',
    reason: null,
    method: 'hash_buckets',
    key: null,
    where: ctx.entry.where,
    columns: ctx.hashed.map((c) => c.name),
    excludedColumns: ctx.masked.map((m) => m.column.name),
    productionRows: p.count,
    sandboxRows: s.count,
    chunks: buckets.length,
    differingChunks: differing.length,
    missing: { count: findings.missing, samples: [] },
    extra: { count: findings.extra, samples: [] },
    different: { count: 0, samples: [] },
    rowSamples: { missing: findings.rowMissing, extra: findings.rowExtra },
    drillComplete: true,
    masked,
    notes: ctx.notes,
    seconds: (performance.now() - started) / 1000,
  };
}

/** Counts rows per hash in the differing buckets on both sides, then shows a few whole rows. */
async function drillBuckets(pool: WorkPool, ctx: TableContext, buckets: readonly string[], findings: Findings): Promise<void> {
  const digest = rowDigest(ctx.hashed);
  const perHash = async (session: ProductionSession | SandboxSession, side: Side): Promise<Map<string, number>> => {
    const condition = sideCondition(ctx, side, { sql: `${BUCKET_SQL(ctx)} IN (${buckets.map(() => '?').join(', ')})`, params: buckets });
    const rows = await session.queryArrays(`SELECT ${digest}, COUNT(*) FROM ${ctx.quoted}${whereClause(condition)} GROUP BY 1`, condition!.params, { raw: true });
    return new Map((rows as Buffer[][]).map((row) => [row[0]!.toString('latin1'), Number(row[1]!.toString('latin1'))]));
  };
  const [production, sandbox] = await pool.run((pair) => Promise.all([perHash(pair.production, 'production'), perHash(pair.sandbox, 'sandbox')]));
  const missing: [string, number][] = [];
  const extra: [string, number][] = [];
  for (const [hash, count] of production) {
    const other = sandbox.get(hash) ?? 0;
    if (count > other) missing.push([hash, count - other]);
  }
  for (const [hash, count] of sandbox) {
    const other = production.get(hash) ?? 0;
    if (count > other) extra.push([hash, count - other]);
  }
  findings.missing = missing.reduce((n, [, c]) => n + c, 0);
  findings.extra = extra.reduce((n, [, c]) => n + c, 0);
  const sampleRows = async (session: ProductionSession | SandboxSession, side: Side, hashes: readonly [string, number][]): Promise<RowSample[]> => {
    if (hashes.length === 0) return [];
    const condition = sideCondition(ctx, side, { sql: `${digest} IN (${hashes.map(() => '?').join(', ')})`, params: hashes.map(([h]) => h) });
    const rows = await session.queryArrays(`SELECT ${digest}, ${ctx.hashed.map(columnValueSql).join(', ')} FROM ${ctx.quoted}${whereClause(condition)}`, condition!.params, { raw: true });
    const copies = new Map(hashes);
    const seen = new Set<string>();
    const out: RowSample[] = [];
    for (const row of rows as (Buffer | null)[][]) {
      const hash = row[0]!.toString('latin1');
      if (seen.has(hash)) continue;
      seen.add(hash);
      out.push({ row: Object.fromEntries(ctx.hashed.map((c, i) => [c.name, displayValue(row[i + 1] ?? null, c, VALUE_DISPLAY_LENGTH)])), copies: copies.get(hash) ?? 1 });
    }
    return out;
  };
  const [rowMissing, rowExtra] = await pool.run((pair) =>
    Promise.all([sampleRows(pair.production, 'production', missing.slice(0, SAMPLE_LIMIT)), sampleRows(pair.sandbox, 'sandbox', extra.slice(0, SAMPLE_LIMIT))]),
  );
  findings.rowMissing.push(...rowMissing);
  findings.rowExtra.push(...rowExtra);
}

// ---------------------------------------------------------------------------------------------
// Masked columns.

function describeRule(rule: MaskRule): string {
  return rule.kind === 'fixed' ? `fixed:${rule.value === null ? 'null' : String(rule.value)}` : rule.kind;
}

function isConstantRule(rule: MaskRule): boolean {
  return rule.kind === 'null' || rule.kind === 'fixed';
}

interface MaskTally {
  checked: number;
  mismatches: number;
  readonly keys: KeyValues[];
  note: string | null;
}

function maskedResults(ctx: TableContext, production: Sums, sandbox: Sums, tallies: readonly MaskTally[]): MaskedColumnResult[] {
  return ctx.masked.map((m, i) => {
    const tally = tallies[i]!;
    const constant = isConstantRule(m.rule);
    const yieldsNull = m.rule.kind === 'null' || (m.rule.kind === 'fixed' && m.rule.value === null);
    const expected = yieldsNull ? 0 : m.rule.kind === 'fixed' ? production.count : production.nonNull[i]!;
    const sandboxNonNull = sandbox.nonNull[i]!;
    // Constant rules: every sandbox row is checked by the aggregate (count for NULL, SUM for a value).
    const mismatches = constant ? (yieldsNull ? sandboxNonNull : sandbox.constantMismatches[i]!) : tally.mismatches;
    const verified: MaskedColumnResult['verified'] = constant ? 'all_rows' : tally.checked > 0 ? 'sample' : 'count_only';
    return {
      column: m.column.name,
      rule: describeRule(m.rule),
      productionNonNull: production.nonNull[i]!,
      sandboxNonNull,
      expectedSandboxNonNull: expected,
      verified,
      checked: constant ? sandbox.count : tally.checked,
      mismatches,
      mismatchKeys: constant ? [] : tally.keys,
      passed: sandboxNonNull === expected && mismatches === 0,
      note: tally.note,
    };
  });
}

/** The rules whose sample can be recomputed here (keyed rules need the secret). */
function sampledColumns(ctx: TableContext, secret: string | null, tallies: MaskTally[]): number[] {
  const out: number[] = [];
  ctx.masked.forEach((m, i) => {
    if (isConstantRule(m.rule)) return;
    if (isKeyedRule(m.rule) && !secret) {
      tallies[i]!.note = 'masking.secret is not set: values not recomputed, non-NULL count only';
      return;
    }
    out.push(i);
  });
  return out;
}

function expectedMask(m: MaskedColumn, value: Buffer | null, secret: string | null): Buffer | null {
  return maskValue(m.rule, value, m.column, secret);
}

function sameBytes(a: Buffer | null, b: Buffer | null): boolean {
  return a === null || b === null ? a === b : a.equals(b);
}

async function checkMasked(input: DataCheckInput, ctx: TableContext, ranges: readonly KeyRange[], sums: readonly [Sums, Sums][]): Promise<MaskedColumnResult[]> {
  if (ctx.masked.length === 0) return [];
  const add = (pick: 0 | 1): Sums => ({
    count: sums.reduce((n, s) => n + s[pick].count, 0),
    hash: '',
    nonNull: ctx.masked.map((_, i) => sums.reduce((n, s) => n + s[pick].nonNull[i]!, 0)),
    constantMismatches: ctx.masked.map((_, i) => sums.reduce((n, s) => n + s[pick].constantMismatches[i]!, 0)),
  });
  const tallies: MaskTally[] = ctx.masked.map(() => ({ checked: 0, mismatches: 0, keys: [], note: null }));
  const sampled = sampledColumns(ctx, input.maskSecret, tallies);
  if (sampled.length > 0) {
    const key = ctx.key!;
    // Chunks spread over the key range, so the sample is not just the oldest rows.
    const picks = [...new Set(Array.from({ length: Math.min(MASK_SAMPLE_CHUNKS, ranges.length) }, (_, i) => Math.floor((i * ranges.length) / Math.min(MASK_SAMPLE_CHUNKS, ranges.length))))];
    const maskedList = sampled.map((i) => quoteIdent(ctx.masked[i]!.column.name)).join(', ');
    const plain = key.map((c) => quoteIdent(c.name)).join(', ');
    const n = key.length;
    const perChunk = Math.ceil(MASK_SAMPLE_ROWS / picks.length);
    for (const pick of picks) {
      const range = ranges[pick]!;
      await input.pool.run(async (pair) => {
        const pc = sideCondition(ctx, 'production', rangeCondition(key, range));
        const prodRows = (await pair.production.queryArrays(
          `SELECT ${keySelectList(key)}, ${plain}, ${maskedList} FROM ${ctx.quoted}${whereClause(pc)} ORDER BY ${keyOrderBy(key)} LIMIT ${perChunk}`,
          pc?.params ?? [],
          { raw: true },
        )) as (Buffer | null)[][];
        if (prodRows.length === 0) return;
        const last = prodRows[prodRows.length - 1]!.slice(0, n) as Buffer[];
        const sc = allOf([range.lower ? keyAfter(key, range.lower) : null, keyAtMost(key, last)]);
        const sandboxRows = (await pair.sandbox.queryArrays(`SELECT ${keySelectList(key)}, ${maskedList} FROM ${ctx.quoted}${whereClause(sc)}`, sc?.params ?? [], { raw: true })) as (Buffer | null)[][];
        const byKey = new Map(sandboxRows.map((row) => [row.slice(0, n).map((b) => b!.toString('hex')).join(':'), row.slice(n)]));
        for (const row of prodRows) {
          const id = row.slice(0, n).map((b) => b!.toString('hex')).join(':');
          const actual = byKey.get(id);
          if (!actual) continue; // a missing row is reported by the checksums
          sampled.forEach((columnIndex, j) => {
            const tally = tallies[columnIndex]!;
            tally.checked++;
            if (!sameBytes(expectedMask(ctx.masked[columnIndex]!, row[2 * n + j] ?? null, input.maskSecret), actual[j] ?? null)) {
              tally.mismatches++;
              if (tally.keys.length < SAMPLE_LIMIT) tally.keys.push(Object.fromEntries(key.map((c, k) => [c.name, displayValue(row[n + k] ?? null, c)])));
            }
          });
        }
      });
    }
  }
  return maskedResults(ctx, add(0), add(1), tallies);
}

/** Without a key, sampled rows are paired by the hash of their unmasked columns. */
async function checkMaskedKeyless(input: DataCheckInput, ctx: TableContext, production: Sums, sandbox: Sums): Promise<MaskedColumnResult[]> {
  if (ctx.masked.length === 0) return [];
  const tallies: MaskTally[] = ctx.masked.map(() => ({ checked: 0, mismatches: 0, keys: [], note: null }));
  const sampled = sampledColumns(ctx, input.maskSecret, tallies);
  if (sampled.length > 0) {
    const digest = rowDigest(ctx.hashed);
    const maskedList = sampled.map((i) => quoteIdent(ctx.masked[i]!.column.name)).join(', ');
    await input.pool.run(async (pair) => {
      const pc = sideCondition(ctx, 'production', null);
      const prodRows = (await pair.production.queryArrays(
        `SELECT ${digest}, ${maskedList}, ${ctx.hashed.map(columnValueSql).join(', ')} FROM ${ctx.quoted}${whereClause(pc)} LIMIT ${KEYLESS_MASK_SAMPLE_ROWS}`,
        pc?.params ?? [],
        { raw: true },
      )) as (Buffer | null)[][];
      if (prodRows.length === 0) return;
      const hashes = [...new Set(prodRows.map((r) => r[0]!.toString('latin1')))];
      const sandboxRows = (await pair.sandbox.queryArrays(
        `SELECT ${digest}, ${maskedList} FROM ${ctx.quoted} WHERE ${digest} IN (${hashes.map(() => '?').join(', ')})`,
        hashes,
        { raw: true },
      )) as (Buffer | null)[][];
      sampled.forEach((columnIndex, j) => {
        const tally = tallies[columnIndex]!;
        // Rows with equal unmasked columns are interchangeable: each expected value must find its own match.
        const remaining = new Map<string, (Buffer | null)[]>();
        for (const row of sandboxRows) {
          const hash = row[0]!.toString('latin1');
          remaining.set(hash, [...(remaining.get(hash) ?? []), row[1 + j] ?? null]);
        }
        for (const row of prodRows) {
          const hash = row[0]!.toString('latin1');
          const candidates = remaining.get(hash);
          if (!candidates || candidates.length === 0) continue;
          tally.checked++;
          const expected = expectedMask(ctx.masked[columnIndex]!, row[1 + j] ?? null, input.maskSecret);
          const at = candidates.findIndex((c) => sameBytes(c, expected));
          if (at >= 0) candidates.splice(at, 1);
          else {
            candidates.pop();
            tally.mismatches++;
            if (tally.keys.length < SAMPLE_LIMIT) {
              tally.keys.push(Object.fromEntries(ctx.hashed.map((c, k) => [c.name, displayValue(row[1 + sampled.length + k] ?? null, c, VALUE_DISPLAY_LENGTH)])));
            }
          }
        }
      });
    });
  }
  return maskedResults(ctx, production, sandbox, tallies);
}

function emptyResult(entry: MaintainTable, reason: string, ctx: TableContext | undefined, started: number): TableDataResult {
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
