import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { load } from 'js-yaml';
import { ReplicoopError, registerSecret } from '../errors.js';
import { schemaPath } from '../package-info.js';
import { schemaValidator } from '../schema-validator.js';
import { formatSchemaErrors } from './format-schema-errors.js';
import { compileGlobs, globProblem } from './glob.js';
import { interpolateEnv, type Env } from './interpolate-env.js';
import {
  DEFAULT_DELTA_THRESHOLD,
  type MaintainTable,
  type MaskRule,
  type Renames,
  type ResolvedConfig,
  type SubsetConfig,
  type SubsetFollow,
} from './types.js';
import { nameMaskLine, rawMaintainTable } from './maintain-path.js';
import { resolveConnection, sameDatabase, type RawConnection } from './resolve-connection.js';
import { whereProblem } from './where-lexer.js';

/**
 * replicoop.yaml (or .json) -> env interpolation -> JSON Schema -> semantic checks -> ResolvedConfig.
 * Every problem becomes one line "file: /json/pointer: what is wrong"; all lines are reported at once.
 */
export function loadConfig(file: string, env: Env = process.env, cwd: string = process.cwd()): ResolvedConfig {
  const absolute = resolve(cwd, file);
  const display = displayPath(absolute, cwd);
  if (!existsSync(absolute)) {
    throw new ReplicoopError('config_not_found', `${display}: file not found (pass -c <file>, or start from replicoop.yaml.example)`, {
      details: { file: display },
    });
  }
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (error) {
    throw new ReplicoopError('config_unreadable', `${display}: cannot read: ${(error as Error).message}`, { cause: error });
  }
  return parseConfig(text, absolute, display, env);
}

export function parseConfig(text: string, absolute: string, display: string, env: Env): ResolvedConfig {
  const raw = parseDocument(text, absolute, display);
  const { value, problems, wholeTokenPaths } = interpolateEnv(raw, env);
  const fail = (problems: string[]): never => {
    const lines = problems.map((line) => nameMaskLine(line, (index) => rawMaintainTable(raw, index)));
    throw new ReplicoopError('config_invalid', lines.map((line) => `${display}: ${line}`).join('\n'), {
      details: { file: display, problems: lines },
    });
  };
  if (problems.length > 0) {
    fail(
      problems.map((p) =>
        p.malformed
          ? `${p.path || '/'}: ${p.malformed}`
          : `${p.path}: environment variable ${p.variable} is not set (set it, or write \${${p.variable}:-default})`,
      ),
    );
  }
  const data = coerceWholeTokens(value, wholeTokenPaths);
  const validate = schemaValidator('config');
  if (!validate(data)) fail(formatSchemaErrors(validate.errors ?? []));
  return resolveConfig(data as RawConfig, absolute, display, fail);
}

function parseDocument(text: string, absolute: string, display: string): unknown {
  if (text.trim() === '') throw new ReplicoopError('config_invalid', `${display}: the file is empty`, { details: { file: display } });
  let doc: unknown;
  try {
    doc = absolute.endsWith('.json') ? JSON.parse(text) : load(text, { filename: display });
  } catch (error) {
    const e = error as { mark?: { line: number; column: number }; reason?: string; message: string };
    const where = e.mark ? `line ${e.mark.line + 1}, column ${e.mark.column + 1}: ` : '';
    throw new ReplicoopError('config_syntax', `${display}: ${where}${e.reason ?? e.message.split('\n')[0]}`, {
      cause: error,
      details: { file: display },
    });
  }
  if (doc === null || doc === undefined)
    throw new ReplicoopError('config_invalid', `${display}: the file is empty`, { details: { file: display } });
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new ReplicoopError('config_invalid', `${display}: /: must be a mapping of keys (production, sandbox, maintain, ...)`, {
      details: { file: display },
    });
  }
  return doc;
}

