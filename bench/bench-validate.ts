/**
 * `npm run bench:validate`: replicoop's data validation against pt-table-checksum and CHECKSUM
 * TABLE on the same 1,000,000 rows, in one run, on two private servers this script starts.
 *
 * - replicoop: runValidate on one maintain table, both sides checksummed at once (the figure is
 *   the whole command: connect, both schemas, checksums, orphan check; the data phase alone is
 *   shown too), at several concurrencies.
 * - pt-table-checksum --recursion-method=none on each side, both sides started together (it
 *   checksums one server at a time, so the fair comparison runs two of them in parallel).
 * - CHECKSUM TABLE on both sides at once: the floor (no chunks, no per-row text, but also no way
 *   to locate a difference, and it depends on the row format).
 * Medians of BENCH_REPS repetitions (default 5) after one warm-up of each; ratios from this run.
 * A second table prices the row hash: the same whole-table aggregate on one connection to one
 * server with each candidate expression, so the choice in row-hash.ts can be re-checked.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import mysql from 'mysql2/promise';
import { loadConfig } from '../src/config/load-config.js';
import { LocalServer } from '../dev/local-server.js';
import { rowSerialisation, type HashColumn } from '../src/sql/row-hash.js';
import { runValidate } from '../src/validate/run-validate.js';
import { median, secondsSince } from './bench-support.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const REPS = Number(process.env.BENCH_REPS ?? 5);
const CONCURRENCIES = (process.env.BENCH_CONCURRENCY ?? '1,2,4').split(',').map(Number);
const DATABASE = 'bench';

const TABLE_SQL = `CREATE TABLE t (id INT NOT NULL PRIMARY KEY, a INT NOT NULL, b INT NULL, c INT NULL, s VARCHAR(64) NULL, dt DATETIME NULL, d DECIMAL(12,2) NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`;
const DATA_SQL = `INSERT INTO t SELECT seq, seq * 7 % 1000, seq % 13, IF(seq % 17 = 0, NULL, seq * 31 % 100000), MD5(seq), '2024-01-01' + INTERVAL seq SECOND, seq / 100 FROM seq_1_to_${ROWS}`;

async function timed(run: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await run();
  return secondsSince(started);
}

function ptChecksum(server: LocalServer): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'pt-table-checksum',
      [
        '--recursion-method=none',
        '--no-check-binlog-format',
        `--databases=${DATABASE}`,
        '--tables=t',
        `h=127.0.0.1,P=${server.port},u=root`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      // The result line: TS ERRORS DIFFS ROWS DIFF_ROWS CHUNKS SKIPPED TIME TABLE.
      const line = output.split('\n').find((l) => l.trim().endsWith(`${DATABASE}.t`));
      const fields = line?.trim().split(/\s+/) ?? [];
      if (code !== 0 || fields[1] !== '0' || Number(fields[3]) !== ROWS)
        reject(new Error(`pt-table-checksum on port ${server.port} failed (exit ${code}): ${output.trim()}`));
      else resolve();
    });
  });
}

async function checksumTable(server: LocalServer): Promise<void> {
  const conn = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root', password: '', database: DATABASE });
  try {
    await conn.query('CHECKSUM TABLE t');
  } finally {
    await conn.end();
  }
}

const COLUMNS: readonly HashColumn[] = [
  { name: 'id', dataType: 'int', nullable: false },
  { name: 'a', dataType: 'int', nullable: false },
  { name: 'b', dataType: 'int', nullable: true },
  { name: 'c', dataType: 'int', nullable: true },
  { name: 's', dataType: 'varchar', nullable: true },
  { name: 'dt', dataType: 'datetime', nullable: true },
  { name: 'd', dataType: 'decimal', nullable: true },
];

/** Whole-table aggregates, one server, one connection: what each per-row hash costs. */
function hashVariants(): { name: string; sql: string }[] {
  const row = rowSerialisation(COLUMNS);
  const ptRow = "CONCAT_WS('#', id, a, b, c, s, dt, d, CONCAT(ISNULL(b), ISNULL(c), ISNULL(s), ISNULL(dt), ISNULL(d)))";
  return [
    // SUM(id) reads every row (COUNT(*) alone may be answered from a smaller index).
    { name: 'SUM(id) (reading the rows)', sql: 'SELECT SUM(id) FROM t' },
    { name: 'pt-table-checksum default: BIT_XOR(CRC32(CONCAT_WS))', sql: `SELECT COUNT(*), BIT_XOR(CRC32(${ptRow})) FROM t` },
    { name: 'replicoop serialisation, BIT_XOR(CRC32(row)) (linear)', sql: `SELECT COUNT(*), BIT_XOR(CRC32(${row})) FROM t` },
    { name: 'replicoop: BIT_XOR(CRC32(SHA1(row)))', sql: `SELECT COUNT(*), BIT_XOR(CRC32(SHA1(${row}))) FROM t` },
    { name: 'replicoop key-less: SUM(CRC32(SHA1(row)))', sql: `SELECT COUNT(*), SUM(CRC32(SHA1(${row}))) FROM t` },
    {
      name: '64-bit: BIT_XOR(CONV(LEFT(SHA1(row),16),16,10))',
      sql: `SELECT COUNT(*), BIT_XOR(CAST(CONV(LEFT(SHA1(${row}), 16), 16, 10) AS UNSIGNED)) FROM t`,
    },
    {
      name: '64-bit: BIT_XOR(CONV(LEFT(MD5(row),16),16,10))',
      sql: `SELECT COUNT(*), BIT_XOR(CAST(CONV(LEFT(MD5(${row}), 16), 16, 10) AS UNSIGNED)) FROM t`,
    },
    {
      name: 'two aggregates: BIT_XOR and SUM of CRC32(SHA1(row))',
      sql: `SELECT COUNT(*), BIT_XOR(CRC32(SHA1(${row}))), SUM(CRC32(SHA1(${row}))) FROM t`,
    },
  ];
}

