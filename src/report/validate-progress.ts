/**
 * Progress of validate's data checks: tables done of the total, the chunks and rows checksummed
 * so far, and the rate since the data checks started. Pure: the caller passes the clock. The CLI
 * shows it in the spinner on a terminal and as periodic plain lines otherwise, as for the copy.
 */
import { duration } from './copy-progress.js';

export interface ValidateTableProgress {
  readonly table: string;
  readonly chunksDone: number;
  readonly chunksTotal: number;
  readonly rowsDone: number;
}

interface Entry {
  chunksDone: number;
  chunksTotal: number;
  rowsDone: number;
}

export class ValidateProgressBoard {
  readonly #tables = new Map<string, Entry>();
  #tablesTotal = 0;
  #firstMs: number | null = null;
  #lastMs = 0;

  update(progress: { readonly table?: ValidateTableProgress; readonly tablesTotal?: number }, nowMs: number): void {
    if (progress.tablesTotal !== undefined) this.#tablesTotal = progress.tablesTotal;
    if (!progress.table) return;
    this.#firstMs ??= nowMs;
    this.#lastMs = nowMs;
    const { table, chunksDone, chunksTotal, rowsDone } = progress.table;
    this.#tables.set(table, { chunksDone, chunksTotal, rowsDone });
  }

  get started(): boolean {
    return this.#firstMs !== null;
  }

  /** "validating 2/5 tables, 14/40 chunks, 700,000 rows, 350,000 rows/s; now: orders 3/20 chunks". */
  line(): string {
    const entries = [...this.#tables.entries()];
    const done = entries.filter(([, e]) => e.chunksTotal > 0 && e.chunksDone >= e.chunksTotal).length;
    const chunksDone = entries.reduce((n, [, e]) => n + e.chunksDone, 0);
    const chunksTotal = entries.reduce((n, [, e]) => n + e.chunksTotal, 0);
    const rows = entries.reduce((n, [, e]) => n + e.rowsDone, 0);
    const parts = [
      `validating ${done}/${Math.max(this.#tablesTotal, entries.length)} tables`,
      `${count(chunksDone)}/${count(chunksTotal)} chunks`,
      `${count(rows)} rows`,
    ];
    const seconds = this.#firstMs === null ? 0 : (this.#lastMs - this.#firstMs) / 1000;
    if (seconds >= 0.5 && rows > 0) parts.push(`${count(Math.round(rows / seconds))} rows/s, ${duration(seconds)} so far`);
    const running = entries.filter(([, e]) => e.chunksDone < e.chunksTotal).map(([t, e]) => `${t} ${e.chunksDone}/${e.chunksTotal} chunks`);
    return `${parts.join(', ')}${running.length > 0 ? `; now: ${running.join(', ')}` : ''}`;
  }
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}
