import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ReplicoopError, registerSecret } from '../../../src/errors.js';
import { FileLogger, NullLogger, type Logger } from '../../../src/log/file-logger.js';

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

function tempRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'replicoop-log-'));
  roots.push(root);
  return root;
}

function tempDir(): string {
  return join(tempRoot(), 'logs', 'nested');
}

function fixedClock(iso: string): () => Date {
  return () => new Date(iso);
}

describe('FileLogger', () => {
  it('creates the directory and appends timestamped lines to the UTC day file', () => {
    const dir = tempDir();
    const logger = new FileLogger(dir, { now: fixedClock('2026-03-04T23:59:58.123Z') });
    logger.info('apply started', { run: 'r1', steps: 3 });
    logger.warn('sandbox is behind');
    logger.error('step failed');
    expect(logger.file).toBe(join(dir, 'replicoop_20260304.log'));
    expect(readFileSync(logger.file, 'utf8')).toBe(
      [
        '2026-03-04T23:59:58.123Z INFO  apply started {"run":"r1","steps":3}',
        '2026-03-04T23:59:58.123Z WARN  sandbox is behind',
        '2026-03-04T23:59:58.123Z ERROR step failed',
        '',
      ].join('\n'),
    );
  });

  it('moves on to the next day file after midnight UTC', () => {
    const dir = tempDir();
    let now = new Date('2026-03-04T23:59:59.999Z');
    const logger = new FileLogger(dir, { now: () => now });
    logger.info('before');
    now = new Date('2026-03-05T00:00:00.000Z');
    logger.info('after');
    expect(readdirSync(dir).sort()).toEqual(['replicoop_20260304.log', 'replicoop_20260305.log']);
    expect(readFileSync(join(dir, 'replicoop_20260305.log'), 'utf8')).toContain('INFO  after');
  });

  it('writes SQL only in verbose mode, prefixing every line of a multi-line statement', () => {
    const quiet = new FileLogger(tempDir(), { now: fixedClock('2026-01-01T00:00:00.000Z') });
    quiet.sql('SELECT 1');
    quiet.info('done');
    expect(readFileSync(quiet.file, 'utf8')).not.toContain('SELECT 1');

    const verbose = new FileLogger(tempDir(), { verbose: true, now: fixedClock('2026-01-01T00:00:00.000Z') });
    verbose.sql('ALTER TABLE `t`\n  ADD COLUMN `c` int');
    expect(readFileSync(verbose.file, 'utf8')).toBe(
      '2026-01-01T00:00:00.000Z DEBUG ALTER TABLE `t`\n2026-01-01T00:00:00.000Z DEBUG   ADD COLUMN `c` int\n',
    );
  });

  it('never writes a registered secret, in messages or details', () => {
    const secret = 'Pr0d-Passw0rd-for-log-test';
    registerSecret(secret);
    const logger = new FileLogger(tempDir(), { verbose: true });
    logger.error(`access denied for mysql://app:${secret}@db:3306/shop`);
    logger.info('config', { password: secret, url: `mysql://app:${encodeURIComponent(secret)}@db/shop` });
    logger.sql(`SET PASSWORD = PASSWORD('${secret}')`);
    const text = readFileSync(logger.file, 'utf8');
    expect(text).not.toContain(secret);
    expect(text.match(/\*\*\*\*/g)).toHaveLength(4);
  });

  it('remembers a failed append instead of throwing', () => {
    const dir = tempDir();
    const logger = new FileLogger(dir);
    rmSync(dir, { recursive: true });
    writeFileSync(dir, 'now a file');
    expect(() => logger.info('lost line')).not.toThrow();
    expect(logger.writeError).toContain(dir);
  });

  it('reports a directory it cannot create', () => {
    const parent = tempRoot();
    writeFileSync(join(parent, 'blocker'), 'x');
    const dir = join(parent, 'blocker', 'logs');
    let caught: unknown;
    try {
      new FileLogger(dir);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ReplicoopError);
    expect((caught as ReplicoopError).code).toBe('log_unavailable');
    expect((caught as ReplicoopError).message).toContain(dir);
  });
});

describe('NullLogger', () => {
  it('accepts every call and has no file', () => {
    const logger: Logger = new NullLogger();
    logger.info('x');
    logger.warn('x');
    logger.error('x');
    logger.sql('SELECT 1');
    expect(logger.file).toBeNull();
  });
});
