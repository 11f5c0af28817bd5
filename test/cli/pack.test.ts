import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/package-info.js';

/**
 * What `npm pack` would put in the tarball (a dry run of the built tree: npm test builds first).
 * The real thing, pack + npm install -g into a temporary prefix + running the binary from another
 * folder, is .ci/pack-check, which CI runs after the tests (it builds better-sqlite3 from source).
 */
describe('the npm package', () => {
  it('ships the binary, the schemas and the validators, and no tests, fixtures, benchmarks or dev code', () => {
    const run = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: packageRoot, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const [pack] = JSON.parse(run.stdout) as { files: { path: string }[] }[];
    const files = pack!.files.map((f) => f.path);
    expect(files).toEqual(
      expect.arrayContaining(['dist/src/cli/main.js', 'schemas/config.schema.json', 'schemas/plan.schema.json', 'package.json']),
    );
    expect(files.some((f) => f.startsWith('dist/validators/'))).toBe(true);
    expect(files.filter((f) => /^(test|bench|dev|scripts|src)\/|^dist\/(test|bench|dev|scripts)\/|fixtures|\.map$/.test(f))).toEqual([]);
    const manifest = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { bin: { replicoop: string } };
    expect(files).toContain(manifest.bin.replicoop);
    expect(readFileSync(join(packageRoot, manifest.bin.replicoop), 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n/);
  });
});
