/**
 * Refresh benchmark: how the cost of `replicoop apply plan.json` follows what changed in
 * production since the last refresh. Private servers; production holds one table of N rows (the
 * bench:copy shape plus a secondary index on a pseudo-random column; ids are even so that rows
 * can be inserted between them) and three small tables; the sandbox is refreshed once, then each
 * scenario changes production and is measured against that refreshed sandbox:
 *
 *   (a) nothing changed
 *   (b) 0.1% of rows changed, clustered at the end of the key (updates of the last 0.05%, plus 0.05% appended)
 *   (c) 1% of rows updated at random, 0.1% deleted, 0.1% inserted between existing keys
 *   (d) every row changed
 *
 * Contenders, each a whole command (backup and validation included, a plan made before the clock
 * starts, as a reviewed plan would be): `apply plan.json` (delta where the plan chose it),
 * `apply plan.json --full`, and mydumper -t 4 + myloader -t 4 when installed. Before every run
 * the sandbox is put back to the refreshed state (INSERT ... SELECT from a copy on the same
 * server) and both servers flush their dirty pages. Medians of --reps runs, ratios, CPU seconds
 * (clients + both servers), peak RSS of the replicoop process, and the backup's share.
 *
 *   npm run bench:refresh -- [--rows 1000000] [--reps 3]      (or BENCH_REFRESH_ROWS=200000)
 *   npm run bench:refresh -- --scenarios b,c                  (only those)
 *   npm run bench:refresh -- --crossover [--reps 1]           (2% to 50% of rows updated at random,
 *                                                              the delta forced: where it stops paying)
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalServer } from '../dev/local-server.js';
import {
  cpuSeconds,
  machineLine,
  median,
  peakRssMb,
  positiveOption,
  quiet,
  secondsSince,
  SERVER_ARGS,
  underTime,
  which,
} from './bench-support.js';

const DATABASE = 'bench';
const BASE = 'bench_base';
const TABLES = ['t', 'small_a', 'small_b', 'small_c'];

const DDL = `CREATE TABLE t (
  id INT NOT NULL PRIMARY KEY, a INT NOT NULL, b INT NOT NULL, c INT NOT NULL,
  s VARCHAR(64) NOT NULL, d DATETIME NOT NULL, m DECIMAL(12,2) NOT NULL, KEY k_c (c)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE small_a (id INT NOT NULL PRIMARY KEY, name VARCHAR(40) NOT NULL) ENGINE=InnoDB;
CREATE TABLE small_b (id INT NOT NULL PRIMARY KEY, a_id INT NOT NULL, note TEXT, KEY (a_id)) ENGINE=InnoDB;
CREATE TABLE small_c (code CHAR(3) NOT NULL PRIMARY KEY, label VARCHAR(40)) ENGINE=InnoDB`;

function fill(rows: number): string {
  const row = (id: string, seq: string): string =>
    `${id}, ${seq} % 1000, ${seq} * 7 % 100000, CRC32(${seq}) % 1000000, MD5(${seq}), '2020-01-01' + INTERVAL (${seq} % 100000000) SECOND, (${seq} % 1000000) / 100`;
  return (
    `INSERT INTO t SELECT ${row('seq * 2', 'seq')} FROM seq_1_to_${rows};` +
    `INSERT INTO small_a SELECT seq, CONCAT('a', seq) FROM seq_1_to_100;` +
    `INSERT INTO small_b SELECT seq, seq % 100 + 1, REPEAT('x', seq % 50) FROM seq_1_to_1000;` +
    `INSERT INTO small_c SELECT LPAD(seq, 3, '0'), CONCAT('c', seq) FROM seq_1_to_300`
  );
}

interface Scenario {
  readonly name: string;
  readonly sql: (rows: number) => string;
}

const SCENARIOS: readonly Scenario[] = [
  { name: '(a) nothing changed', sql: () => 'DO 0' },
  {
    name: '(b) 0.1% clustered at the end',
    sql: (rows) => {
      const part = Math.max(1, Math.round(rows * 0.0005));
      return (
        `UPDATE t SET m = m + 1, s = MD5(id) WHERE id > ${2 * (rows - part)};` +
        `INSERT INTO t SELECT (${rows} + seq) * 2, seq % 1000, seq, CRC32(seq + ${rows}) % 1000000, MD5(seq), NOW(), 1 FROM seq_1_to_${part}`
      );
    },
  },
  {
    name: '(c) 1% updated, 0.1% deleted, 0.1% inserted',
    sql: (rows) =>
      `UPDATE t SET b = b + 1 WHERE CRC32(id) % 1000 < 10;` +
      `DELETE FROM t WHERE CRC32(id * 3) % 1000 = 500;` +
      `INSERT INTO t SELECT seq * 2 + 1, 1, 2, CRC32(seq * 5) % 1000000, MD5(seq), NOW(), 3 FROM seq_1_to_${rows} WHERE CRC32(seq * 7) % 1000 = 3;` +
      `UPDATE small_a SET name = CONCAT(name, '!') WHERE id = 7`,
  },
  { name: '(d) every row changed', sql: () => 'UPDATE t SET a = a + 1' },
];

/** --crossover: rows updated at random, from a few to most; the delta is forced (copy.deltaThreshold: 1). */
const CROSSOVER_SHARES = [0.02, 0.05, 0.1, 0.15, 0.2, 0.35, 0.5];
const CROSSOVER: readonly Scenario[] = CROSSOVER_SHARES.map((share) => ({
  name: `${(share * 100).toFixed(0)}% of rows updated at random`,
  sql: () => `UPDATE t SET b = b + 1 WHERE CRC32(id) % 1000 < ${Math.round(share * 1000)}`,
}));

