/**
 * A problem with a mask names the table and the column, not only where the entry sits in the
 * list: "maintain customer: mask email: must be ... (/maintain/9/mask/email)". The pointer stays
 * at the end, for editors and scripts.
 */
const MASK_LINE = /^\/maintain\/(\d+)\/mask\/([^:/]+)((?:\/[^:]*)?): (.*)$/s;

/** `tableOf(index)`: the table of maintain entry `index`, when the entry names one. */
export function nameMaskLine(line: string, tableOf: (index: number) => string | undefined): string {
  const m = MASK_LINE.exec(line);
  if (!m) return line;
  const table = tableOf(Number(m[1]));
  if (table === undefined) return line;
  return `${maskLocation(table, m[2]!)}: ${m[4]} (/maintain/${m[1]}/mask/${m[2]}${m[3]})`;
}

/** "maintain customer: mask email". */
export function maskLocation(table: string, column: string): string {
  return `maintain ${table}: mask ${column}`;
}

/** The table of each entry of a raw (unvalidated) maintain list. */
export function rawMaintainTable(raw: unknown, index: number): string | undefined {
  const list = (raw as { maintain?: unknown } | null)?.maintain;
  if (!Array.isArray(list)) return undefined;
  const entry: unknown = list[index];
  if (typeof entry === 'string') return entry;
  const table = (entry as { table?: unknown } | null)?.table;
  return typeof table === 'string' ? table : undefined;
}
