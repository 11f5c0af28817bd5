import { describe, expect, it } from 'vitest';
import { backupFileName } from '../../../src/backup/backup.js';

describe('backupFileName', () => {
  it('uses the UTC time and file-safe names', () => {
    expect(backupFileName('shop', new Date('2026-03-04T05:06:07.890Z'), 'r-1')).toBe('backup_shop_20260304_050607_r-1.sql.gz');
    expect(backupFileName('my db/x', new Date('2026-03-04T05:06:07Z'), 'a:b')).toBe('backup_my_db_x_20260304_050607_a_b.sql.gz');
  });
});
