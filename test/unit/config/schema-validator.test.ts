import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { schemaPath } from '../../../src/package-info.js';
import { precompiledValidatorPath, schemaHash, schemaValidator, VALIDATOR_OPTIONS } from '../../../src/schema-validator.js';

const require = createRequire(import.meta.url);

describe('precompiled schema validators (npm run build)', () => {
  it('are stamped with the current schema and used instead of compiling', () => {
    for (const name of ['config', 'plan'] as const) {
      const built = require(precompiledValidatorPath(name)) as { schemaHash: string };
      expect(built.schemaHash).toBe(schemaHash(readFileSync(schemaPath(name), 'utf8')));
      expect(schemaValidator(name)).toBe(built);
    }
  });

  it('judge configs exactly as ajv compiling the schema at run time does', () => {
    const runtime = new Ajv(VALIDATOR_OPTIONS.config).compile(JSON.parse(readFileSync(schemaPath('config'), 'utf8')) as object);
    const precompiled = schemaValidator('config');
    const conn = { host: 'h', user: 'u', database: 'd' };
    const documents: unknown[] = [
      { production: conn, sandbox: conn },
      { production: conn, sandbox: conn, maintain: ['a', { table: 'b', where: 'x > 1', mask: { email: 'email' } }] },
      { production: conn, sandbox: conn, maintain: [{ table: 'b', mask: { c: { fixed: 3 } } }], copy: { concurrency: 0 } },
      { production: { ...conn, port: 'x' }, sandbox: conn, surprise: true },
      { production: conn },
      { production: conn, sandbox: conn, maintain: [{ where: 'no table' }] },
    ];
    for (const document of documents) {
      expect(precompiled(document)).toBe(runtime(document));
      const strip = (errors: typeof runtime.errors) =>
        (errors ?? []).map((e) => ({
          path: e.instancePath,
          keyword: e.keyword,
          params: e.params,
          parent: (e.parentSchema as { description?: string } | undefined)?.description,
        }));
      expect(strip(precompiled.errors)).toEqual(strip(runtime.errors));
    }
  });
});
