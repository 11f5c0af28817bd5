/**
 * A backup of only what a plan can change (backup.scope: plan). Its file is a normal dump of the
 * covered objects that existed when it was taken, preceded by DROP ... IF EXISTS of every
 * covered name, so that loading it (by replicoop rollback or by hand with the stock client)
 * removes what the apply created under those names and puts back what was there; objects it
 * does not cover are never dropped. Of a table the delta copy rewrites, the rows it changes are
 * saved just before it changes them (row-backup.ts; or the whole table, table-backup.ts), into
 * the run's table folder next to the file (tableBackupDir); those files are loaded before the
 * main one, whose trigger definitions come last.
 */
import { createReadStream, existsSync, readdirSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { join } from 'node:path';
import { sha256 } from '../hash.js';
import { quoteIdent } from '../sql/quote.js';

export interface BackupScope {
  /** Tables, views and sequences (one namespace), by name. Their triggers go with them. */
  readonly relations: readonly string[];
  readonly triggers: readonly string[];
  /** Procedures and functions of these names. */
  readonly routines: readonly string[];
  readonly events: readonly string[];
}

/** The first line of a scoped backup file: restore loads it without dropping everything first. */
export const SCOPED_BACKUP_MARKER = '-- replicoop backup scope: ';

/** The second line: what the file covers, as JSON (a resumed run reads it back: readBackupScope). */
const COVERS_PREFIX = '-- replicoop backup covers: ';

export function scopeHeader(scope: BackupScope): string {
  const counts = `${scope.relations.length} tables/views/sequences, ${scope.triggers.length} triggers, ${scope.routines.length} routines, ${scope.events.length} events`;
  const covers = JSON.stringify({ relations: scope.relations, triggers: scope.triggers, routines: scope.routines, events: scope.events });
  // JSON escapes line breaks, so the list stays on its comment line whatever the names hold.
  return `${SCOPED_BACKUP_MARKER}only the objects the plan can change (${counts}); other objects are neither dropped nor restored\n${COVERS_PREFIX}${covers}\n`;
}

/** What a scoped backup file covers; null for a backup of the whole database. */
export async function readBackupScope(file: string): Promise<BackupScope | null> {
  const lines: string[] = [];
  let text = '';
  for await (const chunk of createReadStream(file).pipe(createGunzip()) as AsyncIterable<Buffer>) {
    text += chunk.toString('utf8');
    let at: number;
    while (lines.length < 2 && (at = text.indexOf('\n')) !== -1) {
      lines.push(text.slice(0, at));
      text = text.slice(at + 1);
    }
    if (lines.length >= 2 || (lines.length === 1 && !lines[0]!.startsWith(SCOPED_BACKUP_MARKER))) break;
  }
  if (!lines[0]?.startsWith(SCOPED_BACKUP_MARKER) || !lines[1]?.startsWith(COVERS_PREFIX)) return null;
  const covers = JSON.parse(lines[1].slice(COVERS_PREFIX.length)) as BackupScope;
  return Object.freeze({ relations: covers.relations, triggers: covers.triggers, routines: covers.routines, events: covers.events });
}

/**
 * DROP ... IF EXISTS of every covered name, of every kind that name may hold, events and
 * programs first. DROP TABLE IF EXISTS of a view and DROP VIEW IF EXISTS of a table are notes,
 * not errors, so a name whose kind the apply changed is dropped either way.
 */
export function scopeDropSection(scope: BackupScope): string {
  const lines: string[] = [];
  for (const e of scope.events) lines.push(`DROP EVENT IF EXISTS ${quoteIdent(e)};`);
  for (const t of scope.triggers) lines.push(`DROP TRIGGER IF EXISTS ${quoteIdent(t)};`);
  for (const r of scope.routines) lines.push(`DROP PROCEDURE IF EXISTS ${quoteIdent(r)};`, `DROP FUNCTION IF EXISTS ${quoteIdent(r)};`);
  for (const r of scope.relations) lines.push(`DROP VIEW IF EXISTS ${quoteIdent(r)};`, `DROP TABLE IF EXISTS ${quoteIdent(r)};`);
  return lines.length === 0 ? '' : `\n${lines.join('\n')}\n`;
}

/** backup_<db>_<stamp>_<run>.sql.gz → backup_<db>_<stamp>_<run>.tables (a folder). */
export function tableBackupDir(mainFile: string): string {
  return mainFile.replace(/\.sql\.gz$/, '') + '.tables';
}

/**
 * The whole-table backup of one table of a run, named so that a resumed run finds it again and
 * two names that look alike on a file system never share a file.
 */
export function tableBackupPath(mainFile: string, table: string): string {
  const safe = table.replace(/[^\p{L}\p{N}_$-]/gu, '_').slice(0, 80);
  return join(tableBackupDir(mainFile), `${safe}-${sha256(table).slice(0, 12)}.sql.gz`);
}

/**
 * The row-level backup of one table of a run (row-backup.ts): the DELETE by key of every row the
 * delta copy changed, and the rows it deleted or overwrote as they were.
 */
export function rowBackupPaths(mainFile: string, table: string): { readonly keys: string; readonly rows: string } {
  const base = tableBackupPath(mainFile, table).replace(/\.sql\.gz$/, '');
  return { keys: `${base}${ROW_KEYS_SUFFIX}`, rows: `${base}${ROW_ROWS_SUFFIX}` };
}

export const ROW_KEYS_SUFFIX = '.keys.sql';
export const ROW_ROWS_SUFFIX = '.rows.sql';

/**
 * A run's table backups in the order a restore loads them (never the .partial of one being
 * written): the whole-table dumps, then every row-level backup's DELETE by key, then their rows.
 * A table can have both: dumped whole mid-run (before a REPLACE), after rows were backed up one
 * by one; the dump puts it back to that moment, the row files to before the run. All DELETEs
 * run before any row is put back, so a unique value that moved between rows never collides.
 */
export function tableBackupsOf(mainFile: string): string[] {
  const dir = tableBackupDir(mainFile);
  if (!existsSync(dir)) return [];
  const names = readdirSync(dir).sort();
  return [
    ...names.filter((name) => name.endsWith('.sql.gz')),
    ...names.filter((name) => name.endsWith(ROW_KEYS_SUFFIX)),
    ...names.filter((name) => name.endsWith(ROW_ROWS_SUFFIX)),
  ].map((name) => join(dir, name));
}