async function main(): Promise<void> {
  if (spawnSync('sh', ['-c', 'command -v pt-table-checksum']).status !== 0) {
    throw new Error('pt-table-checksum not found: apt-get install -y percona-toolkit');
  }
  const dir = mkdtempSync(join(tmpdir(), 'replicoop-bench-validate-'));
  process.stderr.write('starting two private servers\n');
  const [production, sandbox] = await Promise.all([
    LocalServer.start({ name: 'bench-prod', args: ['--innodb-buffer-pool-size=512M'] }),
    LocalServer.start({ name: 'bench-sandbox', args: ['--innodb-buffer-pool-size=512M'] }),
  ]);
  try {
    process.stderr.write(`generating ${ROWS.toLocaleString('en-US')} rows on both sides\n`);
    await Promise.all(
      [production, sandbox].map(async (server) => {
        await server.sql(`CREATE DATABASE ${DATABASE}`);
        await server.sql(`${TABLE_SQL}; ${DATA_SQL}; ANALYZE TABLE t`, DATABASE);
      }),
    );
    const file = join(dir, 'replicoop.yaml');
    writeFileSync(
      file,
      dump({
        production: production.connection(DATABASE),
        sandbox: sandbox.connection(DATABASE),
        maintain: ['t'],
        reports: './reports',
        logs: './logs',
      }),
    );
    const config = loadConfig(file, {}, dir);

    const rows: { name: string; seconds: number; data?: number }[] = [];
    const measure = async (name: string, run: () => Promise<number | void>): Promise<void> => {
      await run(); // warm-up: buffer pool, connections, pt's percona.checksums table
      const seconds: number[] = [];
      const data: number[] = [];
      for (let i = 0; i < REPS; i++) {
        let inner: number | void = undefined;
        seconds.push(await timed(async () => void (inner = await run())));
        if (typeof inner === 'number') data.push(inner);
      }
      rows.push({ name, seconds: median(seconds), ...(data.length > 0 ? { data: median(data) } : {}) });
      process.stderr.write(`${name}: ${seconds.map((s) => s.toFixed(2)).join(' ')} s\n`);
    };

    for (const concurrency of CONCURRENCIES) {
      await measure(`replicoop validate, ${concurrency} connection pair${concurrency > 1 ? 's' : ''}`, async () => {
        const result = await runValidate({ config, strict: false, concurrency });
        if (!result.passed || result.data.tables[0]?.productionRows !== ROWS)
          throw new Error(`replicoop validate did not pass: ${result.failures.join('; ')}`);
        return result.data.seconds;
      });
    }
    await measure('pt-table-checksum, both sides in parallel', async () => {
      await Promise.all([ptChecksum(production), ptChecksum(sandbox)]);
    });
    await measure('pt-table-checksum, one side', async () => {
      await ptChecksum(production);
    });
    await measure('CHECKSUM TABLE, both sides in parallel', async () => {
      await Promise.all([checksumTable(production), checksumTable(sandbox)]);
    });

    const pt = rows.find((r) => r.name.startsWith('pt-table-checksum, both'))!.seconds;
    const floor = rows.find((r) => r.name.startsWith('CHECKSUM TABLE'))!.seconds;
    const lines = [
      `Data validation of ${ROWS.toLocaleString('en-US')} rows on each side (medians of ${REPS}; ${process.env.BENCH_NOTE ?? 'two local MariaDB servers'})`,
      '',
      `| Method | Wall s | Rows/s per side | pt-table-checksum / this | this / CHECKSUM TABLE |`,
      `|---|---:|---:|---:|---:|`,
    ];
    for (const row of rows) {
      const label = row.data === undefined ? row.name : `${row.name} (data phase ${row.data.toFixed(2)} s)`;
      lines.push(
        `| ${label} | ${row.seconds.toFixed(2)} | ${Math.round(ROWS / row.seconds).toLocaleString('en-US')} | ${(pt / row.seconds).toFixed(2)} | ${(row.seconds / floor).toFixed(2)} |`,
      );
    }
    const conn = await mysql.createConnection({ host: '127.0.0.1', port: production.port, user: 'root', password: '', database: DATABASE });
    try {
      lines.push(
        '',
        `Row hash cost: one whole-table aggregate, one connection, one server (medians of ${REPS}, variants interleaved)`,
        '',
        '| Expression | Seconds | Over reading the rows |',
        '|---|---:|---:|',
      );
      const variants = hashVariants();
      const seconds = variants.map(() => [] as number[]);
      for (const variant of variants) await conn.query(variant.sql);
      // Interleaved rounds: a background hiccup lands on one round of every variant, not on one variant.
      for (let i = 0; i < REPS; i++) {
        for (const [v, variant] of variants.entries()) seconds[v]!.push(await timed(async () => void (await conn.query(variant.sql))));
      }
      const base = median(seconds[0]!);
      for (const [v, variant] of variants.entries()) {
        const m = median(seconds[v]!);
        lines.push(`| ${variant.name} | ${m.toFixed(2)} | +${(m - base).toFixed(2)} |`);
      }
    } finally {
      await conn.end();
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await Promise.all([production.destroy(), sandbox.destroy()]);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
