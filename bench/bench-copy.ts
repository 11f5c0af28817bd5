/**
 * Copy benchmark: one table of N generated rows from a private production server to a private
 * sandbox server, by replicoop's copy engine and by the usual alternatives, on the same servers.
 *
 *   npm run bench:copy -- [--rows 1000000] [--reps 3] [--concurrency 2] [--chunk-rows 20000]
 *
 * Contenders (each repetition runs all of them in turn, so that load from elsewhere on the
 * machine spreads over all of them; medians are reported):
 * - `replicoop apply plan.json`, the whole command (the reference for the ratios);
 * - replicoop copyTable, in a child process (its peak RSS is read there), LOAD DATA (auto) at
 *   the given concurrency and at 1, and the INSERT writer at 1;
 * - mariadb-dump --single-transaction --quick | mariadb;
 * - mydumper -t 4 + myloader -t 4, when installed;
 * - INSERT ... SELECT between two databases of the sandbox server: no network, no client, the
 *   upper limit for the sandbox's write speed.
 * Before every run the target table is recreated empty and both servers are left to flush their
 * dirty pages, so no run pays for the previous one's writes.
 *
 * CPU time is reported next to wall time: the clients' (every process the bench waited for) and
 * each server's, read from /proc. On a small machine the tools compete with both servers for the
 * same cores, so the CPU a run costs in total decides its wall time as much as its parallelism.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
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

interface Options {
  readonly rows: number;
  readonly reps: number;
  readonly concurrency: number;
  readonly chunkRows: number;
}

/** CPU seconds (user + system) a run cost: the clients and each server. */
interface CpuCost {
  readonly client: number;
  readonly production: number;
  readonly sandbox: number;
}

interface Measurement {
  /** Wall time of the whole tool: process start, connections, introspection, copy. */
  readonly seconds: number;
  /** replicoop only: copyTable's own time (without process start and introspection). */
  readonly engineSeconds?: number;
  readonly maxRssMb?: number;
  cpu?: CpuCost;
}

interface Contender {
  readonly name: string;
  /** Untimed work before the run (its CPU is not counted either). */
  readonly prepare?: () => Promise<void>;
  readonly run: () => Promise<Measurement>;
}

const DATABASE = 'bench';
const TABLE = 't';
const DDL = `CREATE TABLE ${TABLE} (
  id INT NOT NULL PRIMARY KEY, a INT NOT NULL, b INT NOT NULL, c INT NOT NULL,
  s VARCHAR(64) NOT NULL, d DATETIME NOT NULL, m DECIMAL(12,2) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`;
function parseOptions(argv: readonly string[]): Options {
  return {
    rows: positiveOption(argv, 'rows', 1_000_000),
    reps: positiveOption(argv, 'reps', 3),
    concurrency: positiveOption(argv, 'concurrency', 2),
    chunkRows: positiveOption(argv, 'chunk-rows', 20_000),
  };
}

