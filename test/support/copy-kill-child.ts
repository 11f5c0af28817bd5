/**
 * Child process for copy-kill.test.ts: copies one table and stores the resume position in a
 * file after every commit (write then rename, as a durable store would), until it is killed.
 * Usage: node --import tsx copy-kill-child.ts '<json: {production, sandbox, database, table, stateFile}>'
 */
import { renameSync, writeFileSync } from 'node:fs';
import { copyTable } from '../../src/copy/copy-table.js';
import { copyTaskFromTable } from '../../src/copy/copy-task.js';
import { ProductionSession, SandboxSession } from '../../src/db/session.js';
import { readSnapshot } from '../../src/introspect/read-snapshot.js';
import { chooseChunkKey } from '../../src/snapshot/chunk-key.js';

const config = JSON.parse(process.argv[2]!) as { production: number; sandbox: number; database: string; table: string; stateFile: string };
const target = (role: 'production' | 'sandbox', port: number) => ({
  role,
  host: '127.0.0.1',
  port,
  user: 'root',
  password: '',
  database: config.database,
});

const reader = await ProductionSession.open(target('production', config.production));
const table = (await readSnapshot(reader)).tables.find((t) => t.name === config.table)!;
await reader.close();
const task = copyTaskFromTable(table, { table: config.table, where: null, mask: {} }, chooseChunkKey(table));
await copyTable(task, null, {
  chunkRows: 1000,
  method: 'insert',
  concurrency: 2,
  maskSecret: null,
  openProduction: () => ProductionSession.open(target('production', config.production)),
  openSandbox: () => SandboxSession.open(target('sandbox', config.sandbox)),
  onCommit: (state) => {
    writeFileSync(`${config.stateFile}.tmp`, JSON.stringify(state));
    renameSync(`${config.stateFile}.tmp`, config.stateFile);
  },
});
process.stdout.write('finished\n');
