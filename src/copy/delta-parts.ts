/**
 * The parts of the delta copy (delta-copy.ts) that hold no connection: what each side's rows are
 * compared on, the row-by-row difference of a leaf, the counts of a run, the resume position's
 * check, and rows in memory as a source.
 */
import { PackedReader, unpackRow, type PackedRow } from '../db/packed-rows.js';
import { ReplicoopError } from '../errors.js';
import { quoteIdent } from '../sql/quote.js';
import { rowDigest, rowHash, type HashColumn } from '../sql/row-hash.js';
import { maskFingerprint } from './resume-state.js';
import type { RowSource, SourceRow } from './row-reader.js';
import type { CopyTask, DeltaCounts, DeltaResumeState } from './copy-task.js';

export const NO_COUNTS: DeltaCounts = Object.freeze({
  rangesCompared: 0,
  rangesRewritten: 0,
  rowsDeleted: 0,
  rowsReplaced: 0,
  rowsInserted: 0,
  rowsUnchanged: 0,
});

/** Both sides' serialisations and their bound parameters (the sandbox's constant checks). */
export interface Comparison {
  readonly production: { readonly hash: string; readonly digest: string };
  readonly sandbox: { readonly hash: string; readonly digest: string; readonly params: readonly unknown[] };
}

export function comparison(task: CopyTask): Comparison {
  const plain: HashColumn[] = [];
  const productionFlags: HashColumn[] = [];
  const sandboxFlags: HashColumn[] = [];
  const params: unknown[] = [];
  for (const column of task.columns) {
    // Generated columns (system-versioning periods too) follow from the others: the sandbox computes them.
    if (column.generated) continue;
    const rule = task.mask[column.name];
    if (rule === undefined) {
      plain.push({ name: column.name, dataType: column.dataType, nullable: column.nullable });
      continue;
    }
    // A constant rule: the sandbox must hold the constant; production's rows become it when written.
    const name = quoteIdent(column.name);
    const value = rule.kind === 'fixed' ? rule.value : null;
    let flag: string;
    if (value === null) flag = `(${name} IS NOT NULL)`;
    else {
      flag = column.charset !== null ? `(NOT (CAST(${name} AS BINARY) <=> CAST(? AS BINARY)))` : `(NOT (${name} <=> ?))`;
      params.push(String(value));
    }
    productionFlags.push({ name: column.name, dataType: 'int', nullable: false, expression: '0' });
    sandboxFlags.push({ name: column.name, dataType: 'int', nullable: false, expression: flag });
  }
  const p = [...plain, ...productionFlags];
  const s = [...plain, ...sandboxFlags];
  return {
    production: { hash: rowHash(p), digest: rowDigest(p) },
    sandbox: { hash: rowHash(s), digest: rowDigest(s), params },
  };
}

export interface Sums {
  readonly count: number;
  readonly hash: string;
}

export function sameSums(a: Sums, b: Sums): boolean {
  return a.count === b.count && a.hash === b.hash;
}

/** Mutable counts of one run. */
export class Tally {
  rangesCompared: number;
  rangesRewritten: number;
  rowsDeleted: number;
  rowsReplaced: number;
  rowsInserted: number;
  rowsUnchanged: number;
  constructor(from: DeltaCounts) {
    this.rangesCompared = from.rangesCompared;
    this.rangesRewritten = from.rangesRewritten;
    this.rowsDeleted = from.rowsDeleted;
    this.rowsReplaced = from.rowsReplaced;
    this.rowsInserted = from.rowsInserted;
    this.rowsUnchanged = from.rowsUnchanged;
  }
  get rows(): number {
    return this.rowsUnchanged + this.rowsReplaced + this.rowsInserted;
  }
  freeze(): DeltaCounts {
    return Object.freeze({
      rangesCompared: this.rangesCompared,
      rangesRewritten: this.rangesRewritten,
      rowsDeleted: this.rowsDeleted,
      rowsReplaced: this.rowsReplaced,
      rowsInserted: this.rowsInserted,
      rowsUnchanged: this.rowsUnchanged,
    });
  }
}

