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
import type { MaintainTable } from '../config/types.js';
import type { ProductionSession } from '../db/session.js';
import { isReplicoopError } from '../errors.js';
import { displayValue } from './display-value.js';
import { keyEquals } from '../sql/key-sql.js';
import { splitRange, WHOLE_RANGE, type KeyRange } from '../sql/key-range.js';
import { columnValueSql } from '../sql/row-hash.js';
import { cutKeyRange, estimateTable, nibbleBoundaries } from '../db/key-boundaries.js';
import type { KeyValues, RowDifference, TableDataResult } from './validation-result.js';
import type { WorkPool } from './work-pool.js';
import { checkKeyless } from './keyless-check.js';
import { checkMasked } from './masked-check.js';
import {
  chunkSums,
  cutTarget,
  emptyResult,
  Findings,
  leafRows,
  LEAF_MIN_ROWS,
  MAX_CHUNKS,
  MAX_DRILL_LEAVES,
  sameSums,
  SAMPLE_LIMIT,
  SPLIT_PARTS,
  tableContext,
  VALUE_DISPLAY_LENGTH,
  type DataCheckInput,
  type LeafRow,
  type Side,
  type Sums,
  type TableContext,
} from './table-context.js';

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
  if (lacking.length > 0)
    return notCompared(`the sandbox table lacks column${lacking.length > 1 ? 's' : ''} ${lacking.map((c) => c.name).join(', ')}`, ctx);
  try {
    return ctx.key === null ? await checkKeyless(input, ctx, started) : await checkRanges(input, ctx, started);
  } catch (error) {
    // A statement one side refuses (a type the sandbox lacks, a filter production rejects) makes
    // this table uncheckable, not the whole run; lost connections still end the run.
    if (isReplicoopError(error) && error.code === 'sql_error') return notCompared(error.message, ctx);
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// Tables with a key: checksums over key ranges.

async function checkRanges(input: DataCheckInput, ctx: TableContext, started: number): Promise<TableDataResult> {
  const ranges = await input.pool.run((pair) => planRanges(pair.production, ctx, input.chunkRows));
  let done = 0;
  let rowsDone = 0;
  const progress = (): void => input.onProgress?.({ table: ctx.table.name, chunksDone: done, chunksTotal: ranges.length, rowsDone });
  progress();
  const sums = await Promise.all(
    ranges.map(async (range) => {
      const pair = await input.pool.run((p) => chunkSums(p, ctx, range));
      done++;
      rowsDone += pair[0].count;
      progress();
      return pair;
    }),
  );
  const total = (side: 0 | 1, pick: (s: Sums) => number): number => sums.reduce((n, pair) => n + pick(pair[side]), 0);
  const differing = ranges.flatMap((range, i) =>
    sameSums(sums[i]![0], sums[i]![1]) ? [] : [{ range, production: sums[i]![0], sandbox: sums[i]![1] }],
  );

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

/** The chunk ranges of a table, from production (see the file comment and db/key-boundaries.ts). */
async function planRanges(production: ProductionSession, ctx: TableContext, chunkRows: number): Promise<KeyRange[]> {
  const estimate = await estimateTable(production, ctx.table.name);
  const size = { estimatedRows: estimate.rows, rowsPerPart: chunkRows, maxParts: MAX_CHUNKS };
  const boundaries = await cutKeyRange(production, cutTarget(ctx, 'production'), size);
  return splitRange(WHOLE_RANGE, boundaries);
}

/**
 * Follows one differing range down to row level. Returns false when the budget ran out before
 * every differing part was compared.
 */
async function drill(
  input: DataCheckInput,
  ctx: TableContext,
  range: KeyRange,
  productionCount: number,
  sandboxCount: number,
  findings: Findings,
  budget: { leaves: number },
): Promise<boolean> {
  if (findings.full || budget.leaves <= 0) return false;
  const larger = Math.max(productionCount, sandboxCount);
  if (larger > Math.max(LEAF_MIN_ROWS, Math.ceil(input.chunkRows / SPLIT_PARTS))) {
    const side: Side = productionCount >= sandboxCount ? 'production' : 'sandbox';
    const step = Math.max(1, Math.ceil(larger / SPLIT_PARTS));
    const boundaries = await input.pool.run((pair) => nibbleBoundaries(pair[side], cutTarget(ctx, side), range, step, MAX_CHUNKS));
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
  const [productionLeaf, sandboxLeaf] = await input.pool.run((pair) =>
    Promise.all([leafRows(pair.production, ctx, 'production', range), leafRows(pair.sandbox, ctx, 'sandbox', range)]),
  );
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

/** For each sampled different row: which columns differ, with both values. */
async function describeDifferences(
  pool: WorkPool,
  ctx: TableContext,
  keys: readonly { key: Buffer[]; display: KeyValues }[],
): Promise<RowDifference[]> {
  if (keys.length === 0) return [];
  const select = ctx.hashed.map(columnValueSql).join(', ');
  return pool.run(async (pair) => {
    const out: RowDifference[] = [];
    for (const { key, display } of keys) {
      const condition = keyEquals(ctx.key!, key);
      const sql = `SELECT ${select} FROM ${ctx.quoted} WHERE ${condition.sql}`;
      const [p, s] = await Promise.all([
        pair.production.queryArrays(sql, condition.params, { raw: true }),
        pair.sandbox.queryArrays(sql, condition.params, { raw: true }),
      ]);
      const a = (p[0] ?? []) as (Buffer | null)[];
      const b = (s[0] ?? []) as (Buffer | null)[];
      const columns = ctx.hashed
        .map((column, i) => ({ column, a: a[i] ?? null, b: b[i] ?? null }))
        .filter(({ a: x, b: y }) => (x === null) !== (y === null) || (x !== null && y !== null && !x.equals(y)))
        .map(({ column, a: x, b: y }) => ({
          column: column.name,
          production: displayValue(x, column, VALUE_DISPLAY_LENGTH),
          sandbox: displayValue(y, column, VALUE_DISPLAY_LENGTH),
        }));
      out.push({ key: display, columns });
    }
    return out;
  });
}
