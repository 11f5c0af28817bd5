import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { packageRoot } from '../../src/package-info.js';
import { testServers, uniqueName } from './servers.js';

/** The third-party schemas live outside the repo (../shared/fixtures), overridable by REPLICOOP_FIXTURES. */
export const fixturesDir: string = resolve(process.env.REPLICOOP_FIXTURES ?? join(packageRoot, '..', 'shared', 'fixtures'));
export const fixturesFound: boolean = existsSync(join(fixturesDir, 'sakila'));
export const fixturesSkipReason = `fixtures not found at ${fixturesDir} (set REPLICOOP_FIXTURES to the shared fixtures folder)`;

/**
 * Outside CI a missing fixtures folder skips the tests that need it (a fresh clone still runs the
 * rest); in CI (CI=true, where ../shared is checked out beside the clone) it is a failure, so the
 * Sakila and employees tests can never be skipped there without anyone noticing.
 */
export function missingFixturesError(found: boolean, env: NodeJS.ProcessEnv): string | null {
  if (found || (env.CI !== 'true' && env.CI !== '1')) return null;
  return `CI=${env.CI}: ${fixturesSkipReason}; in CI the fixture tests must run, not skip`;
}

const missing = missingFixturesError(fixturesFound, process.env);
if (missing !== null) throw new Error(missing);

export function fixture(path: string): string {
  return join(fixturesDir, path);
}

/**
 * A production and a sandbox database with unique names on the shared test servers, each loaded
 * with the given fixture files in order (none: left empty).
 */
export async function loadFixtureDatabases(
  prefix: string,
  files: { readonly production: readonly string[]; readonly sandbox: readonly string[] },
): Promise<{ productionDb: string; sandboxDb: string }> {
  const { production, sandbox } = testServers();
  const productionDb = uniqueName(`${prefix}_p`);
  const sandboxDb = uniqueName(`${prefix}_s`);
  await production.createDatabase(productionDb);
  await sandbox.createDatabase(sandboxDb);
  for (const file of files.production) await production.loadFile(fixture(file), productionDb);
  for (const file of files.sandbox) await sandbox.loadFile(fixture(file), sandboxDb);
  return { productionDb, sandboxDb };
}

/** Every base table of the Sakila fixture (sakila-schema.anydb.mysql.sql), sorted. */
export const SAKILA_TABLES: readonly string[] = Object.freeze([
  'actor',
  'address',
  'category',
  'city',
  'country',
  'customer',
  'film',
  'film_actor',
  'film_category',
  'film_text',
  'inventory',
  'language',
  'payment',
  'rental',
  'staff',
  'store',
]);
