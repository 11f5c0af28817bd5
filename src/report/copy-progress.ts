/**
 * Progress of the data copies that are running: per table, rows done against the estimate, the
 * rate since this run started copying it, and the time left at that rate. Pure: the caller
 * passes the clock. The CLI shows it in the spinner on a terminal and as periodic plain lines
 * otherwise.
 */
import type { CopyProgressUpdate } from '../apply/run-apply.js';

interface Entry {
  table: string;
  rowsDone: number;
  estimatedRows: number;
  /** When and at what count this run first reported the table: the rate counts from there. */
  readonly firstMs: number;
  readonly firstRows: number;
  lastMs: number;
}

export class CopyProgressBoard {
  readonly #entries = new Map<string, Entry>();

  update(update: CopyProgressUpdate, nowMs: number): void {
    if (update.done) {
      this.#entries.delete(update.stepId);
      return;
    }
    const entry = this.#entries.get(update.stepId);
    if (entry) {
      entry.rowsDone = update.rowsDone;
      entry.estimatedRows = update.estimatedRows;
      entry.lastMs = nowMs;
    } else {
      this.#entries.set(update.stepId, {
        table: update.table,
        rowsDone: update.rowsDone,
        estimatedRows: update.estimatedRows,
        firstMs: nowMs,
        firstRows: update.rowsDone,
        lastMs: nowMs,
      });
    }
  }

  get empty(): boolean {
    return this.#entries.size === 0;
  }

  /** One line per table being copied, in the order they started. */
  lines(): string[] {
    return [...this.#entries.values()].map(describe);
  }
}

function describe(entry: Entry): string {
  const { table, rowsDone, estimatedRows } = entry;
  const parts = [`${table}: ${count(rowsDone)} / ~${count(estimatedRows)} rows`];
  if (estimatedRows > 0) parts[0] += ` (${Math.min(100, Math.floor((rowsDone / estimatedRows) * 100))}%)`;
  const seconds = (entry.lastMs - entry.firstMs) / 1000;
  const copied = rowsDone - entry.firstRows;
  if (seconds >= 0.5 && copied > 0) {
    const rate = copied / seconds;
    parts.push(`${count(Math.round(rate))} rows/s`);
    const left = Math.max(0, estimatedRows - rowsDone);
    parts.push(`ETA ${duration(left / rate)}`);
  }
  return parts.join(', ');
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** 0s, 42s, 3m 05s, 2h 07m. */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