/** A leaf's row-by-row difference. */
export interface LeafDiff {
  readonly productionRows: number;
  readonly sandboxRows: number;
  /** Sandbox keys production does not have. */
  readonly gone: Buffer[][];
  /** Production keys of the rows that differ or are new, in key order (their rows are read after). */
  readonly writeKeys: Buffer[][];
  readonly replaced: number;
  /** Sandbox keys of the rows that differ (deleted, then written again). */
  readonly replacedKeys: Buffer[][];
  readonly inserted: number;
  /** Production keys of the rows that are new (raw key values). */
  readonly insertedKeys: Buffer[][];
}

/**
 * The row-by-row difference of a leaf. Both sides come as packed rows of (key values, digest),
 * `keyColumns` values of key first: a row's key is identified by the bytes of its packed key
 * values (length-prefixed, so unambiguous), and only the keys of rows that differ are copied
 * out, so that comparing 2,048 equal rows allocates almost nothing.
 */
export function diffLeaf(productionRows: readonly PackedRow[], sandboxRows: readonly PackedRow[], keyColumns: number): LeafDiff {
  const n = keyColumns;
  const reader = new PackedReader();
  /** The row's key id (its packed key bytes) and digest. */
  const split = (row: PackedRow): [string, string] => {
    reader.reset(row);
    for (let i = 0; i < n; i++) reader.next();
    const keyEnd = reader.at;
    reader.next();
    return [row.toString('latin1', 0, keyEnd), row.toString('latin1', reader.start, reader.start + reader.length)];
  };
  const keyOf = (row: PackedRow): Buffer[] =>
    unpackRow(row)
      .slice(0, n)
      .map((b) => Buffer.from(b!));
  const sandboxDigests = new Map<string, { row: PackedRow; digest: string }>();
  for (const row of sandboxRows) {
    const [rowId, digest] = split(row);
    sandboxDigests.set(rowId, { row, digest });
  }
  const writeKeys: Buffer[][] = [];
  const replacedKeys: Buffer[][] = [];
  const insertedKeys: Buffer[][] = [];
  let replaced = 0;
  let inserted = 0;
  for (const row of productionRows) {
    const [rowId, digest] = split(row);
    const other = sandboxDigests.get(rowId);
    if (other === undefined) {
      inserted++;
      const copied = keyOf(row);
      insertedKeys.push(copied);
      writeKeys.push(copied);
      continue;
    }
    sandboxDigests.delete(rowId);
    if (other.digest !== digest) {
      replaced++;
      replacedKeys.push(keyOf(other.row));
      writeKeys.push(keyOf(row));
    }
  }
  return {
    productionRows: productionRows.length,
    sandboxRows: sandboxRows.length,
    gone: [...sandboxDigests.values()].map((v) => keyOf(v.row)),
    writeKeys,
    replaced,
    replacedKeys,
    inserted,
    insertedKeys,
  };
}

export function checkResume(value: DeltaResumeState, task: CopyTask): { last: Buffer[] | null; done: boolean; counts: DeltaCounts } {
  const invalid = (why: string): ReplicoopError =>
    new ReplicoopError('copy_resume_invalid', `cannot resume the delta copy of ${task.table}: ${why}; start the table over`, {
      details: { table: task.table },
    });
  if (value.version !== 1 || value.mode !== 'delta') throw invalid('unknown state version');
  if (value.table !== task.table) throw invalid(`the stored position belongs to table ${value.table}`);
  if (JSON.stringify(value.key) !== JSON.stringify(task.key)) throw invalid('the key changed');
  if ((value.where ?? null) !== task.where) throw invalid('the where filter changed');
  if (value.mask !== maskFingerprint(task)) throw invalid('the mask rules changed');
  if ((value.keep ?? null) !== (task.keep ?? null)) throw invalid('the keep condition changed');
  if (value.last !== null && (!Array.isArray(value.last) || value.last.length !== task.key!.length))
    throw invalid('the stored key is malformed');
  return {
    last: value.last === null ? null : value.last.map((v) => Buffer.from(v, 'base64')),
    done: value.done === true,
    counts: { ...NO_COUNTS, ...value.counts },
  };
}

/** Rows already in memory as a RowSource for the chunk writers. */
export class ArrayRowSource implements RowSource {
  readonly #rows: readonly SourceRow[];
  #next = 0;
  constructor(rows: readonly SourceRow[]) {
    this.#rows = rows;
  }
  read(): SourceRow | null {
    return this.#next < this.#rows.length ? this.#rows[this.#next++]! : null;
  }
  get ended(): boolean {
    return this.#next >= this.#rows.length;
  }
  wait(): Promise<void> {
    return Promise.resolve();
  }
}
