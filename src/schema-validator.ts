/**
 * The JSON-schema validators of the config and the plan file. `npm run build` compiles them
 * ahead of time into dist/validators/ (scripts/build-validators.ts): compiling with ajv at run
 * time cost ~180 ms of every command's start. A precompiled validator is used only when it was
 * built from the schema file as it is now (its sha256 is stored with it); otherwise, as when
 * tests run from the sources after a schema edit, ajv compiles the schema here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { ErrorObject, Options } from 'ajv';
import { packageRoot, schemaPath } from './package-info.js';
import { sha256 } from './hash.js';
import type * as AjvModuleType from 'ajv';

/** ajv is required lazily: only a stale or missing precompiled validator needs it. */
type AjvModule = typeof AjvModuleType;

export type SchemaName = 'config' | 'plan';

export interface SchemaValidator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

/** verbose (config): errors carry their parentSchema, whose description names what was expected. */
export const VALIDATOR_OPTIONS: Readonly<Record<SchemaName, Options>> = Object.freeze({
  config: { allErrors: true, verbose: true, strict: true, allowUnionTypes: true },
  plan: { allErrors: true, strict: false, allowUnionTypes: true },
});

export function precompiledValidatorPath(name: SchemaName): string {
  return join(packageRoot, 'dist', 'validators', `${name}.schema.cjs`);
}

export function schemaHash(text: string): string {
  return sha256(text);
}

const require = createRequire(import.meta.url);
const cache = new Map<SchemaName, SchemaValidator>();

export function schemaValidator(name: SchemaName): SchemaValidator {
  const cached = cache.get(name);
  if (cached) return cached;
  const text = readFileSync(schemaPath(name), 'utf8');
  const validator = precompiled(name, schemaHash(text)) ?? compile(name, text);
  cache.set(name, validator);
  return validator;
}

function precompiled(name: SchemaName, hash: string): SchemaValidator | null {
  const file = precompiledValidatorPath(name);
  if (!existsSync(file)) return null;
  const validate = require(file) as SchemaValidator & { schemaHash?: unknown };
  return typeof validate === 'function' && validate.schemaHash === hash ? validate : null;
}

function compile(name: SchemaName, text: string): SchemaValidator {
  // validateSchema: false: the schema ships with the code and the build compiles it strictly.
  const { Ajv } = require('ajv') as AjvModule;
  return new Ajv({ ...VALIDATOR_OPTIONS[name], validateSchema: false }).compile(JSON.parse(text) as object);
}
