import type { TestServer } from './servers.js';

/**
 * An oracle independent of replicoop's model: every object's SHOW CREATE text as the server
 * prints it, read with plain root queries. Only what is expected to differ between the two
 * sides is taken out: the DEFINER clause (rewritten in the sandbox) and a table's AUTO_INCREMENT
 * counter (it follows the rows, not the structure).
 */
export async function showCreateAll(server: TestServer, database: string): Promise<Record<string, string>> {
  const conn = await server.admin(database);
  const out: Record<string, string> = {};
  const rows = async (sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> =>
    (await conn.query(sql, params))[0] as Record<string, unknown>[];
  const ident = (name: string): string => `\`${name.replace(/`/g, '``')}\``;
  const withoutDefiner = (text: string): string => text.replace(/ DEFINER=(`[^`]*`|'[^']*'|[^\s@]+)@(`[^`]*`|'[^']*'|\S+)/, '');
  try {
    for (const row of await rows(
      'SELECT TABLE_NAME AS n, TABLE_TYPE AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME',
      [database],
    )) {
      const name = String(row.n);
      if (row.t === 'VIEW') {
        const [v] = await rows(`SHOW CREATE VIEW ${ident(name)}`);
        out[`view ${name}`] = withoutDefiner(String(v!['Create View']));
      } else if (row.t === 'SEQUENCE') {
        const [s] = await rows(`SHOW CREATE SEQUENCE ${ident(name)}`);
        out[`sequence ${name}`] = String(s!['Create Table']);
      } else {
        const [t] = await rows(`SHOW CREATE TABLE ${ident(name)}`);
        out[`table ${name}`] = String(t!['Create Table']).replace(/ AUTO_INCREMENT=\d+/, '');
      }
    }
    for (const row of await rows('SELECT TRIGGER_NAME AS n FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ? ORDER BY 1', [
      database,
    ])) {
      const [t] = await rows(`SHOW CREATE TRIGGER ${ident(String(row.n))}`);
      out[`trigger ${String(row.n)}`] = withoutDefiner(String(t!['SQL Original Statement']));
    }
    for (const row of await rows(
      'SELECT ROUTINE_NAME AS n, ROUTINE_TYPE AS t FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ? ORDER BY 2, 1',
      [database],
    )) {
      const kind = String(row.t) === 'FUNCTION' ? 'FUNCTION' : 'PROCEDURE';
      const [r] = await rows(`SHOW CREATE ${kind} ${ident(String(row.n))}`);
      out[`${kind.toLowerCase()} ${String(row.n)}`] = withoutDefiner(
        String(r![kind === 'FUNCTION' ? 'Create Function' : 'Create Procedure']),
      );
    }
    for (const row of await rows('SELECT EVENT_NAME AS n FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ? ORDER BY 1', [database])) {
      const [e] = await rows(`SHOW CREATE EVENT ${ident(String(row.n))}`);
      out[`event ${String(row.n)}`] = withoutDefiner(String(e!['Create Event']));
    }
  } finally {
    await conn.end();
  }
  return out;
}