/** A value that was exactly "${VAR}" may stand for a number or a boolean (port: ${DB_PORT}). */
function coerceWholeTokens(value: unknown, paths: ReadonlySet<string>): unknown {
  if (paths.size === 0) return value;
  const schema = JSON.parse(readFileSync(schemaPath('config'), 'utf8')) as SchemaNode;
  const walk = (item: unknown, path: string, node: SchemaNode | undefined): unknown => {
    const resolved = resolveRef(schema, node);
    if (typeof item === 'string' && paths.has(path) && resolved) {
      if (resolved.type === 'integer' && /^-?\d+$/.test(item)) return Number(item);
      if (resolved.type === 'boolean' && (item === 'true' || item === 'false')) return item === 'true';
      return item;
    }
    if (Array.isArray(item))
      return item.map((child, i) => walk(child, `${path}/${i}`, resolved?.items ?? resolved?.anyOf?.find((b) => b.type === 'object')));
    if (item && typeof item === 'object') {
      const out: Record<string, unknown> = {};
      const objectNode = resolved?.anyOf ? resolved.anyOf.find((b) => b.type === 'object') : resolved;
      for (const [key, child] of Object.entries(item)) {
        const childNode =
          objectNode?.properties?.[key] ??
          (typeof objectNode?.additionalProperties === 'object' ? objectNode.additionalProperties : undefined);
        out[key] = walk(child, `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`, childNode);
      }
      return out;
    }
    return item;
  };
  return walk(value, '', schema);
}

interface SchemaNode {
  type?: string | string[];
  $ref?: string;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
  items?: SchemaNode;
  anyOf?: SchemaNode[];
  definitions?: Record<string, SchemaNode>;
}

function resolveRef(root: SchemaNode, node: SchemaNode | undefined): SchemaNode | undefined {
  if (!node?.$ref) return node;
  const name = node.$ref.replace('#/definitions/', '');
  return root.definitions?.[name];
}

type RawMaskRule = null | string | { fixed: string | number | null };

interface RawConfig {
  production: RawConnection;
  sandbox: RawConnection;
  maintain?: (
    | string
    | {
        table: string;
        where?: string;
        mask?: Record<string, RawMaskRule>;
        passthrough?: string[];
        sample?: string | number;
        limit?: number;
        keep?: string;
        copy?: { mode?: 'auto' | 'full' };
      }
  )[];
  ignore?: string[];
  backup?: { dir?: string; keep?: number; scope?: 'plan' | 'full' };
  state?: string;
  logs?: string;
  reports?: string;
  masking?: { secret?: string; require?: string | string[]; newColumns?: 'fail' | 'warn' };
  copy?: {
    concurrency?: number;
    chunkRows?: number;
    method?: 'auto' | 'load-data' | 'insert';
    mode?: 'auto' | 'full';
    deltaThreshold?: number;
  };
  definers?: 'current_user' | 'keep';
  renames?: Record<string, string | Record<string, string>>;
  unknown?: Partial<Record<'tables' | 'views' | 'triggers' | 'routines' | 'events', 'error' | 'skip'>>;
  apply?: { onFailure?: 'keep' | 'rollback'; validate?: boolean };
  subset?: { follow?: 'children' | 'parents'; relations?: Record<string, 'children' | 'parents'> };
}

