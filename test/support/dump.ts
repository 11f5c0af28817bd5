import { execFileSync } from 'node:child_process';

/**
 * mariadb-dump of a whole database as root, rows included (one INSERT per row, in key order): what
 * a rollback must give back byte for byte. maskDefiners: definer clauses replaced, for restores
 * that re-create objects as the restoring account.
 */
export function fullDump(port: number, database: string, options: { maskDefiners?: boolean } = {}): string {
  const text = execFileSync(
    'mariadb-dump',
    [
      '--no-defaults',
      '-h127.0.0.1',
      `-P${port}`,
      '-uroot',
      '--skip-dump-date',
      '--skip-comments',
      '--skip-extended-insert',
      '--order-by-primary',
      '--routines',
      '--triggers',
      '--events',
      '--hex-blob',
      database,
    ],
    { encoding: 'utf8', maxBuffer: 1 << 28 },
  );
  return options.maskDefiners ? text.replace(/DEFINER=`[^`]*`@`[^`]*`/g, 'DEFINER=<definer>') : text;
}
