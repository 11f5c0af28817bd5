import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/package-info.js';
import { validatePair, type ValidatePair } from '../support/validate-setup.js';

const main = join(packageRoot, 'dist', 'src', 'cli', 'main.js');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** `npm test` builds first; a run of this file alone builds when dist is missing or older than src. */
function ensureBuilt(): void {
  if (existsSync(main) && statSync(main).mtimeMs >= newestSource(join(packageRoot, 'src'))) return;
  spawnSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: packageRoot, encoding: 'utf8' });
  if (!existsSync(main)) throw new Error(`build failed: ${main} missing`);
}

function cli(
  pair: ValidatePair,
  args: readonly string[],
  env: Record<string, string> = {},
): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [main, 'validate', '-c', join(pair.dir, 'replicoop.yaml'), '--no-color', ...args], {
    cwd: pair.dir,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', CI: '1', ...env },
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

let pair: ValidatePair;

beforeAll(async () => {
  ensureBuilt();
  pair = await validatePair('val_cli');
  await pair.both(`
    CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(20) NOT NULL);
    CREATE TABLE audit (id INT PRIMARY KEY, item_id INT NULL, CONSTRAINT fk_audit_item FOREIGN KEY (item_id) REFERENCES items (id));
    INSERT INTO items SELECT seq, CONCAT('item ', seq) FROM seq_1_to_200;
  `);
  pair.writeConfig({ maintain: ['items'] });
});

afterAll(async () => {
  await pair?.drop();
});

describe('replicoop validate (the built binary)', () => {
  it('exits 0 when the sandbox matches, prints the result and writes the report files', () => {
    const run = cli(pair, []);
    expect(run.stderr).not.toContain('error:');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('ok    the sandbox schema matches production');
    expect(run.stdout).toMatch(/ok {4}items {2}key id {2}200 rows/);
    expect(run.stdout).toContain('Result: PASSED (structure matches, 1 table matches (200 rows), no orphan rows)');
    const report = /Report: (.+\.md)/.exec(run.stderr)?.[1];
    expect(report).toBeDefined();
    expect(readFileSync(report!, 'utf8')).toContain('## replicoop validate: ✅ passed');
    expect(JSON.parse(readFileSync(report!.replace(/\.md$/, '.json'), 'utf8'))).toMatchObject({ passed: true, failures: [] });
  });

  it('off a terminal, prints progress as plain lines: tables and chunks done, rows', () => {
    // REPLICOOP_PROGRESS_MS=1: a line at every update instead of every 10 s.
    const run = cli(pair, [], { REPLICOOP_PROGRESS_MS: '1' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/^validating 1\/1 tables, 1\/1 chunks, 200 rows/m);
  });

  it('--format json prints the result for machines', () => {
    const run = cli(pair, ['--format', 'json']);
    expect(run.status).toBe(0);
    const json = JSON.parse(run.stdout) as {
      passed: boolean;
      data: { tables: { table: string; status: string }[] };
      reportFiles: { json: string };
    };
    expect(json.passed).toBe(true);
    expect(json.data.tables).toEqual([expect.objectContaining({ table: 'items', status: 'match' })]);
    expect(existsSync(json.reportFiles.json)).toBe(true);
  });

  it('exits 2 with the differing keys on stdout and the reason on stderr; orphans warn, and fail with --strict', async () => {
    await pair.sandbox(`SET foreign_key_checks = 0; DELETE FROM items WHERE id = 7; INSERT INTO audit VALUES (1, 300)`);
    const run = cli(pair, []);
    expect(run.status).toBe(2);
    expect(run.stdout).toContain('missing in the sandbox (1): id=7');
    expect(run.stdout).toContain('warn  fk_audit_item: 1 row of audit (item_id) points at no items (id) row');
    expect(run.stdout).toContain('Result: FAILED');
    expect(run.stderr).toContain('error: validation failed: data: items differs (200 rows in production, 199 in the sandbox, 1 missing)');

    await pair.sandbox(`INSERT INTO items VALUES (7, 'item 7')`);
    expect(cli(pair, []).status).toBe(0);
    const strict = cli(pair, ['--strict']);
    expect(strict.status).toBe(2);
    expect(strict.stderr).toContain(
      'error: validation failed: --strict and integrity: 1 row of audit points at no items row (foreign key fk_audit_item)',
    );
    const markdown = cli(pair, ['--strict', '--format', 'markdown']);
    expect(markdown.stdout.startsWith('## replicoop validate: ❌ failed')).toBe(true);
    expect(markdown.stdout).toContain('| `fk_audit_item` | `audit(item_id)` | `items(id)` | 1 | warning | (id=1, item_id=300) |');
    await pair.sandbox(`DELETE FROM audit`);
  });

  it('exits 1 on a usage error, with nothing on stdout', () => {
    const run = cli(pair, ['--tables', 'items,nope']);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('error: --tables: nope is not a maintain table in replicoop.yaml (maintain: items)');
    const plan = cli(pair, ['--plan', 'missing-plan.json']);
    expect(plan.status).toBe(1);
    expect(plan.stderr).toContain('error: missing-plan.json: file not found (run replicoop plan first)');
  });
});
