/**
 * The row-level backup of a table the delta copy changes (backup.scope: plan): before each leaf
 * is written, the rows it deletes or overwrites are saved as they were, and the keys of every row
 * it touches, so that a rollback puts back exactly those rows and the rest of the table (which
 * the copy never touched) is not dumped at all. A nightly refresh where 0.1% of a table changed
 * pays for 0.1% of it.
 *
 * Two plain SQL files per table, next to the run's whole-table backups (backup-scope.ts), loaded
 * by any client in this order (after the whole-table dumps, before the main backup file):
 *
 *   <table>.keys.sql  DROP TRIGGER IF EXISTS of the table's triggers (the main file re-creates
 *                     them after the rows are back, so restoring rows fires nothing), then per
 *                     part the DELETE by key of the rows it touched;
 *   <table>.rows.sql  ALTER TABLE ... AUTO_INCREMENT back to the counter before the run, then per
 *                     part the INSERT of the rows as they were.
 *
 * Every DELETE of every table runs before any INSERT, so a unique value that moved from one row
 * to another during the refresh never collides when both are put back.
 *
 * A part is one leaf. It is appended to the rows file, then to the keys file, each fsynced, and
 * ends with a marker line; only then is the leaf written. So the keys file's last complete part
 * is the last one that may have been written, and the rows file holds at least as much: a
 * restore (and a resumed run) loads both up to that part and ignores a torn tail. A key is saved
 * once, the first time it is touched: a resumed run that writes a key again (its range had
 * committed, the checkpoint had not, and production changed since) must not save the state the
 * first attempt left. The keys already saved are listed in comment lines of the keys file, from
 * which a resumed run reads them back.
 */
