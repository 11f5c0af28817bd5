import type { TestServer } from './servers.js';
import { uniqueName } from './servers.js';

/** A real account on a private test server, with exactly the given GRANTs (each `... TO <account>` is appended). */
export interface TestAccount {
  readonly user: string;
  readonly password: string;
  /** 'user'@'%' as GRANT statements name it. */
  readonly sql: string;
  drop(): Promise<void>;
}

export async function createAccount(server: TestServer, prefix: string, grants: readonly string[]): Promise<TestAccount> {
  const user = uniqueName(prefix).slice(0, 32);
  const password = 'pw-' + user;
  const sql = `'${user}'@'%'`;
  await server.sql(`CREATE USER ${sql} IDENTIFIED BY '${password}'`);
  for (const grant of grants) await server.sql(`${grant} TO ${sql}`);
  return { user, password, sql, drop: async () => void (await server.sql(`DROP USER IF EXISTS ${sql}`)) };
}
