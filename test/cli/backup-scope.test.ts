import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { restoreBackup } from '../../src/backup/restore.js';
import { runCli, tempDir, writeConfig } from '../support/cli.js';
import { fullDump } from '../support/dump.js';
import { testServers, uniqueName } from '../support/servers.js';

// backup.scope: plan (the default). The backup before a run holds only what the plan can change;
// of a table the delta copy rewrites, only the rows it changes are saved, just before it changes
// them (the whole table where a write may reach beyond its leaf); a rollback (by replicoop or by
// hand with the stock client) gives back the sandbox byte for byte: rows, AUTO_INCREMENT counter,
// triggers that did not fire.

const SCHEMA = `
CREATE TABLE untouched (id INT PRIMARY KEY, v VARCHAR(20));
CREATE TABLE altered (id INT PRIMARY KEY, a INT);
CREATE TABLE renamed_old (id INT PRIMARY KEY, n INT);
CREATE TABLE full_t (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(40));
CREATE TABLE delta_same (id INT PRIMARY KEY, v VARCHAR(40));
CREATE TABLE delta_changed (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(40), KEY by_v (v));
CREATE TABLE delta_unique (id INT PRIMARY KEY, code VARCHAR(20) NOT NULL, note TEXT, UNIQUE KEY by_code (code));
CREATE TABLE audit (id INT AUTO_INCREMENT PRIMARY KEY, msg VARCHAR(100));
CREATE TRIGGER \`delta_changed_ai\` AFTER INSERT ON \`delta_changed\` FOR EACH ROW INSERT INTO audit (msg) VALUES (CONCAT('row ', NEW.id));
CREATE VIEW v_untouched AS SELECT id FROM untouched;
CREATE VIEW v_changed AS SELECT id, a FROM altered;
CREATE FUNCTION f_changed (x INT) RETURNS INT DETERMINISTIC RETURN x + 1;
CREATE PROCEDURE p_untouched () SELECT 1;
INSERT INTO untouched SELECT seq, CONCAT('u', seq) FROM seq_1_to_300;
INSERT INTO altered SELECT seq, seq FROM seq_1_to_300;
INSERT INTO renamed_old SELECT seq, seq FROM seq_1_to_50;
INSERT INTO full_t (v) SELECT CONCAT('f', seq) FROM seq_1_to_500;
INSERT INTO delta_same SELECT seq, CONCAT('s', seq) FROM seq_1_to_3000;
INSERT INTO delta_changed SELECT seq, CONCAT('c', seq) FROM seq_1_to_3000;
INSERT INTO delta_unique SELECT seq, CONCAT('k', seq), CONCAT('line\\nwith ''quotes'' ', seq) FROM seq_1_to_3000;
`;

// Production moves on: structure changes of every kind, rows changed in one delta table only.
const PRODUCTION_CHANGES = `
ALTER TABLE altered ADD COLUMN b INT NULL;
RENAME TABLE renamed_old TO renamed_new;
CREATE TABLE created_t (id INT PRIMARY KEY);
DROP VIEW v_changed;
CREATE VIEW v_changed AS SELECT id, a, b FROM altered;
DROP FUNCTION f_changed;
CREATE FUNCTION f_changed (x INT) RETURNS INT DETERMINISTIC RETURN x + 2;
UPDATE delta_changed SET v = CONCAT(v, '!') WHERE id % 97 = 0;
DELETE FROM delta_changed WHERE id BETWEEN 2000 AND 2010;
INSERT INTO delta_changed SELECT seq, 'new' FROM seq_3001_to_3050;
UPDATE full_t SET v = 'changed' WHERE id < 10;
UPDATE delta_unique SET code = 'moving' WHERE id = 2900;
UPDATE delta_unique SET code = 'k2900' WHERE id = 5;
UPDATE delta_unique SET note = NULL WHERE id = 7;
`;

function latestBackup(dir: string): string {
  const files = readdirSync(join(dir, 'backups'))
    .filter((f) => f.endsWith('.sql.gz'))
    .sort();
  return join(dir, 'backups', files[files.length - 1]!);
}

async function setup(prefix: string): Promise<{ dir: string; productionDb: string; sandboxDb: string }> {
  const { production, sandbox } = testServers();
  const productionDb = uniqueName(`${prefix}p`);
  const sandboxDb = uniqueName(`${prefix}s`);
  await production.createDatabase(productionDb);
  await sandbox.createDatabase(sandboxDb);
  await production.sql(SCHEMA, productionDb);
  const dir = tempDir();
  writeConfig(
    dir,
    { productionPort: production.port, sandboxPort: sandbox.port, productionDb, sandboxDb },
    {
      maintain: [{ table: 'full_t', copy: { mode: 'full' } }, 'delta_same', 'delta_changed', 'delta_unique'],
      renames: { renamed_old: 'renamed_new' },
      copy: { chunkRows: 500 },
    },
  );
  // The first refresh fills the sandbox; then production changes.
  expect((await runCli(['plan', '-q'], { cwd: dir })).code).toBe(0);
  const first = await runCli(['apply', 'plan.json'], { cwd: dir });
  expect(first.code, first.stderr).toBe(0);
  await production.sql(PRODUCTION_CHANGES, productionDb);
  const plan = await runCli(['plan', '-q'], { cwd: dir });
  expect(plan.code, plan.stderr).toBe(0);
  return { dir, productionDb, sandboxDb };
}

