import type { SandboxSession } from '../db/session.js';
import { quoteIdent, quoteQualified } from '../sql/quote.js';

/**
 * Invalid views (they use a table, column or function that is gone) cannot be re-created by a
 * restore, so a backup keeps their definitions as comments, and restore.ts reports them.
 */

/** The line that starts the comment block of an invalid view in a backup (restore reports them). */
export const INVALID_VIEW_MARKER = '-- replicoop: invalid view ';

/** The views of the sandbox database that have no columns: invalid ones (they use something that is gone). */
export async function invalidViewsOf(session: SandboxSession): Promise<string[]> {
  const rows = await session.query<{ TABLE_NAME: string }>(
    `SELECT v.TABLE_NAME FROM information_schema.VIEWS v
     WHERE v.TABLE_SCHEMA = ? AND NOT EXISTS (SELECT 1 FROM information_schema.COLUMNS c WHERE c.TABLE_SCHEMA = v.TABLE_SCHEMA AND c.TABLE_NAME = v.TABLE_NAME)
     ORDER BY v.TABLE_NAME`,
    [session.database],
  );
  return rows.map((r) => r.TABLE_NAME);
}

/**
 * The definitions of invalid views, as comments: SHOW CREATE VIEW still shows an invalid view's
 * text (with a warning); information_schema.VIEWS is the fallback.
 */
export async function invalidViewsBlock(session: SandboxSession, views: readonly string[]): Promise<string> {
  if (views.length === 0) return '';
  const parts: string[] = ['\n'];
  for (const view of views) {
    let text: string | null = null;
    try {
      const [row] = await session.queryArrays(`SHOW CREATE VIEW ${quoteQualified(session.database, view)}`, [], { raw: true });
      const create = row?.[1];
      if (Buffer.isBuffer(create)) text = create.toString('utf8');
    } catch {
      text = null;
    }
    if (text === null) {
      const [row] = await session.query<{ VIEW_DEFINITION: string | null; SECURITY_TYPE: string; DEFINER: string; CHECK_OPTION: string }>(
        'SELECT VIEW_DEFINITION, SECURITY_TYPE, DEFINER, CHECK_OPTION FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
        [session.database, view],
      );
      text = `CREATE DEFINER=${row?.DEFINER ?? 'CURRENT_USER'} SQL SECURITY ${row?.SECURITY_TYPE ?? 'DEFINER'} VIEW ${quoteIdent(view)} AS ${row?.VIEW_DEFINITION ?? '(definition not readable)'}${row && row.CHECK_OPTION !== 'NONE' ? ` WITH ${row.CHECK_OPTION} CHECK OPTION` : ''}`;
    }
    parts.push(
      `${INVALID_VIEW_MARKER}${quoteIdent(view)} (it references a missing table, column or function): a restore cannot re-create it; its definition was:\n`,
    );
    parts.push(
      `${text
        .split(/\r?\n/)
        .map((line) => `-- ${line}`)
        .join('\n')}\n`,
    );
  }
  return parts.join('');
}
