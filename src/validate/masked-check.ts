/**
 * Masked columns, left out of the row hash and checked on their own: non-NULL counts per chunk;
 * constant rules (null, fixed) on every sandbox row; the other rules by masking a sample of
 * production values again with maskValue and comparing with the sandbox's bytes.
 */
import type { MaskRule } from '../config/types.js';
import { isKeyedRule, maskValue } from '../mask/mask-value.js';
import { quoteIdent } from '../sql/quote.js';
import { displayValue } from './display-value.js';
import { allOf, keyAfter, keyAtMost, keyOrderBy, keySelectList, whereClause } from '../sql/key-sql.js';
import { rangeCondition, type KeyRange } from '../sql/key-range.js';
import { columnValueSql, rowDigest } from '../sql/row-hash.js';
import type { KeyValues, MaskedColumnResult } from './validation-result.js';
import {
  KEYLESS_MASK_SAMPLE_ROWS,
  MASK_SAMPLE_CHUNKS,
  MASK_SAMPLE_ROWS,
  SAMPLE_LIMIT,
  sideCondition,
  VALUE_DISPLAY_LENGTH,
  type DataCheckInput,
  type MaskedColumn,
  type Sums,
  type TableContext,
} from './table-context.js';

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

export async function checkMasked(
  input: DataCheckInput,
  ctx: TableContext,
  ranges: readonly KeyRange[],
  sums: readonly [Sums, Sums][],
): Promise<MaskedColumnResult[]> {
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
    const picks = [
      ...new Set(
        Array.from({ length: Math.min(MASK_SAMPLE_CHUNKS, ranges.length) }, (_, i) =>
          Math.floor((i * ranges.length) / Math.min(MASK_SAMPLE_CHUNKS, ranges.length)),
        ),
      ),
    ];
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
        const sandboxRows = (await pair.sandbox.queryArrays(
          `SELECT ${keySelectList(key)}, ${maskedList} FROM ${ctx.quoted}${whereClause(sc)}`,
          sc?.params ?? [],
          { raw: true },
        )) as (Buffer | null)[][];
        const byKey = new Map(
          sandboxRows.map((row) => [
            row
              .slice(0, n)
              .map((b) => b!.toString('hex'))
              .join(':'),
            row.slice(n),
          ]),
        );
        for (const row of prodRows) {
          const id = row
            .slice(0, n)
            .map((b) => b!.toString('hex'))
            .join(':');
          const actual = byKey.get(id);
          if (!actual) continue; // a missing row is reported by the checksums
          sampled.forEach((columnIndex, j) => {
            const tally = tallies[columnIndex]!;
            tally.checked++;
            if (!sameBytes(expectedMask(ctx.masked[columnIndex]!, row[2 * n + j] ?? null, input.maskSecret), actual[j] ?? null)) {
              tally.mismatches++;
              if (tally.keys.length < SAMPLE_LIMIT)
                tally.keys.push(Object.fromEntries(key.map((c, k) => [c.name, displayValue(row[n + k] ?? null, c)])));
            }
          });
        }
      });
    }
  }
  return maskedResults(ctx, add(0), add(1), tallies);
}

/** Without a key, sampled rows are paired by the hash of their unmasked columns. */
export async function checkMaskedKeyless(
  input: DataCheckInput,
  ctx: TableContext,
  production: Sums,
  sandbox: Sums,
): Promise<MaskedColumnResult[]> {
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
              tally.keys.push(
                Object.fromEntries(
                  ctx.hashed.map((c, k) => [c.name, displayValue(row[1 + sampled.length + k] ?? null, c, VALUE_DISPLAY_LENGTH)]),
                ),
              );
            }
          }
        }
      });
    });
  }
  return maskedResults(ctx, production, sandbox, tallies);
}
