import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { completeParts, PART_END_MARKER, rowBackupExtent, tableCounter } from '../../../src/backup/row-backup.js';

const part = (n: number): string => `${PART_END_MARKER}${n}\n`;

describe('row backup files', () => {
  it('finds the complete parts and ignores a torn tail', () => {
    const text = Buffer.from(`header\n${part(0)}DELETE ...;\n${part(1)}DELETE ...;\n${part(2)}DELETE FROM t WHE`);
    const parts = completeParts(text);
    expect(parts.map((p) => p.part)).toEqual([0, 1, 2]);
    expect(text.toString('latin1', 0, parts[2]!.end).endsWith(part(2))).toBe(true);
    // Empty parts (a rows part of a leaf that only inserted) follow each other.
    expect(completeParts(Buffer.from(`h\n${part(0)}${part(1)}${part(2)}INSERT 3;\n${part(3)}`)).map((p) => p.part)).toEqual([0, 1, 2, 3]);
    // A marker cut short is not a part.
    expect(completeParts(Buffer.from(`h\n${part(0)}x\n${PART_END_MARKER}1`)).map((p) => p.part)).toEqual([0]);
  });

  it('loads the rows file only up to the last part the keys file holds', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rowbk-'));
    const keys = join(dir, 't-abc.keys.sql');
    const rows = join(dir, 't-abc.rows.sql');
    writeFileSync(keys, `k\n${part(0)}DELETE 1;\n${part(1)}DELETE 2;\n`);
    writeFileSync(rows, `r\n${part(0)}INSERT 1;\n${part(1)}INSERT 2;\n${part(2)}`);
    expect(rowBackupExtent(keys)).toBe(`k\n${part(0)}DELETE 1;\n${part(1)}`.length);
    expect(rowBackupExtent(rows)).toBe(`r\n${part(0)}INSERT 1;\n${part(1)}`.length);
    // Rows that end before the keys' last part: not ours, or damaged.
    writeFileSync(rows, `r\n${part(0)}INSERT 1;\n`);
    expect(() => rowBackupExtent(rows)).toThrow(/damaged: it ends before part 1/);
    writeFileSync(keys, 'k\nSET NAMES');
    expect(() => rowBackupExtent(keys)).toThrow(/holds no complete part/);
  });

  it('reads the AUTO_INCREMENT counter from the table options, not from a comment', () => {
    const create = (options: string) =>
      `CREATE TABLE \`t\` (\n  \`id\` int(11) NOT NULL AUTO_INCREMENT COMMENT 'AUTO_INCREMENT=9',\n  PRIMARY KEY (\`id\`)\n) ${options}`;
    expect(tableCounter(create('ENGINE=InnoDB AUTO_INCREMENT=42 DEFAULT CHARSET=utf8mb4'))).toBe('42');
    expect(tableCounter(create("ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='AUTO_INCREMENT=7'"))).toBeNull();
    expect(tableCounter(create('ENGINE=InnoDB AUTO_INCREMENT=5 DEFAULT CHARSET=latin1\n PARTITION BY HASH (`id`)'))).toBe('5');
  });
});
