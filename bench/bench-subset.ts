/**
 * Subset benchmark (issue 16): a 1,000,000-row child table under a filtered parent, copied as
 * the foreign-key closure of the parent's where, against copying the same tables unfiltered.
 *
 *   npm run bench:subset -- [--rows 1000000] [--parents 10000] [--reps 3]
 *
 * Two private servers; production holds `account` (parents, `region` = id % 10) and `event`
 * (children, account_id NOT NULL FK). Per repetition, each configuration starts from a freshly
 * emptied sandbox (the database dropped and its empty tables created again, untimed) and runs
 * `replicoop plan` (introspection, the closure, its proof on production's data, exact row
 * counts) and then `replicoop apply plan.json --no-backup` (validation off, as in bench:copy),
 * both timed as whole commands. Both configurations set `copy: { mode: full }`: the delta copy
 * (the default) would compare against what the previous configuration left in the sandbox, so
 * the comparison is the subset's full copy against the unfiltered full copy. Printed: medians,
 * rows copied, and the subset/unfiltered ratios.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalServer } from '../dev/local-server.js';
import { machineLine, median, secondsSince, SERVER_ARGS } from './bench-support.js';

const DATABASE = 'bench';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

function timed(cli: string, args: string[], cwd: string): number {
  const started = performance.now();
  const result = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', maxBuffer: 1 << 26 });
  const seconds = secondsSince(started);
  if (result.status !== 0) throw new Error(`replicoop ${args.join(' ')} failed: ${result.stderr}`);
  return seconds;
}

async function main(): Promise<void> {
  const rows = option('rows', 1_000_000);
  const parents = option('parents', 10_000);
  const reps = option('reps', 3);
  console.log(
    `bench:subset: ${rows.toLocaleString('en-US')} child rows under ${parents.toLocaleString('en-US')} parents, ${reps} repetitions`,
  );
  console.log(`${machineLine()} (other processes compete for them)`);
  const [production, sandbox] = await Promise.all([
    LocalServer.start({ name: 'bench-subset-prod', args: SERVER_ARGS }),
    LocalServer.start({ name: 'bench-subset-sandbox', args: SERVER_ARGS }),
  ]);
  const work = mkdtempSync(join(tmpdir(), 'replicoop-bench-subset-'));
  const cli = join(import.meta.dirname, '..', 'src', 'cli', 'main.js');
  try {
    const ddl =
      'CREATE TABLE account (id INT NOT NULL PRIMARY KEY, region INT NOT NULL, name VARCHAR(40) NOT NULL, KEY (region)) ENGINE=InnoDB;' +
      ' CREATE TABLE event (id INT NOT NULL PRIMARY KEY, account_id INT NOT NULL, kind INT NOT NULL, s VARCHAR(64) NOT NULL, at DATETIME NOT NULL, KEY (account_id),' +
      ' CONSTRAINT fk_event_account FOREIGN KEY (account_id) REFERENCES account (id)) ENGINE=InnoDB;';
    const started = performance.now();
    await production.sql(
      `CREATE DATABASE ${DATABASE}; USE ${DATABASE}; ${ddl}` +
        ` INSERT INTO account SELECT seq, seq % 10, CONCAT('a', seq) FROM seq_1_to_${parents};` +
        ` INSERT INTO event SELECT seq, 1 + seq % ${parents}, seq % 17, MD5(seq), '2020-01-01' + INTERVAL seq SECOND FROM seq_1_to_${rows};`,
    );
    await sandbox.sql(`CREATE DATABASE ${DATABASE}; USE ${DATABASE}; ${ddl}`);
    console.log(`generated in ${secondsSince(started).toFixed(1)} s\n`);

    const configs = {
      unfiltered: { maintain: '[account, event]', expected: rows },
      subset: {
        maintain: '[{ table: account, where: "region = 1" }, event]',
        expected: Number(
          ((await production.sql(`SELECT COUNT(*) AS n FROM event WHERE account_id % 10 = 1`, DATABASE)) as { n: number }[])[0]!.n,
        ),
      },
    };
    const times: Record<string, { plan: number[]; apply: number[] }> = {
      unfiltered: { plan: [], apply: [] },
      subset: { plan: [], apply: [] },
    };
    for (let rep = 1; rep <= reps; rep++) {
      for (const [name, config] of Object.entries(configs)) {
        const dir = join(work, `${name}-${rep}`);
        mkdirSync(dir, { recursive: true });
        await sandbox.sql(`DROP DATABASE ${DATABASE}; CREATE DATABASE ${DATABASE}; USE ${DATABASE}; ${ddl}`);
        writeFileSync(
          join(dir, 'replicoop.yaml'),
          `production: { host: 127.0.0.1, port: ${production.port}, user: root, database: ${DATABASE} }\n` +
            `sandbox: { host: 127.0.0.1, port: ${sandbox.port}, user: root, database: ${DATABASE} }\n` +
            `maintain: ${config.maintain}\napply: { validate: false }\ncopy: { mode: full }\n`,
        );
        const plan = timed(cli, ['plan', '-q'], dir);
        const apply = timed(cli, ['apply', 'plan.json', '--no-backup', '-q'], dir);
        const copied = Number(((await sandbox.sql('SELECT COUNT(*) AS n FROM event', DATABASE)) as { n: number }[])[0]!.n);
        if (copied !== config.expected) throw new Error(`${name}: ${copied} event rows in the sandbox, expected ${config.expected}`);
        const orphans = Number(
          (
            (await sandbox.sql(
              'SELECT COUNT(*) AS n FROM event e LEFT JOIN account a ON a.id = e.account_id WHERE a.id IS NULL',
              DATABASE,
            )) as { n: number }[]
          )[0]!.n,
        );
        if (orphans !== 0) throw new Error(`${name}: ${orphans} orphan event rows in the sandbox`);
        times[name]!.plan.push(plan);
        times[name]!.apply.push(apply);
        console.log(
          `rep ${rep} ${name.padEnd(10)} plan ${plan.toFixed(2)} s  apply ${apply.toFixed(2)} s  event rows ${copied.toLocaleString('en-US')}`,
        );
      }
    }
    console.log('\nmedians:');
    for (const [name, t] of Object.entries(times)) {
      console.log(
        `  ${name.padEnd(10)} plan ${median(t.plan).toFixed(2)} s  apply ${median(t.apply).toFixed(2)} s  plan+apply ${(median(t.plan) + median(t.apply)).toFixed(2)} s  (${configs[name as keyof typeof configs].expected.toLocaleString('en-US')} child rows)`,
      );
    }
    const ratio = (f: (t: { plan: number[]; apply: number[] }) => number): string => (f(times.subset!) / f(times.unfiltered!)).toFixed(2);
    console.log(
      `ratio subset/unfiltered: plan ${ratio((t) => median(t.plan))}, apply ${ratio((t) => median(t.apply))}, plan+apply ${ratio((t) => median(t.plan) + median(t.apply))}`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
    await Promise.all([production.stop(), sandbox.stop()]);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
