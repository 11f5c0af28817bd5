import type { MaskRule } from '../../src/config/types.js';
import { copyTable } from '../../src/copy/copy-table.js';
import { copyTaskFromTable, type CopyOptions, type CopyResult, type CopyTask, type ResumeState } from '../../src/copy/copy-task.js';
import { ProductionSession, SandboxSession } from '../../src/db/session.js';
import { readSnapshot } from '../../src/introspect/read-snapshot.js';
import { chooseChunkKey } from '../../src/snapshot/chunk-key.js';
import { TestServer, testServers, uniqueName } from './servers.js';

/** Fast reconnects for tests that break connections on purpose. */
export const TEST_RETRY = { attempts: 3, baseDelayMs: 50, factor: 2 } as const;

export interface TableComparison {
  readonly checksums: readonly [string, string];
  readonly rows: readonly [number, number];
  /** "row i, column c: production | sandbox" for each differing value (hex), at most 20. */
  readonly differences: readonly string[];
}

/**
 * One production database and one sandbox database with the same name on the shared test
 * servers (or on a private sandbox server), plus what the copy tests keep needing.
 */
export class CopyPair {
  readonly production: TestServer;
  readonly sandbox: TestServer;
  readonly database: string;

  private constructor(production: TestServer, sandbox: TestServer, database: string) {
    this.production = production;
    this.sandbox = sandbox;
    this.database = database;
  }

  static async create(prefix: string, sandboxPort?: number): Promise<CopyPair> {
    const servers = testServers();
    const sandbox = sandboxPort === undefined ? servers.sandbox : new TestServer('sandbox', sandboxPort);
    const pair = new CopyPair(servers.production, sandbox, uniqueName(prefix));
    await Promise.all([pair.production.createDatabase(pair.database), pair.sandbox.createDatabase(pair.database)]);
    return pair;
  }

  /** The same DDL on both sides (the schema step's job in a real run). */
  async both(ddl: string): Promise<void> {
    await Promise.all([this.prod(ddl), this.sand(ddl)]);
  }

  prod<T = Record<string, unknown>[]>(sql: string, params: unknown[] = []): Promise<T> {
    return this.production.sql<T>(sql, this.database, params);
  }

  sand<T = Record<string, unknown>[]>(sql: string, params: unknown[] = []): Promise<T> {
    return this.sandbox.sql<T>(sql, this.database, params);
  }

  openProduction = (): Promise<ProductionSession> =>
    ProductionSession.open(this.production.target(this.database, 'production'), TEST_RETRY);
  openSandbox = (): Promise<SandboxSession> => SandboxSession.open(this.sandbox.target(this.database, 'sandbox'), TEST_RETRY);

  /** The task the engine gets in a real run: introspected table, chosen key, config filter and masks. */
  async task(
    table: string,
    config: { where?: string; mask?: Record<string, MaskRule>; key?: readonly string[] | null } = {},
  ): Promise<CopyTask> {
    const session = await this.openProduction();
    try {
      const snapshot = await readSnapshot(session);
      const model = snapshot.tables.find((t) => t.name === table);
      if (!model) throw new Error(`table ${table} not found in ${this.database}`);
      const key = config.key === undefined ? chooseChunkKey(model) : config.key;
      return copyTaskFromTable(model, { table, where: config.where ?? null, mask: config.mask ?? {} }, key);
    } finally {
      await session.close();
    }
  }

  options(overrides: Partial<CopyOptions> = {}): CopyOptions {
    return {
      chunkRows: 1000,
      method: 'auto',
      concurrency: 1,
      maskSecret: 'test-masking-secret',
      openProduction: this.openProduction,
      openSandbox: this.openSandbox,
      onCommit: () => undefined,
      retry: TEST_RETRY,
      ...overrides,
    };
  }

  copy(task: CopyTask, resume: ResumeState | null = null, overrides: Partial<CopyOptions> = {}): Promise<CopyResult> {
    return copyTable(task, resume, this.options(overrides));
  }

  async count(side: 'prod' | 'sand', table: string, where = '1'): Promise<number> {
    const rows = await this[side]<{ n: number }[]>(`SELECT COUNT(*) AS n FROM \`${table}\` WHERE ${where}`);
    return Number(rows[0]!.n);
  }

  /** CHECKSUM TABLE on both sides and, unless skipped, every value compared as hex. */
  async compare(table: string, options: { rowByRow?: boolean } = {}): Promise<TableComparison> {
    const checksum = async (side: 'prod' | 'sand'): Promise<string> =>
      String((await this[side]<{ Checksum: unknown }[]>(`CHECKSUM TABLE \`${table}\``))[0]!.Checksum);
    const checksums = [await checksum('prod'), await checksum('sand')] as const;
    const rows = [await this.count('prod', table), await this.count('sand', table)] as const;
    const differences: string[] = [];
    if (options.rowByRow !== false) {
      const [a, b] = [await this.hexRows('prod', table), await this.hexRows('sand', table)];
      for (let i = 0; i < Math.max(a.rows.length, b.rows.length) && differences.length < 20; i++) {
        for (let j = 0; j < a.columns.length; j++) {
          const x = a.rows[i]?.[j];
          const y = b.rows[i]?.[j];
          if (x !== y) differences.push(`row ${i}, ${a.columns[j]}: ${String(x).slice(0, 60)} | ${String(y).slice(0, 60)}`);
        }
      }
    }
    return { checksums, rows, differences };
  }

  /** Every column (invisible and generated included) as hex, rows sorted, NULL as null. */
  private async hexRows(side: 'prod' | 'sand', table: string): Promise<{ columns: string[]; rows: (string | null)[][] }> {
    const columns = (
      await this[side]<{ name: string }[]>(
        'SELECT COLUMN_NAME AS name FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
        [this.database, table],
      )
    ).map((r) => String(r.name));
    const list = columns.map((c) => `HEX(\`${c.replace(/`/g, '``')}\`)`).join(', ');
    const conn = await (side === 'prod' ? this.production : this.sandbox).admin(this.database);
    try {
      const [rows] = await conn.query({ sql: `SELECT ${list} FROM \`${table}\``, rowsAsArray: true });
      const sorted = (rows as (string | null)[][]).sort((x, y) => (JSON.stringify(x) < JSON.stringify(y) ? -1 : 1));
      return { columns, rows: sorted };
    } finally {
      await conn.end();
    }
  }

  async drop(): Promise<void> {
    await Promise.all([this.production.dropDatabase(this.database), this.sandbox.dropDatabase(this.database)]);
  }
}
