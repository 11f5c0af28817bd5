import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ReplicoopError } from '../../../src/errors.js';
import Database from 'better-sqlite3';
import type { CopyResumeState } from '../../../src/copy/copy-task.js';
import { CHECKPOINT_NAMES, parseStepResume, StateStore } from '../../../src/state/state-store.js';

/** A copy position as the copy engine writes it (one range, stopped after `rows` rows). */
function copyAt(rows: number): CopyResumeState {
  return {
    version: 1,
    table: 'orders',
    key: ['id'],
    where: null,
    mask: 'm',
    segments: [{ lower: null, upper: null, last: [Buffer.from(String(rows)).toString('base64')], rows, bytes: rows * 10, done: false }],
  };
}

const opened: StateStore[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const store of opened.splice(0)) store.close();
});
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(prefix = 'replicoop-state-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

function tempFile(): string {
  return join(tempDir(), 'nested', 'dir', 'state.db');
}

function open(file: string, now?: () => Date): StateStore {
  const store = StateStore.open(file, now ? { now } : {});
  opened.push(store);
  return store;
}

function clock(start = Date.parse('2026-01-01T00:00:00.000Z')): () => Date {
  let t = start;
  return () => new Date((t += 1000));
}

const STEPS = [
  { stepId: 'create_table:orders', phase: 'structure', kind: 'create_table' },
  { stepId: 'copy:orders', phase: 'data', kind: 'copy_table' },
  { stepId: 'validate', phase: 'validate', kind: 'validate' },
];

function errorOf(fn: () => unknown): ReplicoopError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ReplicoopError);
    return error as ReplicoopError;
  }
  throw new Error('expected a ReplicoopError');
}

