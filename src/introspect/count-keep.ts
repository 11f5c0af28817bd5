import type { MaskRule } from '../config/types.js';
import { quoteIdent } from '../sql/quote.js';
import type { Queryable } from '../db/session.js';
import type { Table } from '../snapshot/model.js';

/** One unique key of production's table (PRIMARY or UNIQUE), as a kept sandbox row can collide with it. */
export interface KeepKey {
  readonly name: string;
  /** Column parts; `length` is an index prefix (the key compares only that many characters or bytes). */
  readonly parts: readonly { readonly column: string; readonly length: number | null }[];
}

export interface KeepCount {
  /** Sandbox rows matching maintain[].keep: they survive the refresh. */
  readonly kept: number;
  /** Sandbox rows the refresh deletes (every other row). */
  readonly deleted: number;
  /** Kept rows with the value of a unique key of a production row the copy brings (the copy would collide with them). */
  readonly collisions: number;
  /** Up to five, e.g. "key PRIMARY: id=50". */
  readonly samples: readonly string[];
}

/** Kept keys read from the sandbox per query (keyset pages, no cap) and looked up in production per query. */
const KEEP_PAGE = 5_000;
const KEEP_BATCH = 500;
const SAMPLES = 5;

/**
 * The unique keys a kept row must not share with production's rows: every PRIMARY and UNIQUE
 * index whose parts are columns (a functional part cannot be compared from outside the server).
 * Keys with a masked column are left out: production's value reaches the sandbox masked, so
 * comparing it unmasked would prove nothing; a collision there is reported by the copy itself
 * (copy/keep-collision.ts).
 */
export function keepKeys(table: Table, mask: Readonly<Record<string, MaskRule>>): KeepKey[] {
  return table.indexes
    .filter((i) => (i.kind === 'primary' || i.kind === 'unique') && i.parts.length > 0)
    .filter((i) => i.parts.every((p) => p.column !== null && mask[p.column] === undefined))
    .map((i) => ({ name: i.name, parts: i.parts.map((p) => ({ column: p.column!, length: p.length })) }));
}

/**
 * maintain[].keep: how many sandbox rows the refresh deletes and keeps, and how many kept rows
 * have the value of one of `keys` that a production row the copy brings (under productionWhere)
 * also has. Every kept row is checked, in keyset pages; a key with a NULL part never collides.
 * Values are compared on production under the column's own collation (bound as the sandbox
 * returned them), so 'A' and 'a' collide where the key is case-insensitive. SELECT only on both
 * sides; run at plan time and again by the copy before it deletes a row (copy-table.ts).
 */
export async function countKeep(
  sandbox: Queryable,
  production: Queryable,
  table: string,
  keep: string,
  keys: readonly KeepKey[],
  productionWhere: string | null,
): Promise<KeepCount> {
  const q = quoteIdent(table);
  const n = async (session: Queryable, sql: string): Promise<number> =>
    Number((await session.query<{ n: string | number }>(sql))[0]?.n ?? 0);
  const kept = await n(sandbox, `SELECT COUNT(*) AS n FROM ${q} WHERE (${keep}) IS TRUE`);
  const deleted = await n(sandbox, `SELECT COUNT(*) AS n FROM ${q} WHERE (${keep}) IS NOT TRUE`);
  if (kept === 0) return { kept, deleted, collisions: 0, samples: [] };
  return { kept, deleted, ...(await keepCollisions(sandbox, production, table, keep, keys, productionWhere)) };
}

/** The collision part of countKeep alone (the copy's check before it deletes a row). */
export async function keepCollisions(
  sandbox: Queryable,
  production: Queryable,
  table: string,
  keep: string,
  keys: readonly KeepKey[],
  productionWhere: string | null,
): Promise<Pick<KeepCount, 'collisions' | 'samples'>> {
  let collisions = 0;
  const samples: string[] = [];
  for (const key of keys) {
    const found = await keyCollisions(sandbox, production, table, keep, key, productionWhere, SAMPLES - samples.length);
    collisions += found.collisions;
    samples.push(...found.samples.map((s) => `key ${key.name}: ${s}`));
  }
  return { collisions, samples };
}

async function keyCollisions(
  sandbox: Queryable,
  production: Queryable,
  table: string,
  keep: string,
  key: KeepKey,
  productionWhere: string | null,
  sampleRoom: number,
): Promise<{ collisions: number; samples: string[] }> {
  const q = quoteIdent(table);
  // A prefix part compares its first `length` characters (bytes for binary columns), as the index does.
  const terms = key.parts.map((p) => (p.length === null ? quoteIdent(p.column) : `LEFT(${quoteIdent(p.column)}, ${p.length})`));
  const aliases = key.parts.map((_, i) => `k${i}`);
  const select = terms.map((t, i) => `${t} AS ${aliases[i]}`).join(', ');
  const notNull = key.parts.map((p) => `${quoteIdent(p.column)} IS NOT NULL`).join(' AND ');
  const tuple = `(${terms.map(() => '?').join(', ')})`;
  const row = `(${terms.join(', ')})`;
  let collisions = 0;
  const samples: string[] = [];
  let after: unknown[] | null = null;
  for (;;) {
    // Keyset pages in key order: the values are unique among rows without NULLs, so a page never repeats one.
    const page: Record<string, unknown>[] = await sandbox.query<Record<string, unknown>>(
      `SELECT ${select} FROM ${q} WHERE (${keep}) IS TRUE AND ${notNull}${after === null ? '' : ` AND ${row} > ${tuple}`}` +
        ` ORDER BY ${terms.join(', ')} LIMIT ${KEEP_PAGE}`,
      after ?? [],
    );
    for (let i = 0; i < page.length; i += KEEP_BATCH) {
      const batch = page.slice(i, i + KEEP_BATCH);
      const matches = await production.query<Record<string, unknown>>(
        `SELECT ${select} FROM ${q} WHERE ${row} IN (${batch.map(() => tuple).join(', ')})${productionWhere === null ? '' : ` AND (${productionWhere})`}`,
        batch.flatMap((r) => aliases.map((a) => r[a])),
      );
      collisions += matches.length;
      for (const match of matches.slice(0, Math.max(0, sampleRoom - samples.length)))
        samples.push(key.parts.map((p, k) => `${p.column}=${text(match[aliases[k]!])}`).join(', '));
    }
    if (page.length < KEEP_PAGE) return { collisions, samples };
    const last = page[page.length - 1]!;
    after = aliases.map((a) => last[a]);
  }
}

/** The copy's production session returns raw bytes (character_set_results=binary). */
function text(value: unknown): string {
  return Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
}

/** One line for the plan and the copy: the table, the colliding keys and what to change. */
export function keepCollisionMessage(table: string, keep: string, counted: Pick<KeepCount, 'collisions' | 'samples'>): string {
  const n = counted.collisions;
  return (
    `${n.toLocaleString('en-US')} sandbox row${n === 1 ? '' : 's'} of ${table} kept by maintain[].keep ("${keep}") ha${n === 1 ? 's' : 've'} ` +
    `the value of a unique key of a production row the refresh copies (${counted.samples.join('; ')}); ` +
    'give the sandbox rows key values production does not use, or narrow keep'
  );
}