function resolveConfig(raw: RawConfig, absolute: string, display: string, fail: (lines: string[]) => never): ResolvedConfig {
  const base = dirname(absolute);
  const problems: string[] = [];
  const production = resolveConnection('production', raw.production, base, problems);
  const sandbox = resolveConnection('sandbox', raw.sandbox, base, problems);

  const ignore = raw.ignore ?? [];
  ignore.forEach((pattern, index) => {
    const problem = globProblem(pattern);
    if (problem) problems.push(`/ignore/${index}: "${pattern}" is not a valid glob: it ${problem}`);
  });
  const isIgnored = ignore.every((p) => globProblem(p) === null) ? compileGlobs(ignore) : () => false;

  const maintain: MaintainTable[] = [];
  const seen = new Map<string, number>();
  let needsSecret = false;
  (raw.maintain ?? []).forEach((entry, index) => {
    const path = typeof entry === 'string' ? `/maintain/${index}` : `/maintain/${index}/table`;
    const table = typeof entry === 'string' ? entry : entry.table;
    const nameProblem = identifierProblem(table);
    if (nameProblem) {
      problems.push(`${path}: "${table}" is not a valid table name: it ${nameProblem}`);
      return;
    }
    const key = table.toLowerCase();
    if (seen.has(key)) {
      problems.push(`${path}: table "${table}" is listed twice (also /maintain/${seen.get(key)})`);
      return;
    }
    seen.set(key, index);
    if (isIgnored(table)) problems.push(`${path}: table "${table}" is both maintained and ignored (matched by an ignore pattern)`);
    let where: string | null = null;
    const mask: Record<string, MaskRule> = {};
    if (typeof entry !== 'string') {
      if (entry.where !== undefined) {
        if (entry.where.trim() === '') problems.push(`/maintain/${index}/where: is empty (remove it to copy every row)`);
        else {
          const problem = whereProblem(entry.where);
          if (problem) problems.push(`/maintain/${index}/where: must be one SQL expression: it ${problem}`);
          else where = entry.where.trim();
        }
      }
      for (const column of Object.keys(entry.mask ?? {}).sort()) {
        const columnProblem = identifierProblem(column);
        if (columnProblem) {
          problems.push(`/maintain/${index}/mask/${column}: "${column}" is not a valid column name: it ${columnProblem}`);
          continue;
        }
        const rule = toMaskRule(entry.mask![column]!);
        if (rule.kind !== 'null' && rule.kind !== 'fixed') needsSecret = true;
        mask[column] = rule;
      }
    }
    const passthrough: string[] = [];
    if (typeof entry !== 'string') {
      for (const [i, column] of (entry.passthrough ?? []).entries()) {
        const columnProblem = identifierProblem(column);
        if (columnProblem)
          problems.push(`/maintain/${index}/passthrough/${i}: "${column}" is not a valid column name: it ${columnProblem}`);
        else if (mask[column] !== undefined)
          problems.push(`/maintain/${index}/passthrough/${i}: column "${column}" is also masked (mask/${column}); keep one of the two`);
        else if (!passthrough.includes(column)) passthrough.push(column);
      }
    }
    passthrough.sort();
    let sample: number | undefined;
    if (typeof entry !== 'string' && entry.sample !== undefined) {
      const m = /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/.exec(String(entry.sample));
      const value = m ? Number(m[1]) : Number.NaN;
      if (!(value > 0 && value <= 100))
        problems.push(`/maintain/${index}/sample: must be a percentage above 0 and at most 100, e.g. "10%"`);
      else if (value < 100) sample = value;
    }
    const limit = typeof entry === 'string' ? undefined : entry.limit;
    let keep: string | undefined;
    if (typeof entry !== 'string' && entry.keep !== undefined) {
      const problem = entry.keep.trim() === '' ? 'is empty' : whereProblem(entry.keep);
      if (problem) problems.push(`/maintain/${index}/keep: must be one SQL expression: it ${problem}`);
      else keep = entry.keep.trim();
    }
    maintain.push(
      Object.freeze({
        table,
        where,
        mask: Object.freeze(mask),
        ...(passthrough.length > 0 ? { passthrough: Object.freeze(passthrough) } : {}),
        ...(sample !== undefined ? { sample } : {}),
        ...(limit !== undefined ? { limit } : {}),
        ...(keep !== undefined ? { keep } : {}),
        ...(typeof entry !== 'string' && entry.copy?.mode !== undefined ? { copyMode: entry.copy.mode } : {}),
      }),
    );
  });

  const secret = raw.masking?.secret ?? null;
  if (needsSecret && (!secret || secret.length < 8)) {
    problems.push(
      `/masking/secret: ${secret ? 'must be at least 8 characters' : 'is required when a mask rule other than null/fixed is used'} (e.g. secret: \${REPLICOOP_MASK_SECRET})`,
    );
  }
  registerSecret(secret);
  const rawRequire = raw.masking?.require;
  const require = rawRequire === undefined ? null : typeof rawRequire === 'string' ? [rawRequire] : [...rawRequire];
  (require ?? []).forEach((pattern, i) => {
    if (pattern === 'default') return;
    const problem = globProblem(pattern);
    if (problem)
      problems.push(`/masking/require${typeof rawRequire === 'string' ? '' : `/${i}`}: "${pattern}" is not a valid glob: it ${problem}`);
  });

  const renames = resolveRenames(raw.renames ?? {}, problems);

  if (production && sandbox) {
    const same = sameDatabase(production, sandbox);
    if (same) problems.push(`/sandbox: points at the production database (${same}); refusing to use production as the sandbox`);
  }
  if (problems.length > 0 || !production || !sandbox) fail(problems);

  const within = (path: string | undefined, fallback: string): string => resolve(base, path ?? fallback);
  return Object.freeze({
    file: absolute,
    displayFile: display,
    production: production!,
    sandbox: sandbox!,
    maintain: Object.freeze(maintain),
    ignore: Object.freeze([...ignore]),
    backup: Object.freeze({ dir: within(raw.backup?.dir, './backups'), keep: raw.backup?.keep ?? 5, scope: raw.backup?.scope ?? 'plan' }),
    statePath: within(raw.state, './.replicoop/state.db'),
    logsDir: within(raw.logs, './logs'),
    reportsDir: within(raw.reports, './reports'),
    masking: Object.freeze({
      secret,
      require: require === null ? null : Object.freeze(require),
      newColumns: raw.masking?.newColumns ?? (require === null ? 'warn' : 'fail'),
    }),
    copy: Object.freeze({
      concurrency: raw.copy?.concurrency ?? 2,
      chunkRows: raw.copy?.chunkRows ?? 20_000,
      deltaThreshold: raw.copy?.deltaThreshold ?? DEFAULT_DELTA_THRESHOLD,
      method: raw.copy?.method ?? 'auto',
      mode: raw.copy?.mode ?? 'auto',
    }),
    definers: raw.definers ?? 'current_user',
    renames,
    unknown: Object.freeze({ ...(raw.unknown ?? {}) }),
    apply: Object.freeze({ onFailure: raw.apply?.onFailure ?? 'keep', validate: raw.apply?.validate ?? true }),
    subset: resolveSubset(raw.subset),
  });
}

