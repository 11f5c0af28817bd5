/**
 * The data check of a table without a usable key: the rows of each side as a multiset of row
 * hashes, in 256 buckets by hash prefix (one scan per side), then the rows of differing buckets
 * counted per hash. See data-checksum.ts for the method as a whole.
 */
import type { ProductionSession, SandboxSession } from '../db/session.js';
import { displayValue } from './display-value.js';
import { whereClause } from '../sql/key-sql.js';
import { columnValueSql, rowDigest } from '../sql/row-hash.js';
import type { RowSample, TableDataResult } from './validation-result.js';
import type { WorkPool } from './work-pool.js';
import { checkMaskedKeyless } from './masked-check.js';
import {
  aggregateSql,
  Findings,
  parseSums,
  sameSums,
  sideCondition,
  SAMPLE_LIMIT,
  VALUE_DISPLAY_LENGTH,
  type DataCheckInput,
  type Side,
  type Sums,
  type TableContext,
} from './table-context.js';

const BUCKET_SQL = (ctx: TableContext): string => `LEFT(${rowDigest(ctx.hashed)}, 2)`;

export async function checkKeyless(input: DataCheckInput, ctx: TableContext, started: number): Promise<TableDataResult> {
  input.onProgress?.({ table: ctx.table.name, chunksDone: 0, chunksTotal: 1, rowsDone: 0 });
  const bucketSums = async (session: ProductionSession | SandboxSession, side: Side): Promise<Map<string, Sums>> => {
    const { select, params } = aggregateSql(ctx, side, 'sum', BUCKET_SQL(ctx));
    const condition = sideCondition(ctx, side, null);
    const rows = await session.queryArrays(
      `SELECT ${select} FROM ${ctx.quoted}${whereClause(condition)} GROUP BY 1`,
      [...params, ...(condition?.params ?? [])],
      { raw: true },
    );
    return new Map((rows as Buffer[][]).map((row) => [row[0]!.toString('latin1'), parseSums(row, 1, ctx.masked.length, side)]));
  };
  const [production, sandbox] = await input.pool.run((pair) =>
    Promise.all([bucketSums(pair.production, 'production'), bucketSums(pair.sandbox, 'sandbox')]),
  );
  let rowsDone = 0;
  for (const sums of production.values()) rowsDone += sums.count;
  input.onProgress?.({ table: ctx.table.name, chunksDone: 1, chunksTotal: 1, rowsDone });
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
    const rows = await session.queryArrays(
      `SELECT ${digest}, COUNT(*) FROM ${ctx.quoted}${whereClause(condition)} GROUP BY 1`,
      condition!.params,
      { raw: true },
    );
    return new Map((rows as Buffer[][]).map((row) => [row[0]!.toString('latin1'), Number(row[1]!.toString('latin1'))]));
  };
  const [production, sandbox] = await pool.run((pair) =>
    Promise.all([perHash(pair.production, 'production'), perHash(pair.sandbox, 'sandbox')]),
  );
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
  const sampleRows = async (
    session: ProductionSession | SandboxSession,
    side: Side,
    hashes: readonly [string, number][],
  ): Promise<RowSample[]> => {
    if (hashes.length === 0) return [];
    const condition = sideCondition(ctx, side, {
      sql: `${digest} IN (${hashes.map(() => '?').join(', ')})`,
      params: hashes.map(([h]) => h),
    });
    const rows = await session.queryArrays(
      `SELECT ${digest}, ${ctx.hashed.map(columnValueSql).join(', ')} FROM ${ctx.quoted}${whereClause(condition)}`,
      condition!.params,
      { raw: true },
    );
    const copies = new Map(hashes);
    const seen = new Set<string>();
    const out: RowSample[] = [];
    for (const row of rows as (Buffer | null)[][]) {
      const hash = row[0]!.toString('latin1');
      if (seen.has(hash)) continue;
      seen.add(hash);
      out.push({
        row: Object.fromEntries(ctx.hashed.map((c, i) => [c.name, displayValue(row[i + 1] ?? null, c, VALUE_DISPLAY_LENGTH)])),
        copies: copies.get(hash) ?? 1,
      });
    }
    return out;
  };
  const [rowMissing, rowExtra] = await pool.run((pair) =>
    Promise.all([
      sampleRows(pair.production, 'production', missing.slice(0, SAMPLE_LIMIT)),
      sampleRows(pair.sandbox, 'sandbox', extra.slice(0, SAMPLE_LIMIT)),
    ]),
  );
  findings.rowMissing.push(...rowMissing);
  findings.rowExtra.push(...rowExtra);
}
