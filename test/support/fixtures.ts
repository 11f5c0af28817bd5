import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { packageRoot } from '../../src/package-info.js';

/** The third-party schemas live outside the repo (../shared/fixtures), overridable by REPLICOOP_FIXTURES. */
export const fixturesDir: string = resolve(process.env.REPLICOOP_FIXTURES ?? join(packageRoot, '..', 'shared', 'fixtures'));
export const fixturesFound: boolean = existsSync(join(fixturesDir, 'sakila'));
export const fixturesSkipReason = `fixtures not found at ${fixturesDir} (set REPLICOOP_FIXTURES to the shared fixtures folder)`;

export function fixture(path: string): string {
  return join(fixturesDir, path);
}
