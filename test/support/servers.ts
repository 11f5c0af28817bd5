import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import mysql from 'mysql2/promise';
import { inject } from 'vitest';
import type { ConnectionTarget, Role } from '../../src/config/connection-target.js';

/** A handle on one of the shared private test servers (started by global-setup.ts). */
export class TestServer {
  readonly role: Role;
  readonly port: number;

  constructor(role: Role, port: number) {
    this.role = role;
    this.port = port;
  }

  async admin(database?: string): Promise<mysql.Connection> {
    return mysql.createConnection({
      host: '127.0.0.1',
      port: this.port,
      user: 'root',
      password: '',
      database,
      multipleStatements: true,
      charset: 'utf8mb4_general_ci',
      dateStrings: true,
      supportBigNumbers: true,
      bigNumberStrings: true,
      timezone: 'Z',
    });
  }

  /** Runs SQL (several statements allowed) as root. */
  async sql<T = Record<string, unknown>[]>(text: string, database?: string, params: unknown[] = []): Promise<T> {
    const conn = await this.admin(database);
    try {
      const [rows] = await conn.query(text, params);
      return rows as T;
    } finally {
      await conn.end();
    }
  }

  async createDatabase(name: string, charset = 'utf8mb4', collation = 'utf8mb4_general_ci'): Promise<string> {
    await this.sql(`DROP DATABASE IF EXISTS \`${name}\`; CREATE DATABASE \`${name}\` CHARACTER SET ${charset} COLLATE ${collation}`);
    return name;
  }

  async dropDatabase(name: string): Promise<void> {
    await this.sql(`DROP DATABASE IF EXISTS \`${name}\``);
  }

  target(database: string, role: Role = this.role): ConnectionTarget {
    return { role, host: '127.0.0.1', port: this.port, user: 'root', password: '', database };
  }

  /** Loads a SQL file with the mariadb client (DELIMITER and friends work). */
  async loadFile(path: string, database: string): Promise<void> {
    const { spawnSync } = await import('node:child_process');
    const result = spawnSync(
      'mariadb',
      ['--no-defaults', '-h127.0.0.1', `-P${this.port}`, '-uroot', '--default-character-set=utf8mb4', '--comments', database],
      {
        input: readFileSync(path),
        encoding: 'utf8',
        maxBuffer: 1 << 28,
      },
    );
    if (result.status !== 0) throw new Error(`loading ${path} failed: ${result.stderr}`);
  }
}

export function testServers(): { production: TestServer; sandbox: TestServer } {
  const ports = inject('servers');
  return { production: new TestServer('production', ports.production), sandbox: new TestServer('sandbox', ports.sandbox) };
}

/** A database name unique to this test run and worker. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}