describe('StateStore', () => {
  it('creates the file and its directories, in WAL mode', () => {
    const file = tempFile();
    const store = open(file);
    expect(existsSync(file)).toBe(true);
    store.createRun({
      id: 'r1',
      planChecksum: 'c',
      planPath: 'plan.json',
      target: '127.0.0.1:3307/shop',
      targetServerId: 'h:3307',
      steps: [],
    });
    expect(existsSync(`${file}-wal`)).toBe(true);
  });

  it('round-trips runs, steps, chunk progress and checkpoints as frozen camelCase records', () => {
    const file = tempFile();
    const store = open(file, clock());
    const run = store.createRun({
      id: 'r1',
      planChecksum: 'sha256:abc',
      planPath: '/tmp/plan.json',
      target: '127.0.0.1:3307/shop',
      targetServerId: 'sb:3307',
      steps: STEPS,
    });
    expect(run).toEqual({
      id: 'r1',
      planChecksum: 'sha256:abc',
      planPath: '/tmp/plan.json',
      target: '127.0.0.1:3307/shop',
      targetServerId: 'sb:3307',
      startedAt: '2026-01-01T00:00:01.000Z',
      finishedAt: null,
      status: 'running',
      backupFile: null,
      error: null,
    });
    expect(Object.isFrozen(run)).toBe(true);

    store.setBackupFile('r1', '/b/backup_shop_20260101_000000_r1.sql.gz');
    store.markStep('r1', 'create_table:orders', 'running');
    store.markStep('r1', 'create_table:orders', 'done');
    store.markStep('r1', 'copy:orders', 'running');
    store.recordProgress('r1', 'copy:orders', 5000, { kind: 'copy', state: copyAt(5000) });
    store.recordProgress('r1', 'copy:orders', 10000, { kind: 'copy', state: copyAt(10000) });
    store.markStep('r1', 'copy:orders', 'failed', { error: 'connection lost' });
    store.addCheckpoint('r1', 'structures_replicated');
    store.addCheckpoint('r1', 'backup_created');
    store.addCheckpoint('r1', 'backup_created');
    store.setRunStatus('r1', 'failed', { error: 'copy:orders failed' });
    store.close();

    const again = open(file, clock(Date.parse('2026-02-01T00:00:00.000Z')));
    const steps = again.getSteps('r1');
    expect(steps.map((s) => [s.stepId, s.position, s.status])).toEqual([
      ['create_table:orders', 0, 'done'],
      ['copy:orders', 1, 'failed'],
      ['validate', 2, 'pending'],
    ]);
    expect(steps[1]).toMatchObject({
      runId: 'r1',
      phase: 'data',
      kind: 'copy_table',
      rowsDone: 10000,
      resume: { kind: 'copy', state: copyAt(10000) },
      error: 'connection lost',
    });
    expect(steps[0]!.startedAt).not.toBeNull();
    expect(steps[0]!.finishedAt).not.toBeNull();
    expect(Object.isFrozen(steps)).toBe(true);
    expect(Object.isFrozen(steps[0])).toBe(true);

    const checkpoints = again.getCheckpoints('r1');
    expect(checkpoints.map((c) => c.name)).toEqual(['backup_created', 'structures_replicated']);
    const failed = again.getRun('r1')!;
    expect(failed).toMatchObject({ status: 'failed', error: 'copy:orders failed', backupFile: '/b/backup_shop_20260101_000000_r1.sql.gz' });
    expect(failed.finishedAt).not.toBeNull();
    expect(again.unfinishedRunFor('127.0.0.1:3307/shop')?.id).toBe('r1');

    // Resume: the retried copy keeps its progress; the run loses its end time and error.
    again.setRunStatus('r1', 'running');
    again.markStep('r1', 'copy:orders', 'running');
    expect(again.getRun('r1')).toMatchObject({ status: 'running', finishedAt: null, error: null });
    expect(again.getSteps('r1')[1]).toMatchObject({
      status: 'running',
      rowsDone: 10000,
      resume: { kind: 'copy', state: copyAt(10000) },
      error: null,
      finishedAt: null,
    });
    again.markStep('r1', 'copy:orders', 'pending');
    expect(again.getSteps('r1')[1]).toMatchObject({ status: 'pending', rowsDone: 0, resume: null, startedAt: null });
  });

  it('finds the newest unfinished run per target and lists runs newest first', () => {
    const store = open(tempFile(), clock());
    const base = { planChecksum: 'c', planPath: 'p', targetServerId: 's', steps: [] };
    store.createRun({ ...base, id: 'a', target: 'h:1/db' });
    store.createRun({ ...base, id: 'b', target: 'h:1/db' });
    store.createRun({ ...base, id: 'c', target: 'h:2/other' });
    store.setRunStatus('b', 'done');
    expect(store.unfinishedRunFor('h:1/db')?.id).toBe('a');
    store.setRunStatus('a', 'abandoned');
    expect(store.unfinishedRunFor('h:1/db')).toBeNull();
    expect(store.latestRun()?.id).toBe('c');
    expect(store.listRuns(2).map((r) => r.id)).toEqual(['c', 'b']);
    expect(store.listRuns().map((r) => r.status)).toEqual(['running', 'done', 'abandoned']);
  });

  it('rejects unknown runs, steps, checkpoint names and duplicate run ids', () => {
    const store = open(tempFile());
    store.createRun({ id: 'r', planChecksum: 'c', planPath: 'p', target: 't', targetServerId: 's', steps: STEPS });
    expect(errorOf(() => store.markStep('r', 'nope', 'done')).code).toBe('state_not_found');
    expect(errorOf(() => store.recordProgress('x', 'copy:orders', 1, null)).code).toBe('state_not_found');
    expect(errorOf(() => store.setRunStatus('x', 'done')).code).toBe('state_not_found');
    expect(errorOf(() => store.addCheckpoint('x', 'config_loaded')).code).toBe('state_not_found');
    expect(errorOf(() => store.addCheckpoint('r', 'made_up' as never)).code).toBe('state_invalid_checkpoint');
    expect(
      errorOf(() => store.createRun({ id: 'r', planChecksum: 'c', planPath: 'p', target: 't', targetServerId: 's', steps: [] })).code,
    ).toBe('state_conflict');
    // The failed duplicate left the original steps alone.
    expect(store.getSteps('r')).toHaveLength(3);
  });

  it('exports the design checkpoint names in order', () => {
    expect(CHECKPOINT_NAMES[0]).toBe('config_loaded');
    expect(CHECKPOINT_NAMES.at(-1)).toBe('operation_finished');
    expect(CHECKPOINT_NAMES).toHaveLength(9);
  });

  it('keeps a committed write when the writing process is killed with SIGKILL', async () => {
    const file = tempFile();
    const script = join(tempDir('replicoop-state-child-'), 'writer.ts');
    const storeModule = resolve('src/state/state-store.ts');
    writeFileSync(
      script,
      `import { StateStore } from ${JSON.stringify(storeModule)};
const store = StateStore.open(${JSON.stringify(file)});
store.createRun({ id: 'killed', planChecksum: 'c', planPath: 'p', target: 't', targetServerId: 's', steps: [{ stepId: 'copy:t', phase: 'data', kind: 'copy_table' }] });
store.markStep('killed', 'copy:t', 'running');
store.recordProgress('killed', 'copy:t', 4200, { kind: 'ddl', statementsDone: 2 });
process.stdout.write('written\\n');
setInterval(() => undefined, 1000);
`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await new Promise<void>((resolveWritten, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        if (d.toString().includes('written')) resolveWritten();
      });
      child.once('exit', (code) => reject(new Error(`writer exited early (${code}): ${stderr}`)));
    });
    const exited = new Promise<NodeJS.Signals | null>((r) => child.once('exit', (_code, signal) => r(signal)));
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    // The rows live only in the WAL: the killed process never checkpointed or closed.
    expect(statSync(`${file}-wal`).size).toBeGreaterThan(0);

    const store = open(file);
    expect(store.getRun('killed')?.status).toBe('running');
    expect(store.getSteps('killed')[0]).toMatchObject({ status: 'running', rowsDone: 4200, resume: { kind: 'ddl', statementsDone: 2 } });
  });

  it('refuses a file that is not a SQLite database and leaves it untouched', () => {
    const file = tempFile();
    open(file).close();
    const dir = join(file, '..');
    const bogus = join(dir, 'replicoop.yaml');
    const content = 'production:\n  host: db.example.com\n'.repeat(20);
    writeFileSync(bogus, content);
    const error = errorOf(() => StateStore.open(bogus));
    expect(error.code).toBe('state_unavailable');
    expect(error.message).toContain(bogus);
    expect(error.message).toMatch(/not a SQLite database/);
    expect(error.message).not.toContain('\n');
    expect(readFileSync(bogus, 'utf8')).toBe(content);
    expect(existsSync(`${bogus}-wal`)).toBe(false);
  });

  it('reports a damaged SQLite file instead of recreating it', () => {
    const file = tempFile();
    const store = open(file);
    store.createRun({ id: 'r', planChecksum: 'c', planPath: 'p', target: 't', targetServerId: 's', steps: STEPS });
    store.close();
    // Keep the header, smash the pages after it.
    const bytes = readFileSync(file);
    const damaged = Buffer.concat([bytes.subarray(0, 100), Buffer.alloc(bytes.length - 100, 0xa5)]);
    writeFileSync(file, damaged);
    const error = errorOf(() => StateStore.open(file));
    expect(error.code).toBe('state_unavailable');
    expect(error.message).toContain(file);
    expect(readFileSync(file).equals(damaged)).toBe(true);
  });

  it('refuses a SQLite database that belongs to another program', async () => {
    const { default: Database } = await import('better-sqlite3');
    const foreign = tempFile().replace(/state\.db$/, 'foreign.db');
    open(foreign.replace(/foreign\.db$/, 'state.db'));
    const db = new Database(foreign);
    db.exec('CREATE TABLE customers (id INTEGER PRIMARY KEY)');
    db.close();
    const error = errorOf(() => StateStore.open(foreign));
    expect(error.code).toBe('state_unavailable');
    expect(error.message).toMatch(/some other program/);
    const check = new Database(foreign);
    expect(check.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all()).toEqual([{ name: 'customers' }]);
    check.close();
  });

  it('reports a path it cannot create as state_unavailable naming the file', () => {
    const dir = tempDir();
    const blocker = join(dir, 'not-a-dir');
    writeFileSync(blocker, 'x');
    const file = join(blocker, 'state.db');
    const error = errorOf(() => StateStore.open(file));
    expect(error.code).toBe('state_unavailable');
    expect(error.message).toContain(file);
  });
});

