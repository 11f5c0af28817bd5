/**
 * How each column travels: what production is asked for, how the value is written to the
 * sandbox, and where the key values sit in a result row. Pure.
 */
import type { MaskRule } from '../config/types.js';
import { quoteIdent } from '../sql/quote.js';
import type { Flavor } from '../sql/server-info.js';
import type { CopyColumn, CopyTask } from './copy-task.js';
import { keySelectSql } from '../sql/key-sql.js';
import { NUMERIC_TYPES, TEMPORAL_TYPES, TEXT_FORM_NATIVE_TYPES } from '../sql/column-types.js';

/**
 * number: digits the server parses as a numeric literal (exact for DECIMAL, shortest round-trip
 *   text for DOUBLE, FLOAT widened to DOUBLE first);
 * bit: BIT read as its unsigned number, because its raw text-protocol bytes are a binary string
 *   that LOAD DATA would store as characters;
 * text: text that must reach the column as characters, because the type reads a binary string
 *   differently: MariaDB's UUID and INET6 take 16 binary bytes as the binary form, MySQL 8's
 *   JSON refuses the binary character set;
 * bytes: everything else, written byte for byte.
 */
export type ValueKind = 'number' | 'bit' | 'text' | 'bytes';

export interface PlannedColumn {
  readonly column: CopyColumn;
  readonly kind: ValueKind;
  readonly mask: MaskRule | null;
  /** Its text form is digits, signs, points, dashes, colons and spaces only: nothing to escape. */
  readonly plainText: boolean;
  /**
   * An ENUM: its empty string is the "invalid value" index 0 that a non-strict server stores in
   * place of a bad value. Writing it back stores the same index 0, with warning 1265 ("Data
   * truncated"), the one warning a copy of such a column expects (see write-chunk.ts).
   */
  readonly enumColumn: boolean;
}

export interface ColumnPlan {
  /** Columns written to the sandbox, in SELECT order (generated columns left out). */
  readonly written: readonly PlannedColumn[];
  /** The production SELECT list: the written columns, then key values not already in it. */
  readonly selectList: string;
  /** Key columns (in key order) and the index of each one's raw value in a result row. */
  readonly keyColumns: readonly CopyColumn[];
  readonly keyIndexes: readonly number[];
  readonly maskedColumns: readonly string[];
}

/** flavor: the sandbox's (MariaDB's JSON is LONGTEXT and takes bytes; MySQL's is binary JSON). */
export function planColumns(task: CopyTask, flavor: Flavor): ColumnPlan {
  const written: PlannedColumn[] = [];
  const select: string[] = [];
  for (const column of task.columns) {
    if (column.generated) continue;
    const dataType = column.dataType.toLowerCase();
    const kind: ValueKind =
      dataType === 'bit'
        ? 'bit'
        : NUMERIC_TYPES.has(dataType)
          ? 'number'
          : TEXT_FORM_NATIVE_TYPES.has(dataType) || (dataType === 'json' && flavor === 'mysql')
            ? 'text'
            : 'bytes';
    const mask = task.mask[column.name] ?? null;
    written.push({
      column,
      kind,
      mask,
      plainText: mask === null && (kind === 'number' || kind === 'bit' || TEMPORAL_TYPES.has(dataType)),
      enumColumn: dataType === 'enum',
    });
    select.push(dataSelectSql(column));
  }
  const byName = new Map(task.columns.map((c) => [c.name, c]));
  const keyColumns: CopyColumn[] = [];
  const keyIndexes: number[] = [];
  for (const name of task.key ?? []) {
    const column = byName.get(name)!;
    keyColumns.push(column);
    const expression = keySelectSql(column);
    let index = written.findIndex((p) => p.column.name === name && dataSelectSql(column) === expression);
    if (index < 0) {
      index = select.length;
      select.push(expression);
    }
    keyIndexes.push(index);
  }
  return {
    written,
    selectList: select.join(', '),
    keyColumns,
    keyIndexes,
    maskedColumns: written.filter((p) => p.mask !== null).map((p) => p.column.name),
  };
}

function dataSelectSql(column: CopyColumn): string {
  const dataType = column.dataType.toLowerCase();
  const name = quoteIdent(column.name);
  if (dataType === 'bit') return `${name} + 0`;
  if (dataType === 'float') return `CAST(${name} AS DOUBLE)`;
  return name;
}
