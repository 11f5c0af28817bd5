import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { loadConfig } from '../../src/config/load-config.js';
import type { ResolvedConfig } from '../../src/config/types.js';
import { freshDatabases } from './converge.js';
import { testServers } from './servers.js';

/** One database of the same (unique) name on the production and the sandbox test servers. */
export interface ValidatePair {
  readonly database: string;
  readonly dir: string;
  /** Runs SQL on one side (several statements allowed). */
  production(sql: string): Promise<void>;
  sandbox(sql: string): Promise<void>;
  /** Runs SQL on both sides. */
  both(sql: string): Promise<void>;
  /** Writes replicoop.yaml into the pair's temp dir and returns its path. */
  writeConfig(extra?: Record<string, unknown>): string;
  config(extra?: Record<string, unknown>): ResolvedConfig;
  drop(): Promise<void>;
}

export async function validatePair(prefix: string): Promise<ValidatePair> {
  const servers = testServers();
  const dbs = await freshDatabases(prefix);
  const database = dbs.production;
  const dir = mkdtempSync(join(tmpdir(), `replicoop-${prefix}-`));
  const writeConfig = (extra: Record<string, unknown> = {}): string => {
    const file = join(dir, 'replicoop.yaml');
    const document = {
      production: { host: '127.0.0.1', port: servers.production.port, user: 'root', password: '', database },
      sandbox: { host: '127.0.0.1', port: servers.sandbox.port, user: 'root', password: '', database },
      reports: './reports',
      logs: './logs',
      state: './state.db',
      ...extra,
    };
    writeFileSync(file, dump(document));
    return file;
  };
  return {
    database,
    dir,
    production: async (sql) => void (await servers.production.sql(sql, database)),
    sandbox: async (sql) => void (await servers.sandbox.sql(sql, database)),
    both: async (sql) => void (await Promise.all([servers.production.sql(sql, database), servers.sandbox.sql(sql, database)])),
    writeConfig,
    config: (extra = {}) => loadConfig(writeConfig(extra), {}, dir),
    drop: async () => {
      await Promise.all([servers.production.dropDatabase(database), servers.sandbox.dropDatabase(database)]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
