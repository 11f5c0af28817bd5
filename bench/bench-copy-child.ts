/**
 * One replicoop copy for bench-copy.ts, in its own process so that its peak RSS is its own.
 * Prints one JSON line: { rows, seconds, method, maxRssMb }.
 * Usage: node dist/bench/bench-copy-child.js '<json: {production, sandbox, database, table, method, concurrency, chunkRows}>'
 */
import { copyTable } from '../src/copy/copy-table.js';
import { copyTaskFromTable } from '../src/copy/copy-task.js';
import type { CopyMethod } from '../src/config/types.js';
import { ProductionSession, SandboxSession } from '../src/db/session.js';
import { readSnapshot } from '../src/introspect/read-snapshot.js';
import { chooseChunkKey } from '../src/snapshot/chunk-key.js';

interface ChildConfig {
  readonly production: number;
  readonly sandbox: number;
  readonly database: string;
  readonly table: string;
  readonly method: CopyMethod;
  readonly concurrency: number;
  readonly chunkRows: number;
}

const config = JSON.parse(process.argv[2] ?? '{}') as ChildConfig;
const target = (role: 'production' | 'sandbox', port: number) => ({
  role,
  host: '127.0.0.1',
  port,
  user: 'root',
  password: '',
  database: config.database,
});

// The task as a real run builds it: introspected table, chosen chunk key.
const reader = await ProductionSession.open(target('production', config.production));
const table = (await readSnapshot(reader)).tables.find((t) => t.name === config.table);
await reader.close();
if (!table) throw new Error(`table ${config.table} not found`);
const task = copyTaskFromTable(table, { table: config.table, where: null, mask: {} }, chooseChunkKey(table));

const result = await copyTable(task, null, {
  chunkRows: config.chunkRows,
  method: config.method,
  concurrency: config.concurrency,
  maskSecret: null,
  openProduction: () => ProductionSession.open(target('production', config.production)),
  openSandbox: () => SandboxSession.open(target('sandbox', config.sandbox)),
  onCommit: () => undefined,
});
process.stdout.write(
  `${JSON.stringify({ rows: result.rows, seconds: result.seconds, method: result.method, maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`,
);
