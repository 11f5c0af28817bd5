import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResumeState } from '../../src/copy/copy-task.js';
import { CopyPair } from '../support/copy-fixture.js';

const ROWS = 150_000;

describe('copy killed with SIGKILL, then resumed from the stored position', () => {
  let pair: CopyPair;
  let dir: string;

  beforeAll(async () => {
    pair = await CopyPair.create('copy_kill');
    dir = mkdtempSync(join(tmpdir(), 'replicoop-copy-kill-'));
    await pair.both('CREATE TABLE t (id INT NOT NULL PRIMARY KEY, s VARCHAR(64), n INT)');
    await pair.prod(`INSERT INTO t SELECT seq, MD5(seq), seq % 1000 FROM seq_1_to_${ROWS}`);
  });

  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await pair.drop();
  });

  it('loses nothing and repeats nothing', async () => {
    const stateFile = join(dir, 'state.json');
    const config = { production: pair.production.port, sandbox: pair.sandbox.port, database: pair.database, table: 't', stateFile };
    // node itself with tsx's loader: the tsx command would run the copy in a grandchild that
    // SIGKILL does not reach.
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, '../support/copy-kill-child.ts'), JSON.stringify(config)],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));

    // Kill once a few thousand rows are recorded, in the middle of the copy.
    while (child.exitCode === null && child.signalCode === null) {
      if (existsSync(stateFile)) {
        const seen = JSON.parse(readFileSync(stateFile, 'utf8')) as { rowsDone: number };
        if (seen.rowsDone >= 5000) break;
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    child.kill('SIGKILL');
    expect(await exited, output).toBe('SIGKILL');
    const stored = JSON.parse(readFileSync(stateFile, 'utf8')) as { rowsDone: number; resume: ResumeState };
    expect(stored.rowsDone).toBeGreaterThanOrEqual(5000);
    expect(stored.rowsDone).toBeLessThan(ROWS);
    expect(await pair.count('sand', 't')).toBeGreaterThanOrEqual(stored.rowsDone);
    const result = await pair.copy(await pair.task('t'), stored.resume, { concurrency: 2, chunkRows: 1000, method: 'insert' });
    expect(result).toMatchObject({ rows: ROWS, emptiedWith: 'none (resumed)' });
    const comparison = await pair.compare('t', { rowByRow: false });
    expect(comparison.rows).toEqual([ROWS, ROWS]);
    expect(comparison.checksums[1]).toBe(comparison.checksums[0]);
  });
});
