/**
 * npm run bench:plan — introspection + diff speed against mariadb-dump, in one run.
 *
 * A private server holds a schema of 1,000 tables (10 columns, 3 secondary indexes, 1 FK each)
 * and 50 views; the sandbox database is empty. Timed, several repetitions, medians:
 *   - replicoop: runPlan, what `replicoop plan` runs (connect, read both schemas with 4 sessions a side,
 *     check maintain, count rows, diff, build), in this process;
 *   - replicoop plan: the whole CLI command (process start, connect, read, diff, write plan.json);
 *   - mariadb-dump --no-data --routines --triggers --events of the same schema.
 * Options: --tables N (1000), --views N (50), --reps N (5).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/load-config.js';
import { LocalServer } from '../dev/local-server.js';
import { runPlan } from '../src/plan/run-plan.js';
import { packageRoot } from '../src/package-info.js';
import { median, secondsSince } from './bench-support.js';

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

async function main(): Promise<void> {
  const tables = option('tables', 1000);
  const views = option('views', 50);
  const reps = option('reps', 5);
  console.log(`bench:plan — ${tables} tables, ${views} views, ${reps} repetitions`);
  const server = await LocalServer.start({ name: 'bench-plan' });
  try {
    await server.sql('CREATE DATABASE prod; CREATE DATABASE sandbox');
    const ddl: string[] = [];
    for (let i = 1; i <= tables; i++) {
      const name = `t${String(i).padStart(4, '0')}`;
      const parent = i === 1 ? name : `t${String(i - 1).padStart(4, '0')}`;
      ddl.push(`CREATE TABLE ${name} (
        id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, parent_id INT NULL, c1 VARCHAR(64) NOT NULL DEFAULT '', c2 INT, c3 DATETIME,
        c4 DECIMAL(10,2) DEFAULT 0.00, c5 TEXT, c6 TINYINT(1) NOT NULL DEFAULT 0, c7 BIGINT UNSIGNED, c8 CHAR(10) COMMENT 'code',
        KEY by_c1 (c1), KEY by_c2_c3 (c2, c3), KEY by_parent (parent_id),
        CONSTRAINT fk_${name} FOREIGN KEY (parent_id) REFERENCES ${parent} (id) ON DELETE SET NULL) ENGINE=InnoDB`);
    }
    for (let i = 1; i <= views; i++) {
      const a = `t${String(i).padStart(4, '0')}`;
      const b = `t${String(i + 1).padStart(4, '0')}`;
      ddl.push(
        `CREATE VIEW v${String(i).padStart(2, '0')} AS SELECT a.id, a.c1, b.c2 FROM ${a} a JOIN ${b} b ON b.parent_id = a.id WHERE a.c6 = 1`,
      );
    }
    const started = performance.now();
    const batch = 100;
    for (let i = 0; i < ddl.length; i += batch)
      await server.sql(`SET foreign_key_checks = 0; ${ddl.slice(i, i + batch).join(';\n')}`, 'prod');
    console.log(`schema created in ${secondsSince(started).toFixed(1)} s`);

    const replicoop: number[] = [];
    const cli: number[] = [];
    const dump: number[] = [];
    const dir = mkdtempSync(join(tmpdir(), 'bench-plan-'));
    writeFileSync(
      join(dir, 'replicoop.yaml'),
      `production: { host: 127.0.0.1, port: ${server.port}, user: root, database: prod }\nsandbox: { host: 127.0.0.1, port: ${server.port}, user: root, database: sandbox }\n`,
    );
    let steps = 0;
    for (let rep = 0; rep < reps; rep++) {
      // Alternate the order so that neither tool always runs on a warm cache.
      const runReplicoop = async (): Promise<void> => {
        const t0 = performance.now();
        const plan = await runPlan(loadConfig(join(dir, 'replicoop.yaml'), {}, dir), { createdAt: '' });
        steps = plan.steps.length;
        replicoop.push(performance.now() - t0);
      };
      const runDump = (): void => {
        const t0 = performance.now();
        const result = spawnSync(
          'mariadb-dump',
          ['--no-defaults', '-h127.0.0.1', `-P${server.port}`, '-uroot', '--no-data', '--routines', '--triggers', '--events', 'prod'],
          { maxBuffer: 1 << 28 },
        );
        if (result.status !== 0) throw new Error(result.stderr.toString());
        dump.push(performance.now() - t0);
      };
      const runCli = (): void => {
        const t0 = performance.now();
        const result = spawnSync(
          process.execPath,
          [join(packageRoot, 'dist', 'src', 'cli', 'main.js'), 'plan', '-q', '-o', join(dir, 'plan.json')],
          { cwd: dir, maxBuffer: 1 << 28 },
        );
        if (result.status !== 0) throw new Error(result.stderr.toString());
        cli.push(performance.now() - t0);
      };
      if (rep % 2 === 0) {
        await runReplicoop();
        runDump();
      } else {
        runDump();
        await runReplicoop();
      }
      runCli();
    }
    const r = median(replicoop);
    const c = median(cli);
    const d = median(dump);
    console.log(`plan steps: ${steps}`);
    console.log(`replicoop introspection+diff (both sides): median ${r.toFixed(0)} ms  [${replicoop.map((x) => x.toFixed(0)).join(', ')}]`);
    console.log(`replicoop plan (whole CLI command):        median ${c.toFixed(0)} ms  [${cli.map((x) => x.toFixed(0)).join(', ')}]`);
    console.log(`mariadb-dump --no-data (one side):         median ${d.toFixed(0)} ms  [${dump.map((x) => x.toFixed(0)).join(', ')}]`);
    console.log(`ratio replicoop/mariadb-dump: ${(r / d).toFixed(2)} (goal <= 1.0); whole CLI/mariadb-dump: ${(c / d).toFixed(2)}`);
  } finally {
    await server.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