interface Measurement {
  readonly seconds: number;
  readonly cpu: number;
  readonly rssMb: number | null;
  readonly backupSeconds: number | null;
  readonly backupBytes: number | null;
  readonly note: string;
}

function run(command: string, args: readonly string[], cwd?: string): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...(cwd ? { cwd } : {}) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => {
      if (status === 0) resolve({ stdout, stderr });
      else reject(new Error(`${[command, ...args].join(' ')} exited with ${status}: ${(stdout + stderr).trim().slice(-800)}`));
    });
  });
}

/** Puts database `to` back to the rows of `from` (same server, same tables). */
async function restore(server: LocalServer, from: string, to: string): Promise<void> {
  await server.sql(TABLES.map((t) => `TRUNCATE TABLE ${to}.${t}; INSERT INTO ${to}.${t} SELECT * FROM ${from}.${t}`).join('; '));
}

async function checksums(server: LocalServer, database: string): Promise<string> {
  const rows = (await server.sql(`CHECKSUM TABLE ${TABLES.join(', ')}`, database)) as { Checksum: string }[];
  return rows.map((r) => String(r.Checksum)).join(',');
}

/** BENCH_PROFILE=<dir>: a V8 CPU profile of every delta run there (node --cpu-prof). */
function profile(full: boolean): string[] {
  const dir = process.env.BENCH_PROFILE;
  return dir && !full ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const rows = positiveOption(argv, 'rows', Number(process.env.BENCH_REFRESH_ROWS ?? 1_000_000));
  const crossover = argv.includes('--crossover');
  const reps = positiveOption(argv, 'reps', crossover ? 1 : 3);
  console.log(
    `bench-refresh${crossover ? ' --crossover' : ''}: ${rows.toLocaleString('en-US')} rows in t (+ 3 small tables), ${reps} repetitions`,
  );
  console.log(machineLine());
  const [production, sandbox] = await Promise.all([
    LocalServer.start({ name: 'bench-refresh-prod', args: SERVER_ARGS }),
    LocalServer.start({ name: 'bench-refresh-sandbox', args: SERVER_ARGS }),
  ]);
  const work = mkdtempSync(join(tmpdir(), 'replicoop-bench-refresh-'));
  try {
    const started = performance.now();
    for (const db of [DATABASE, BASE]) await production.sql(`CREATE DATABASE ${db}; USE ${db}; ${DDL}`);
    await production.sql(`USE ${DATABASE}; ${fill(rows)}`);
    await restore(production, DATABASE, BASE);
    for (const db of [DATABASE, BASE]) await sandbox.sql(`CREATE DATABASE ${db}`);
    console.log(`generated in ${secondsSince(started).toFixed(1)} s`);

    const dir = join(work, 'app');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'replicoop.yaml'),
      `production: { host: 127.0.0.1, port: ${production.port}, user: root, database: ${DATABASE} }\n` +
        `sandbox: { host: 127.0.0.1, port: ${sandbox.port}, user: root, database: ${DATABASE} }\n` +
        `maintain: [${TABLES.join(', ')}]\ncopy: { concurrency: 2${crossover ? ', deltaThreshold: 1' : ''} }\nbackup: { dir: ./backups, keep: 1 }\n`,
    );
    const cli = join(import.meta.dirname, '..', 'src', 'cli', 'main.js');
    const replicoop = (args: readonly string[]) => run(process.execPath, [cli, ...args], dir);
    const fresh = (): void => {
      rmSync(join(dir, '.replicoop'), { recursive: true, force: true });
      rmSync(join(dir, 'backups'), { recursive: true, force: true });
      rmSync(join(dir, 'reports'), { recursive: true, force: true });
    };
    // The sandbox refreshed once: structure and rows, then kept on the side as the state every run starts from.
    fresh();
    await replicoop(['plan', '-q']);
    await replicoop(['apply', 'plan.json', '-q', '--no-validate']);
    await sandbox.sql(`USE ${BASE}; ${DDL}`);
    await restore(sandbox, DATABASE, BASE);

    const applyContender = (full: boolean) => async (): Promise<Measurement> => {
      const t0 = performance.now();
      const { stderr } = await run(
        ...underTime(process.execPath, [...profile(full), cli, 'apply', 'plan.json', '-q', ...(full ? ['--full'] : [])]),
        dir,
      );
      const seconds = secondsSince(t0);
      const reports = readdirSync(join(dir, 'reports')).filter((f) => f.endsWith('.json'));
      const report = JSON.parse(readFileSync(join(dir, 'reports', reports.sort().pop()!), 'utf8')) as {
        checkpoints?: { name: string; at: string }[];
        steps?: { object: string; copyMode?: string; note?: string | null }[];
        /** The whole run's backup: the main file and what the copies saved as they went (rows, tables). */
        backup?: { seconds: number; bytes: number } | null;
      };
      const at = (name: string): number => Date.parse(report.checkpoints?.find((c) => c.name === name)?.at ?? '');
      const backups = readdirSync(join(dir, 'backups'));
      const big = report.steps?.find((s) => s.object === 't');
      return {
        seconds,
        cpu: 0,
        rssMb: peakRssMb(stderr),
        backupSeconds: report.backup?.seconds ?? (at('backup_created') - at('connections_established')) / 1000,
        backupBytes: report.backup?.bytes ?? (backups.length > 0 ? statSync(join(dir, 'backups', backups[0]!)).size : null),
        note: big ? `${big.copyMode ?? '?'}: ${big.note ?? ''}` : '',
      };
    };
    const contenders: { name: string; run: () => Promise<Measurement> }[] = [
      { name: 'replicoop apply plan.json (delta)', run: applyContender(false) },
      { name: 'replicoop apply plan.json --full', run: applyContender(true) },
    ];
    if (crossover) console.log('crossover: the delta copy is forced (copy.deltaThreshold: 1); mydumper/myloader left out');
    else if (which('mydumper') && which('myloader')) {
      contenders.push({
        name: 'mydumper -t 4 + myloader -t 4',
        run: async () => {
          const out = join(work, 'mydumper');
          rmSync(out, { recursive: true, force: true });
          const connect = (port: number): string[] => ['-h', '127.0.0.1', '-u', 'root', '-P', String(port), '-v', '1'];
          const t0 = performance.now();
          await run('mydumper', [
            ...connect(production.port),
            '-B',
            DATABASE,
            '-t',
            '4',
            '-r',
            String(Math.max(1000, Math.ceil(rows / 10))),
            '--trx-consistency-only',
            '-o',
            out,
          ]);
          await run('myloader', [...connect(sandbox.port), '-B', DATABASE, '-d', out, '-t', '4', '-o']);
          return { seconds: secondsSince(t0), cpu: 0, rssMb: null, backupSeconds: null, backupBytes: null, note: '' };
        },
      });
    } else console.log('note: mydumper/myloader not installed (apt-get install -y mydumper); skipped');

    const summary: string[] = [];
    // --scenarios a,c: only those (by the letter in their name).
    const only = argv.includes('--scenarios') ? (argv[argv.indexOf('--scenarios') + 1] ?? '').split(',') : null;
    const chosen = (crossover ? CROSSOVER : SCENARIOS).filter(
      (s) => only === null || only.some((letter) => s.name.startsWith(`(${letter})`)),
    );
    for (const scenario of chosen) {
      await restore(production, BASE, DATABASE);
      await production.sql(scenario.sql(rows), DATABASE);
      const expected = await checksums(production, DATABASE);
      console.log(`\n${scenario.name}`);
      const results = new Map<string, Measurement[]>(contenders.map((c) => [c.name, []]));
      for (let rep = 1; rep <= reps; rep++) {
        for (const contender of contenders) {
          await restore(sandbox, BASE, DATABASE);
          await quiet([production, sandbox]);
          fresh();
          await replicoop(['plan', '-q']);
          const before = cpuSeconds('self', true) + cpuSeconds(production.pid ?? 0) + cpuSeconds(sandbox.pid ?? 0);
          const measured = await contender.run();
          const cpu = cpuSeconds('self', true) + cpuSeconds(production.pid ?? 0) + cpuSeconds(sandbox.pid ?? 0) - before;
          const got = await checksums(sandbox, DATABASE);
          if (got !== expected)
            throw new Error(`${scenario.name}, ${contender.name}: the sandbox differs from production (${got} vs ${expected})`);
          results.get(contender.name)!.push({ ...measured, cpu });
          console.log(
            `  rep ${rep}  ${contender.name.padEnd(36)} ${measured.seconds.toFixed(2)} s  cpu ${cpu.toFixed(2)} s` +
              (measured.rssMb !== null ? `  rss ${measured.rssMb} MB` : '') +
              (measured.backupSeconds !== null
                ? `  backup ${measured.backupSeconds.toFixed(2)} s, ${((measured.backupBytes ?? 0) / 1e6).toFixed(1)} MB`
                : '') +
              (rep === 1 && measured.note ? `\n        t: ${measured.note}` : ''),
          );
        }
      }
      const med = (name: string, pick: (m: Measurement) => number): number => median(results.get(name)!.map(pick));
      const delta = med(contenders[0]!.name, (m) => m.seconds);
      const full = med(contenders[1]!.name, (m) => m.seconds);
      const dumper = contenders[2] ? med(contenders[2].name, (m) => m.seconds) : Number.NaN;
      const backupShare = med(contenders[0]!.name, (m) => (m.backupSeconds ?? Number.NaN) / m.seconds);
      const line =
        `${scenario.name.padEnd(46)} delta ${delta.toFixed(2)} s (cpu ${med(contenders[0]!.name, (m) => m.cpu).toFixed(1)}, rss ${med(contenders[0]!.name, (m) => m.rssMb ?? Number.NaN)} MB)` +
        `  --full ${full.toFixed(2)} s (cpu ${med(contenders[1]!.name, (m) => m.cpu).toFixed(1)})` +
        (contenders[2] ? `  mydumper+myloader ${dumper.toFixed(2)} s (cpu ${med(contenders[2].name, (m) => m.cpu).toFixed(1)})` : '') +
        `  | --full/delta ${(full / delta).toFixed(2)}x` +
        (contenders[2] ? `, myloader/--full ${(dumper / full).toFixed(2)}x` : '') +
        `  | backup share of delta apply ${(backupShare * 100).toFixed(0)}%`;
      summary.push(line);
      console.log(`  median: ${line}`);
    }
    console.log('\nmedians (whole commands; backup and validation included in replicoop):');
    for (const line of summary) console.log(line);
    console.log(
      crossover
        ? 'crossover: where --full/delta falls below 1.0x, a full copy is cheaper (compare copy.deltaThreshold, default 0.1 of the probed rows)'
        : 'goals: (a) --full/delta >= 8x, (b) >= 5x, (c) >= 2.5x, (d) >= 0.91x (delta no slower than 1.1x --full); myloader/--full >= 1.0x',
    );
  } finally {
    await Promise.all([production.destroy(), sandbox.destroy()]);
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