import { closeSync, existsSync, fdatasyncSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { LeafChange } from '../copy/copy-task.js';
import type { SandboxSession } from '../db/session.js';
import { ReplicoopError } from '../errors.js';
import { inlineFragment } from '../sql/inline.js';
import { keyEquals, type SqlFragment } from '../sql/key-sql.js';
import { quoteIdent } from '../sql/quote.js';
import { SYSTEM_VERSIONED_TABLE_TYPE } from '../sql/table-types.js';
import { fsyncDirectory } from './backup.js';
import { ROW_KEYS_SUFFIX, ROW_ROWS_SUFFIX } from './backup-scope.js';
import { dumpColumns, encodeRow, MAX_INSERT_BYTES, type ColumnRow, type DumpColumn } from './dump-encoding.js';

export const PART_END_MARKER = '-- replicoop: end of part ';
const KEYS_LINE = '-- replicoop keys: ';
const KEYS_PER_STATEMENT = 500;
const IDS_PER_LINE = 200;

const SESSION_SETTINGS = `SET NAMES utf8mb4;
SET TIME_ZONE='+00:00';
SET FOREIGN_KEY_CHECKS=0;
SET SQL_MODE='NO_AUTO_VALUE_ON_ZERO';
SET SQL_NOTES=0;
`;

export interface RowBackupPaths {
  readonly keys: string;
  readonly rows: string;
}

/** The id of a key inside the files' key lists (hex of each raw value; as delta-copy.ts compares them). */
function keyId(values: readonly Buffer[]): string {
  return values.map((b) => b.toString('hex')).join(':');
}

function partMarker(part: number): string {
  return `${PART_END_MARKER}${part}\n`;
}

/** The complete parts of a row-backup file: each part's number and the offset just past its marker line. */
export function completeParts(text: Buffer): { part: number; end: number }[] {
  const found: { part: number; end: number }[] = [];
  // Values never hold a raw newline (the dump escapes it), so a marker line is always one of ours.
  // (A part may be empty, e.g. a rows part of a leaf that only inserted: markers can follow each other.)
  const pattern = new RegExp(`^${PART_END_MARKER}(\\d+)\n`, 'gm');
  const latin = text.toString('latin1');
  for (let m = pattern.exec(latin); m !== null; m = pattern.exec(latin)) found.push({ part: Number(m[1]), end: m.index + m[0].length });
  return found;
}

/**
 * How many bytes of a row-backup file a restore loads: the keys file up to its last complete
 * part, the rows file up to the same part (what follows was saved for a leaf never written).
 * Throws when the files do not fit together (damaged or not ours).
 */
export function rowBackupExtent(file: string): number {
  const keysFile = file.endsWith(ROW_ROWS_SUFFIX) ? file.slice(0, -ROW_ROWS_SUFFIX.length) + ROW_KEYS_SUFFIX : file;
  const keys = completeParts(readFileSync(keysFile));
  const last = keys[keys.length - 1];
  if (!last) throw damaged(file, `${basename(keysFile)} holds no complete part`);
  if (keysFile === file) return last.end;
  const rows = completeParts(readFileSync(file)).find((p) => p.part === last.part);
  if (!rows) throw damaged(file, `it ends before part ${last.part}, which ${basename(keysFile)} holds`);
  return rows.end;
}

function damaged(file: string, why: string): ReplicoopError {
  return new ReplicoopError('restore_failed', `row backup ${file} is damaged: ${why}; the sandbox was not touched`, { details: { file } });
}

export class RowBackup {
  readonly #paths: RowBackupPaths;
  readonly #table: string;
  readonly #columns: readonly DumpColumn[];
  readonly #saved: Set<string>;
  #part: number;

  private constructor(paths: RowBackupPaths, table: string, columns: readonly DumpColumn[], saved: Set<string>, part: number) {
    this.#paths = paths;
    this.#table = table;
    this.#columns = columns;
    this.#saved = saved;
    this.#part = part;
  }

  /**
   * Opens the table's row backup of this run: a new one (the table is as it was before the run),
   * or the one a killed run left, cut back to its last complete part. `triggers`: the names the
   * keys file drops first (every trigger the table has before or after the run; the main backup
   * file re-creates the ones it had). Null for a table whose rows cannot be put back one by one.
   */
  static async open(session: SandboxSession, paths: RowBackupPaths, table: string, triggers: readonly string[]): Promise<RowBackup | null> {
    const meta = await readTable(session, table);
    // Rows put back one by one in a system-versioned table would become history: backed up whole.
    if (meta.versioned) return null;
    const columns = dumpColumns(meta.columns);
    if (existsSync(paths.keys)) {
      const keysText = readFileSync(paths.keys);
      const keys = completeParts(keysText);
      const last = keys[keys.length - 1];
      if (last) {
        const rows = existsSync(paths.rows) ? completeParts(readFileSync(paths.rows)).find((p) => p.part === last.part) : undefined;
        if (!rows) throw backupError(table, paths.rows, `it ends before part ${last.part}, which ${basename(paths.keys)} holds`);
        truncate(paths.keys, last.end);
        truncate(paths.rows, rows.end);
        const saved = new Set<string>();
        const listed = keysText.toString('utf8', 0, last.end);
        for (const line of listed.split('\n'))
          if (line.startsWith(KEYS_LINE)) for (const id of line.slice(KEYS_LINE.length).split(' ')) saved.add(id);
        return new RowBackup(paths, table, columns, saved, last.part);
      }
    }
    // New (or a start a kill cut short, before any part: the table was not written yet).
    mkdirSync(dirname(paths.keys), { recursive: true, mode: 0o700 });
    const name = quoteIdent(table);
    const rowsHeader =
      `-- replicoop row-level backup of ${name.replace(/[\r\n]/g, ' ')}: the rows the delta copy deleted or overwrote, as they were.\n` +
      `-- Load ${basename(paths.keys)} first (every row-level backup's keys file of the run before any rows file).\n` +
      SESSION_SETTINGS +
      (meta.autoIncrement === null ? '' : `ALTER TABLE ${name} AUTO_INCREMENT = ${meta.autoIncrement};\n`) +
      partMarker(0);
    const keysHeader =
      `-- replicoop row-level backup of ${name.replace(/[\r\n]/g, ' ')}: DELETE by key of the rows the delta copy changed.\n` +
      `-- Load before ${basename(paths.rows)}, then the main backup file (it re-creates the triggers dropped here).\n` +
      SESSION_SETTINGS +
      triggers.map((t) => `DROP TRIGGER IF EXISTS ${quoteIdent(t)};\n`).join('') +
      partMarker(0);
    writeFresh(paths.rows, rowsHeader);
    writeFresh(paths.keys, keysHeader);
    fsyncDirectory(dirname(paths.keys));
    return new RowBackup(paths, table, columns, new Set(), 0);
  }

  /** Saves what the leaf is about to change; returns the bytes appended (0: every key was saved before). */
  async record(change: LeafChange): Promise<number> {
    const doomed = change.doomed.filter((k) => !this.#saved.has(keyId(k)));
    const inserted = change.inserted.filter((k) => !this.#saved.has(keyId(k)));
    if (doomed.length === 0 && inserted.length === 0) return 0;
    const part = this.#part + 1;
    const rows = await this.#readRows(change, doomed);
    const name = quoteIdent(this.#table);
    const rowsPart = Buffer.concat([
      ...insertStatements(name, this.#columns, rows, change.sandbox.server.maxAllowedPacket),
      Buffer.from(partMarker(part)),
    ]);
    const touched = [...doomed, ...inserted];
    const lines: string[] = [];
    for (let i = 0; i < touched.length; i += IDS_PER_LINE)
      lines.push(
        `${KEYS_LINE}${touched
          .slice(i, i + IDS_PER_LINE)
          .map(keyId)
          .join(' ')}\n`,
      );
    for (let i = 0; i < touched.length; i += KEYS_PER_STATEMENT)
      lines.push(`DELETE FROM ${name} WHERE ${inlineFragment(anyKey(change, touched.slice(i, i + KEYS_PER_STATEMENT)))};\n`);
    lines.push(partMarker(part));
    const keysPart = Buffer.from(lines.join(''), 'utf8');
    try {
      append(this.#paths.rows, rowsPart);
      append(this.#paths.keys, keysPart);
    } catch (error) {
      throw backupError(this.#table, this.#paths.rows, (error as Error).message, error);
    }
    for (const k of touched) this.#saved.add(keyId(k));
    this.#part = part;
    return rowsPart.length + keysPart.length;
  }

  /** The doomed rows as they are now, in the dump's column encoding (read as text, as the dumper reads). */
  async #readRows(change: LeafChange, doomed: readonly (readonly Buffer[])[]): Promise<(Buffer | null)[][]> {
    if (doomed.length === 0 || this.#columns.length === 0) return [];
    const session = change.sandbox;
    const out: (Buffer | null)[][] = [];
    // The delta reads raw bytes (character_set_results = binary); the dump's encoding expects text.
    await session.execute('SET SESSION character_set_results = utf8mb4');
    try {
      for (let i = 0; i < doomed.length; i += KEYS_PER_STATEMENT) {
        const condition = anyKey(change, doomed.slice(i, i + KEYS_PER_STATEMENT));
        const rows = (await session.queryArrays(
          `SELECT ${this.#columns.map((c) => c.select).join(', ')} FROM ${quoteIdent(this.#table)} WHERE ${condition.sql}`,
          condition.params,
          { raw: true },
        )) as (Buffer | null)[][];
        out.push(...rows);
      }
    } finally {
      await session.execute('SET SESSION character_set_results = binary');
    }
    if (out.length !== doomed.length)
      throw backupError(this.#table, this.#paths.rows, `${doomed.length} rows were to be saved, ${out.length} were found by their keys`);
    return out;
  }
}

function anyKey(change: LeafChange, keys: readonly (readonly Buffer[])[]): SqlFragment {
  const terms = keys.map((k) => keyEquals(change.keyColumns, k));
  return { sql: terms.map((t) => `(${t.sql})`).join(' OR '), params: terms.flatMap((t) => t.params) };
}

function insertStatements(name: string, columns: readonly DumpColumn[], rows: readonly (Buffer | null)[][], maxPacket: number): Buffer[] {
  if (rows.length === 0) return [];
  const head = Buffer.from(`INSERT INTO ${name} (${columns.map((c) => quoteIdent(c.name)).join(', ')}) VALUES\n`, 'utf8');
  const limit = Math.min(MAX_INSERT_BYTES, Math.floor(maxPacket / 2));
  const out: Buffer[] = [];
  let parts: Buffer[] = [];
  let size = 0;
  for (const row of rows) {
    const encoded = encodeRow(row, columns);
    if (size > 0 && size + encoded.length > limit) {
      out.push(Buffer.concat([...parts, Buffer.from(';\n')]));
      parts = [];
      size = 0;
    }
    parts.push(size === 0 ? head : Buffer.from(',\n'), encoded);
    size += (size === 0 ? head.length : 2) + encoded.length;
  }
  out.push(Buffer.concat([...parts, Buffer.from(';\n')]));
  return out;
}

async function readTable(
  session: SandboxSession,
  table: string,
): Promise<{ columns: ColumnRow[]; autoIncrement: string | null; versioned: boolean }> {
  // Read as text: the delta session's results are binary otherwise.
  await session.execute('SET SESSION character_set_results = utf8mb4');
  try {
    const [type] = await session.query<{ TABLE_TYPE: string }>(
      'SELECT TABLE_TYPE FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?',
      [table],
    );
    const columns = await session.query<ColumnRow>(
      `SELECT TABLE_NAME, COLUMN_NAME, DATA_TYPE, CHARACTER_SET_NAME, EXTRA, GENERATION_EXPRESSION
       FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`,
      [table],
    );
    let autoIncrement: string | null = null;
    if (columns.some((c) => /\bauto_increment\b/i.test(c.EXTRA ?? ''))) {
      const [row] = await session.queryArrays(`SHOW CREATE TABLE ${quoteIdent(table)}`, []);
      autoIncrement = tableCounter(String(row?.[1] ?? ''));
    }
    return { columns, autoIncrement, versioned: type?.TABLE_TYPE === SYSTEM_VERSIONED_TABLE_TYPE };
  } finally {
    await session.execute('SET SESSION character_set_results = binary');
  }
}

/**
 * The AUTO_INCREMENT counter in SHOW CREATE TABLE's table options: on the line that closes the
 * column list, right after ENGINE= (MariaDB and MySQL print it there; a COMMENT later on the
 * line may hold the same text). Null when not shown.
 */
export function tableCounter(createTable: string): string | null {
  const options = createTable.split('\n').find((line) => line.startsWith(') '));
  return options ? (/^\) ENGINE=\S+ AUTO_INCREMENT=(\d+)\b/.exec(options)?.[1] ?? null) : null;
}

function backupError(table: string, file: string, why: string, cause?: unknown): ReplicoopError {
  return new ReplicoopError('backup_failed', `cannot back up the rows of ${table} in ${file} before writing to them: ${why}`, {
    details: { table, file },
    ...(cause === undefined ? {} : { cause }),
  });
}

function writeFresh(path: string, text: string): void {
  const fd = openSync(path, 'w', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** fdatasync: the data and the new length are durable (what reading it back needs), not the times. */
function append(path: string, data: Buffer): void {
  const fd = openSync(path, 'a');
  try {
    let at = 0;
    while (at < data.length) at += writeSync(fd, data, at);
    fdatasyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function truncate(path: string, length: number): void {
  const fd = openSync(path, 'r+');
  try {
    ftruncateSync(fd, length);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
