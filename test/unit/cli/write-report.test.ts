import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { reportStamp, writeReport } from '../../../src/cli/write-report.js';

describe('writeReport', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('never overwrites a report written under the same name (same millisecond)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'replicoop-report-'));
    dirs.push(dir);
    const name = `validate_${reportStamp(new Date('2026-11-29T12:00:00.123Z'))}`;
    expect(name).toBe('validate_20261129_120000_123');
    const first = writeReport(dir, name, { n: 1 }, '# one\n');
    const second = writeReport(dir, name, { n: 2 }, '# two\n');
    const third = writeReport(dir, name, { n: 3 }, '# three\n');
    expect([first.json, second.json, third.json].map((f) => f.slice(dir.length + 1))).toEqual([
      `${name}.json`,
      `${name}_2.json`,
      `${name}_3.json`,
    ]);
    expect(JSON.parse(readFileSync(first.json, 'utf8'))).toEqual({ n: 1 });
    expect(readFileSync(second.markdown, 'utf8')).toBe('# two\n');
    expect(readdirSync(dir)).toHaveLength(6);
  });
});