describe('backup.scope: plan', () => {
  it('backs up only what the plan changes, of a delta table only the rows it changes, and rolls back byte for byte', async () => {
    const { sandbox } = testServers();
    const s = await setup('bsc');
    const before = fullDump(sandbox.port, s.sandboxDb);

    const apply = await runCli(['apply', 'plan.json'], { cwd: s.dir });
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stderr).toMatch(
      /backing up what the plan can change in sandbox .* 3 delta-copied tables: only the rows their copy changes/,
    );
    const file = latestBackup(s.dir);
    const text = gunzipSync(readFileSync(file)).toString('utf8');
    expect(text.startsWith('-- replicoop backup scope: ')).toBe(true);
    // Covered: what the plan alters, renames (both names), creates (dropped on rollback), re-creates and copies in full.
    for (const name of ['altered', 'renamed_old', 'full_t']) expect(text).toContain(`CREATE TABLE \`${name}\``);
    for (const name of ['renamed_new', 'created_t']) expect(text).toContain(`DROP TABLE IF EXISTS \`${name}\`;`);
    expect(text).toContain('CREATE ALGORITHM=UNDEFINED');
    expect(text).toMatch(/CREATE DEFINER=\S+ FUNCTION `?f_changed/);
    // The trigger lifted around the copy of delta_changed is covered; its table's rows are not.
    expect(text).toMatch(/CREATE DEFINER=\S+ TRIGGER `?delta_changed_ai/);
    // Not covered: what the plan leaves alone.
    for (const name of ['untouched', 'delta_same', 'delta_changed', 'delta_unique', 'audit'])
      expect(text, name).not.toContain(`CREATE TABLE \`${name}\``);
    expect(text).not.toContain('v_untouched');
    expect(text).not.toContain('p_untouched');

    const tablesDir = file.replace(/\.sql\.gz$/, '.tables');
    const tableFiles = readdirSync(tablesDir).sort();
    const named = (pattern: RegExp): string => {
      const found = tableFiles.filter((f) => pattern.test(f));
      expect(found, `${pattern} in ${tableFiles.join(', ')}`).toHaveLength(1);
      return readFileSync(join(tablesDir, found[0]!)).toString('utf8');
    };
    // delta_changed: row by row. Its keys file drops the trigger first (so that putting rows back
    // fires nothing) and deletes every key the copy touched; its rows file holds the rows the copy
    // deleted or overwrote, as they were, and the AUTO_INCREMENT counter before the run. Nothing else.
    const keys = named(/^delta_changed-[0-9a-f]{12}\.keys\.sql$/);
    const rows = named(/^delta_changed-[0-9a-f]{12}\.rows\.sql$/);
    expect(keys).toContain('DROP TRIGGER IF EXISTS `delta_changed_ai`;');
    expect(keys).toMatch(/DELETE FROM `delta_changed` WHERE .*`id` = CAST\('3001' AS SIGNED\)/);
    expect(rows).toContain('ALTER TABLE `delta_changed` AUTO_INCREMENT = 3001;');
    expect(rows).toContain("(97,'c97')");
    expect(rows).toContain("(2005,'c2005')");
    expect(rows).not.toContain("(3000,'c3000')");
    expect(rows).not.toContain("'c96'");
    // delta_unique: a unique value moved to an earlier row from a row in a later leaf, so the leaf
    // is written with REPLACE, which deletes that later row: the table is then backed up whole
    // first. The rows saved before (the failed INSERT's leaf) stay, and are put back after the dump.
    expect(named(/^delta_unique-[0-9a-f]{12}\.sql\.gz$/)).toBeTruthy();
    expect(named(/^delta_unique-[0-9a-f]{12}\.rows\.sql$/)).toContain("(5,'k5',");
    // The table found equal has no backup at all.
    expect(tableFiles.filter((f) => f.startsWith('delta_same'))).toEqual([]);
    expect(existsSync(join(s.dir, 'backups'))).toBe(true);

    const rollback = await runCli(['rollback'], { cwd: s.dir });
    expect(rollback.code, rollback.stderr).toBe(0);
    expect(fullDump(sandbox.port, s.sandboxDb)).toBe(before);

    // The same backup restored by hand with the stock client, as the README says, after applying again.
    const again = await runCli(['apply', 'plan.json', '--restart'], { cwd: s.dir });
    expect(again.code, again.stderr).toBe(0);
    const file2 = latestBackup(s.dir);
    expect(existsSync(file2.replace(/\.sql\.gz$/, '.tables'))).toBe(true);
    const byHand = spawnSync(
      'sh',
      [
        '-c',
        // As the README says: whole-table dumps, then every keys file, then every rows file, then the main file.
        `set -e; db() { mariadb --no-defaults -h127.0.0.1 -P"$2" -uroot "$3"; }; ` +
          `for f in "$1".tables/*.sql.gz; do if [ -e "$f" ]; then gunzip < "$f" | db "$@"; fi; done; ` +
          `for f in "$1".tables/*.keys.sql; do if [ -e "$f" ]; then db "$@" < "$f"; fi; done; ` +
          `for f in "$1".tables/*.rows.sql; do if [ -e "$f" ]; then db "$@" < "$f"; fi; done; ` +
          `gunzip < "$1".sql.gz | db "$@"`,
        'restore',
        file2.replace(/\.sql\.gz$/, ''),
        String(sandbox.port),
        s.sandboxDb,
      ],
      { encoding: 'utf8' },
    );
    expect(byHand.status, byHand.stderr).toBe(0);
    expect(fullDump(sandbox.port, s.sandboxDb)).toBe(before);

    // And with the built-in restore (no client program), which reads the plain row files too.
    const third = await runCli(['apply', 'plan.json', '--restart'], { cwd: s.dir });
    expect(third.code, third.stderr).toBe(0);
    const restored = await restoreBackup({ target: sandbox.target(s.sandboxDb, 'sandbox'), file: latestBackup(s.dir), method: 'builtin' });
    expect(restored.files.filter((f) => /\.(keys|rows)\.sql$/.test(f))).toHaveLength(4);
    expect(fullDump(sandbox.port, s.sandboxDb)).toBe(before);
  });

  it('killed after a range committed but before it was recorded, resumed after production changed again, rolls back byte for byte', async () => {
    const { production, sandbox } = testServers();
    const s = await setup('bsk');
    const before = fullDump(sandbox.port, s.sandboxDb);
    const steps = (JSON.parse(readFileSync(join(s.dir, 'plan.json'), 'utf8')) as { steps: { id: string; object: string; kind: string }[] })
      .steps;
    const step = steps.find((x) => x.object === 'delta_changed' && x.kind === 'copy_table')!.id;
    const crashed = await runCli(['apply', 'plan.json'], { cwd: s.dir, env: { REPLICOOP_FAULT: `range-committed:${step}:1` } });
    expect(crashed.signal, crashed.stderr).toBe('SIGKILL');
    const file = latestBackup(s.dir);
    const tablesDir = file.replace(/\.sql\.gz$/, '.tables');
    const rowsFile = readdirSync(tablesDir).find((f) => f.startsWith('delta_changed') && f.endsWith('.rows.sql'))!;
    const keysFile = rowsFile.replace(/\.rows\.sql$/, '.keys.sql');
    const rowsBefore = readFileSync(join(tablesDir, rowsFile));
    const keysBefore = readFileSync(join(tablesDir, keysFile));
    expect(rowsBefore.toString('utf8')).toContain("(97,'c97')");

    // Production changes a row the killed run had already rewritten (id 97) and one it had not
    // touched (98): the resumed run rewrites both; 97's row as it was before the run is the one
    // kept, 98's is saved now. A torn part at the end (a kill while saving) is cut off on resume.
    await production.sql("UPDATE delta_changed SET v = 'again' WHERE id IN (97, 98)", s.productionDb);
    writeFileSync(join(tablesDir, keysFile), Buffer.concat([keysBefore, Buffer.from('-- replicoop keys: 0000\nDELETE FROM `delta_')]));
    const resumed = await runCli(['apply', 'plan.json'], { cwd: s.dir });
    expect(resumed.code, resumed.stderr).toBe(0);
    const rowsAfter = readFileSync(join(tablesDir, rowsFile));
    const keysAfter = readFileSync(join(tablesDir, keysFile));
    expect(rowsAfter.subarray(0, rowsBefore.length).equals(rowsBefore)).toBe(true);
    expect(keysAfter.subarray(0, keysBefore.length).equals(keysBefore)).toBe(true);
    expect(keysAfter.toString('utf8')).not.toContain('DELETE FROM `delta_\n');
    const added = rowsAfter.subarray(rowsBefore.length).toString('utf8');
    expect(added).toContain("(98,'c98')");
    expect(added).not.toContain('(97,');

    const rollback = await runCli(['rollback'], { cwd: s.dir });
    expect(rollback.code, rollback.stderr).toBe(0);
    expect(fullDump(sandbox.port, s.sandboxDb)).toBe(before);
  });

  it('backup.scope: full dumps the whole sandbox as before', async () => {
    const s = await setup('bsf');
    const config = join(s.dir, 'replicoop.yaml');
    writeFileSync(config, `${readFileSync(config, 'utf8')}backup:\n  scope: full\n`);
    const apply = await runCli(['apply', 'plan.json'], { cwd: s.dir });
    expect(apply.code, apply.stderr).toBe(0);
    const text = gunzipSync(readFileSync(latestBackup(s.dir))).toString('utf8');
    expect(text.startsWith('-- replicoop backup scope: ')).toBe(false);
    for (const name of ['untouched', 'delta_same', 'delta_changed', 'audit']) expect(text, name).toContain(`CREATE TABLE \`${name}\``);
    expect(existsSync(latestBackup(s.dir).replace(/\.sql\.gz$/, '.tables'))).toBe(false);
  });
});