/** renames: a string value renames a table, an object renames columns of a (production) table. */
function resolveRenames(raw: Record<string, string | Record<string, string>>, problems: string[]): Renames {
  const tables: Record<string, string> = {};
  const columns: Record<string, Record<string, string>> = {};
  const name = (path: string, value: string, what: string): boolean => {
    const problem = identifierProblem(value);
    if (problem) problems.push(`${path}: "${value}" is not a valid ${what} name: it ${problem}`);
    return problem === null;
  };
  for (const key of Object.keys(raw).sort()) {
    const value = raw[key]!;
    const path = `/renames/${key}`;
    if (!name(path, key, 'table')) continue;
    if (typeof value === 'string') {
      if (!name(path, value, 'table')) continue;
      if (value === key) problems.push(`${path}: renames the table to its own name`);
      else tables[key] = value;
      continue;
    }
    const map: Record<string, string> = {};
    const targets = new Map<string, string>();
    for (const old of Object.keys(value).sort()) {
      const target = value[old]!;
      if (!name(`${path}/${old}`, old, 'column') || !name(`${path}/${old}`, target, 'column')) continue;
      if (target === old) problems.push(`${path}/${old}: renames the column to its own name`);
      else if (targets.has(target.toLowerCase()))
        problems.push(`${path}/${old}: column "${target}" is also the new name of ${targets.get(target.toLowerCase())}`);
      else {
        targets.set(target.toLowerCase(), old);
        map[old] = target;
      }
    }
    if (Object.keys(map).length > 0) columns[key] = Object.freeze(map);
  }
  const newNames = new Map<string, string>();
  for (const [old, target] of Object.entries(tables)) {
    if (newNames.has(target.toLowerCase()))
      problems.push(`/renames/${old}: table "${target}" is also the new name of ${newNames.get(target.toLowerCase())}`);
    newNames.set(target.toLowerCase(), old);
    if (tables[target] !== undefined)
      problems.push(`/renames/${old}: "${target}" is itself renamed (/renames/${target}); chains are not supported`);
  }
  return Object.freeze({ tables: Object.freeze(tables), columns: Object.freeze(columns) });
}

function resolveSubset(raw: RawConfig['subset']): SubsetConfig {
  const relations: Record<string, SubsetFollow> = {};
  for (const key of Object.keys(raw?.relations ?? {}).sort()) relations[key] = raw!.relations![key]!;
  return Object.freeze({ follow: raw?.follow ?? 'children', relations: Object.freeze(relations) });
}

function toMaskRule(raw: RawMaskRule): MaskRule {
  if (raw === null || raw === 'null') return { kind: 'null' };
  if (typeof raw === 'string') return { kind: raw as 'email' | 'name' | 'phone' | 'hash' | 'redact' };
  return { kind: 'fixed', value: raw.fixed };
}

/** Why a string cannot be a MySQL/MariaDB table or column name, or null when it can. */
export function identifierProblem(name: string): string | null {
  if (name.length === 0) return 'is empty';
  if (name.length > 64) return 'is longer than 64 characters';
  if (/\s$/.test(name)) return 'ends with a space';
  if (name.includes('\0')) return 'contains a NUL character';
  if (/[*?[\]]/.test(name)) return 'contains glob characters (maintain takes exact table names)';
  if (name.includes('.')) return 'contains "." (name the table alone; the database comes from production.database)';
  return null;
}

function displayPath(absolute: string, cwd: string): string {
  const rel = relative(cwd, absolute);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : absolute;
}