function run(command: string, args: readonly string[], shell = false): Promise<{ seconds: number; stdout: string }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = shell
      ? spawn('bash', ['-o', 'pipefail', '-c', command], { stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => {
      if (status === 0) resolve({ seconds: secondsSince(started), stdout });
      else reject(new Error(`${shell ? command : [command, ...args].join(' ')} exited with ${status}: ${stderr.trim().slice(0, 500)}`));
    });
  });
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  console.log(
    `bench-copy: ${options.rows.toLocaleString('en-US')} rows, ${options.reps} repetitions, replicoop concurrency ${options.concurrency}`,
  );
  console.log(`${machineLine()} (other processes compete for them)`);

  const [production, sandbox] = await Promise.all([
    LocalServer.start({ name: 'bench-prod', args: SERVER_ARGS }),
    LocalServer.start({ name: 'bench-sandbox', args: SERVER_ARGS }),
  ]);
  const work = mkdtempSync(join(tmpdir(), 'replicoop-bench-copy-'));
  try {
    const fill = `INSERT INTO ${TABLE} SELECT seq, seq % 1000, seq * 7 % 100000, seq * 13 % 1000000, MD5(seq), '2020-01-01' + INTERVAL (seq % 100000000) SECOND, (seq % 1000000) / 100 FROM seq_1_to_${options.rows}`;
    const started = performance.now();
    await production.sql(`CREATE DATABASE ${DATABASE}; USE ${DATABASE}; ${DDL}; ${fill}`);
    // The same rows in a second database of the sandbox server, the source of INSERT ... SELECT.
    await sandbox.sql(`CREATE DATABASE ${DATABASE}; CREATE DATABASE ${DATABASE}_src; USE ${DATABASE}_src; ${DDL}; ${fill}`);
    const expected = String(((await production.sql(`CHECKSUM TABLE ${TABLE}`, DATABASE)) as { Checksum: string }[])[0]!.Checksum);
    console.log(`generated in ${secondsSince(started).toFixed(1)} s\n`);

    const host = ['-h127.0.0.1', '-uroot'];
    const replicoop = (method: 'auto' | 'insert', concurrency: number): Contender => ({
      name: `replicoop ${method === 'auto' ? 'LOAD DATA' : 'INSERT'}, concurrency ${concurrency}`,
      run: async () => {
        const config = {
          production: production.port,
          sandbox: sandbox.port,
          database: DATABASE,
          table: TABLE,
          method,
          concurrency,
          chunkRows: options.chunkRows,
        };
        const { seconds, stdout } = await run(process.execPath, [join(import.meta.dirname, 'bench-copy-child.js'), JSON.stringify(config)]);
        const reported = JSON.parse(stdout.trim().split('\n').pop()!) as { maxRssMb: number; method: string; seconds: number };
        if (method === 'auto' && reported.method !== 'load-data')
          throw new Error(`expected LOAD DATA, the engine chose ${reported.method}`);
        return { seconds, engineSeconds: reported.seconds, maxRssMb: reported.maxRssMb };
      },
    });
    // The whole product as users run it: `replicoop apply plan.json` of a plan whose only data
    // step is this table (backup of the empty sandbox table included, validation left to
    // bench:validate). The plan is made before the clock starts, as a reviewed plan would be.
    const appDir = join(work, 'apply');
    mkdirSync(appDir, { recursive: true });
    writeFileSync(
      join(appDir, 'replicoop.yaml'),
      `production: { host: 127.0.0.1, port: ${production.port}, user: root, database: ${DATABASE} }\n` +
        `sandbox: { host: 127.0.0.1, port: ${sandbox.port}, user: root, database: ${DATABASE} }\n` +
        `maintain: [${TABLE}]\ncopy: { concurrency: ${options.concurrency}, chunkRows: ${options.chunkRows} }\napply: { validate: false }\n`,
    );
    const cli = join(import.meta.dirname, '..', 'src', 'cli', 'main.js');
    const applyContender: Contender = {
      name: `replicoop apply plan.json (whole command), concurrency ${options.concurrency}`,
      prepare: async () => {
        rmSync(join(appDir, '.replicoop'), { recursive: true, force: true });
        const plan = spawnSync(process.execPath, [cli, 'plan', '-q'], { cwd: appDir, encoding: 'utf8' });
        if (plan.status !== 0) throw new Error(`plan failed: ${plan.stderr}`);
      },
      run: async () => {
        const started = performance.now();
        const apply = spawnSync(...underTime(process.execPath, [cli, 'apply', 'plan.json', '-q']), {
          cwd: appDir,
          encoding: 'utf8',
          maxBuffer: 1 << 26,
        });
        const seconds = secondsSince(started);
        if (apply.status !== 0) throw new Error(`apply failed: ${apply.stderr}`);
        return { seconds, maxRssMb: peakRssMb(apply.stderr) ?? undefined };
      },
    };
    const contenders: Contender[] = [
      applyContender,
      replicoop('auto', options.concurrency),
      ...(options.concurrency !== 1 ? [replicoop('auto', 1)] : []),
      replicoop('insert', 1),
      {
        name: 'mariadb-dump --single-transaction --quick | mariadb',
        run: () =>
          run(
            `mariadb-dump --no-defaults ${host.join(' ')} -P${production.port} --single-transaction --quick ${DATABASE} ${TABLE}` +
              ` | mariadb --no-defaults ${host.join(' ')} -P${sandbox.port} ${DATABASE}`,
            [],
            true,
          ),
      },
    ];
    if (which('mydumper') && which('myloader')) {
      contenders.push({
        name: 'mydumper -t 4 + myloader -t 4',
        run: async () => {
          const dir = join(work, 'mydumper');
          rmSync(dir, { recursive: true, force: true });
          // glib option parsing: values as separate arguments. -r splits the table into files
          // that the four loader threads can load in parallel.
          const connect = (port: number): string[] => ['-h', '127.0.0.1', '-u', 'root', '-P', String(port), '-v', '1'];
          const filesOf = String(Math.max(1000, Math.ceil(options.rows / 10)));
          const dump = await run('mydumper', [
            ...connect(production.port),
            '-B',
            DATABASE,
            '-T',
            TABLE,
            '-t',
            '4',
            '-r',
            filesOf,
            '--trx-consistency-only',
            '-o',
            dir,
          ]);
          const load = await run('myloader', [...connect(sandbox.port), '-B', DATABASE, '-d', dir, '-t', '4', '-o']);
          return { seconds: dump.seconds + load.seconds };
        },
      });
    } else {
      console.log('note: mydumper/myloader not installed (apt-get install -y mydumper); skipped\n');
    }
    contenders.push({
      name: 'INSERT ... SELECT on the sandbox server (upper limit)',
      run: async () => {
        const started = performance.now();
        await sandbox.sql(`INSERT INTO ${DATABASE}.${TABLE} SELECT * FROM ${DATABASE}_src.${TABLE}`);
        return { seconds: secondsSince(started) };
      },
    });

    const results = new Map<string, Measurement[]>(contenders.map((c) => [c.name, []]));
    for (let rep = 1; rep <= options.reps; rep++) {
      for (const contender of contenders) {
        await sandbox.sql(`DROP TABLE IF EXISTS ${TABLE}; ${DDL}`, DATABASE);
        await quiet([production, sandbox]);
        await contender.prepare?.();
        const before = {
          client: cpuSeconds('self', true),
          production: cpuSeconds(production.pid ?? 0),
          sandbox: cpuSeconds(sandbox.pid ?? 0),
        };
        const measurement = await contender.run();
        measurement.cpu = {
          client: cpuSeconds('self', true) - before.client,
          production: cpuSeconds(production.pid ?? 0) - before.production,
          sandbox: cpuSeconds(sandbox.pid ?? 0) - before.sandbox,
        };
        const rows = (await sandbox.sql(`SELECT COUNT(*) AS n FROM ${TABLE}`, DATABASE)) as { n: number }[];
        if (Number(rows[0]!.n) !== options.rows) throw new Error(`${contender.name} left ${rows[0]!.n} rows instead of ${options.rows}`);
        if (rep === 1) {
          const sums = (await sandbox.sql(`CHECKSUM TABLE ${TABLE}`, DATABASE)) as { Checksum: string }[];
          if (String(sums[0]!.Checksum) !== expected) throw new Error(`${contender.name}: the copy's checksum differs from production's`);
        }
        results.get(contender.name)!.push(measurement);
        const extra =
          measurement.engineSeconds === undefined
            ? ''
            : `  (copyTable ${measurement.engineSeconds.toFixed(2)} s, peak RSS ${measurement.maxRssMb} MB)`;
        const cpu = measurement.cpu;
        const cpuText = `  cpu: client ${cpu.client.toFixed(2)} + production ${cpu.production.toFixed(2)} + sandbox ${cpu.sandbox.toFixed(2)} s`;
        console.log(`  rep ${rep}  ${contender.name.padEnd(55)} ${measurement.seconds.toFixed(2)} s${extra}${cpuText}`);
      }
    }

    const reference = median(results.get(contenders[0]!.name)!.map((m) => m.seconds));
    const totalCpu = (m: Measurement): number => (m.cpu ? m.cpu.client + m.cpu.production + m.cpu.sandbox : Number.NaN);
    const referenceCpu = median(results.get(contenders[0]!.name)!.map(totalCpu));
    console.log(
      `\n${'contender'.padEnd(55)} ${'median s'.padStart(9)} ${'rows/s'.padStart(10)} ${'replicoop speed-up'.padStart(19)} ${'CPU s (all)'.padStart(12)} ${'CPU ratio'.padStart(10)}`,
    );
    for (const contender of contenders) {
      const measured = results.get(contender.name)!;
      const seconds = median(measured.map((m) => m.seconds));
      const cpu = median(measured.map(totalCpu));
      const rate = Math.round(options.rows / seconds).toLocaleString('en-US');
      console.log(
        `${contender.name.padEnd(55)} ${seconds.toFixed(2).padStart(9)} ${rate.padStart(10)} ${`${(seconds / reference).toFixed(2)}x`.padStart(19)}` +
          ` ${cpu.toFixed(2).padStart(12)} ${`${(cpu / referenceCpu).toFixed(2)}x`.padStart(10)}`,
      );
    }
    const rss = contenders.flatMap((c) => results.get(c.name)!.map((m) => m.maxRssMb ?? 0));
    console.log(`\nreplicoop peak RSS (child process, all runs): ${Math.max(...rss)} MB`);
    console.log(
      `goals: >= 2x the dump|mariadb pipe, >= 1x mydumper/myloader, peak RSS < 200 MB (speed-up = contender time / ${contenders[0]!.name} time;`,
    );
    console.log("times are wall times of the whole tool, replicoop's including Node start-up and introspection;");
    console.log(
      `CPU s = clients + both servers, user + system; the machine has ${cpus().length} CPUs, so no run can take less than CPU s / ${cpus().length} of wall time)`,
    );
  } finally {
    await Promise.all([production.destroy(), sandbox.destroy()]);
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