describe('the typed resume record', () => {
  it('stores DDL progress and copy positions tagged, and reads them back as written', () => {
    const store = open(tempFile());
    store.createRun({ id: 'r', planChecksum: 'c', planPath: 'p', target: 't', targetServerId: 's', steps: STEPS });
    store.recordProgress('r', 'create_table:orders', 0, { kind: 'ddl', statementsDone: 3 });
    store.recordProgress('r', 'copy:orders', 7, { kind: 'copy', state: copyAt(7) });
    const [ddl, copy, untouched] = store.getSteps('r');
    expect(ddl!.resume).toEqual({ kind: 'ddl', statementsDone: 3 });
    expect(copy!.resume).toEqual({ kind: 'copy', state: copyAt(7) });
    expect(copy!.rowsDone).toBe(7);
    expect(untouched!.resume).toBeNull();
    store.recordProgress('r', 'copy:orders', 9, null);
    expect(store.getSteps('r')[1]!.resume).toBeNull();
  });

  it('reads rows the previous version wrote without a kind', () => {
    const file = tempFile();
    const store = open(file);
    store.createRun({ id: 'old', planChecksum: 'c', planPath: 'p', target: 't', targetServerId: 's', steps: STEPS });
    store.close();
    // The previous version wrote these texts into resume_key, exactly so.
    const db = new Database(file);
    db.prepare("UPDATE steps SET resume_key = ? WHERE step_id = 'create_table:orders'").run('{"statementsDone":2}');
    db.prepare("UPDATE steps SET rows_done = 5000, resume_key = ? WHERE step_id = 'copy:orders'").run(JSON.stringify(copyAt(5000)));
    db.close();
    const again = open(file);
    const [ddl, copy] = again.getSteps('old');
    expect(ddl!.resume).toEqual({ kind: 'ddl', statementsDone: 2 });
    expect(copy!.resume).toEqual({ kind: 'copy', state: copyAt(5000) });
  });

  it('gives no position for text that is neither, so the step starts over', () => {
    expect(parseStepResume(null)).toBeNull();
    expect(parseStepResume('not json')).toBeNull();
    expect(parseStepResume('[1,2]')).toBeNull();
    expect(parseStepResume('42')).toBeNull();
    expect(parseStepResume('{"statementsDone":0}')).toBeNull();
    expect(parseStepResume('{"statementsDone":-1}')).toBeNull();
    expect(parseStepResume('{"statementsDone":1.5}')).toBeNull();
    expect(parseStepResume('{"kind":"ddl","statementsDone":"2"}')).toBeNull();
    expect(parseStepResume('{"kind":"copy","state":null}')).toBeNull();
    expect(parseStepResume('{"kind":"other"}')).toBeNull();
    expect(parseStepResume('{"kind":"delta","state":null}')).toBeNull();
    expect(parseStepResume('{"kind":"delta","state":[1]}')).toBeNull();
    // A delta position is handed to the delta copy, which checks it against its task.
    expect(parseStepResume('{"kind":"delta","state":{"version":1,"mode":"delta","last":null}}')).toEqual({
      kind: 'delta',
      state: { version: 1, mode: 'delta', last: null },
    });
    // A copy position of an unknown shape is handed on: the copy engine refuses it with its own message.
    expect(parseStepResume('{"version":2,"table":"x"}')).toEqual({ kind: 'copy', state: { version: 2, table: 'x' } });
  });
});
