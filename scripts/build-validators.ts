/**
 * Part of `npm run build`: compiles schemas/{config,plan}.schema.json into standalone
 * validators under dist/validators/ (see src/schema-validator.ts), each stamped with the
 * sha256 of the schema it was built from.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Ajv } from 'ajv';
import standalone from 'ajv/dist/standalone/index.js';
import { schemaPath } from '../src/package-info.js';
import { precompiledValidatorPath, schemaHash, VALIDATOR_OPTIONS, type SchemaName } from '../src/schema-validator.js';

for (const name of ['config', 'plan'] as const satisfies readonly SchemaName[]) {
  const text = readFileSync(schemaPath(name), 'utf8');
  // Strict, and checked against ajv's meta-schema: a mistake in the schema fails the build.
  const ajv = new Ajv({ ...VALIDATOR_OPTIONS[name], code: { source: true } });
  const validate = ajv.compile(JSON.parse(text) as object);
  const code = `${standalone.default(ajv, validate)}\nmodule.exports.schemaHash = ${JSON.stringify(schemaHash(text))};\n`;
  const file = precompiledValidatorPath(name);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, code);
}
