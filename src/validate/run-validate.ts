/**
 * `replicoop validate`: prove the sandbox matches production. Reads both sides, runs the checks
 * (one file each) and returns plain data; printing, report files and exit codes are cli/'s.
 *
 * 1. structure  (structure-check.ts): both schemas re-read with the engine plan uses; the diff
 *    must be empty.
 * 2. data       (data-checksum.ts): the maintain tables, chunked checksums on both servers.
 * 3. integrity  (orphan-check.ts): orphan rows of every foreign key in the sandbox.
 * 4. plan       (plan-check.ts, with a plan): the sandbox against the reviewed production
 *    snapshot, and whether production drifted since.
 * Failures make `passed` false; warnings do too with `strict`.
 */
import type { ConnectionTarget } from '../config/connection-target.js';
import type { ResolvedConfig } from '../config/types.js';
import { closeAll, openSessions } from '../db/open-sessions.js';
import type { Queryable, RetryPolicy } from '../db/session.js';
import { DEFAULT_RETRY } from '../db/session.js';
import type { ServerInfo } from '../sql/server-info.js';
import { ReplicoopError } from '../errors.js';
import { readSnapshot } from '../introspect/read-snapshot.js';
import { checkPlanIdentity, serverIdentity } from '../plan/plan-identity.js';
import type { Plan } from '../plan/plan-types.js';
import { closeSubset } from '../plan/run-subset-closure.js';
import type { Snapshot } from '../snapshot/model.js';
import { checkData } from './data-checksum.js';
import { checkOrphans } from './orphan-check.js';
import { checkPlan } from './plan-check.js';
import { compareStructure } from './structure-check.js';
import type { DataProgress } from './table-context.js';
import { type ServerSide, type StructureDifference, type ValidationResult, unreadableLine } from './validation-result.js';
import { throwIfStopped, WorkPool } from './work-pool.js';
import { unknownClass } from '../plan/unknown-policy.js';

/**
 * Rows per checksum chunk: ~0.03 s of server time each (0.6 s per million rows measured), few
 * enough round trips to be negligible, and a differing chunk needs only one round of 16 parts
 * before its rows are compared one by one.
 */
export const DEFAULT_CHUNK_ROWS = 50_000;

export interface ValidateProgress {
  readonly stage: 'connect' | 'structure' | 'data' | 'integrity';
  readonly text: string;
  /** With stage data: the table being checksummed (chunks and rows done so far), for a progress board. */
  readonly table?: DataProgress;
  /** With stage data: how many tables the data checks cover. */
  readonly tablesTotal?: number;
}

export interface ValidateOptions {
  readonly config: ResolvedConfig;
  /** With a plan: also compare with its reviewed production snapshot (check 4). */
  readonly plan?: Plan | null;
  /** Limit the data checks (and the foreign keys checked) to these maintain tables. */
  readonly tables?: readonly string[] | null;
  /** Warnings fail too. */
  readonly strict: boolean;
  /**
   * Maintain tables apply's delta copy just compared with production range by range and left
   * equal: their data is not checksummed again (structure and foreign keys still are).
   */
  readonly proven?: readonly string[];
  /** Session pairs working in parallel (default: config copy.concurrency). */
  readonly concurrency?: number;
  readonly chunkRows?: number;
  readonly retry?: RetryPolicy;
  readonly onProgress?: (progress: ValidateProgress) => void;
  /** Once aborted (apply's Ctrl-C), the validation stops at its next statement with an 'interrupted' error. */
  readonly signal?: AbortSignal;
}

export async function runValidate(options: ValidateOptions): Promise<ValidationResult> {
  const { config, strict } = options;
  const started = new Date();
  const plan = options.plan ?? null;
  const progress = options.onProgress ?? (() => undefined);
  const proven = new Set(options.proven ?? []);
  const maintain = selectTables(config, options.tables ?? null).filter((m) => !proven.has(m.table));
  const concurrency = Math.max(1, options.concurrency ?? config.copy.concurrency);
  const chunkRows = Math.max(1, options.chunkRows ?? DEFAULT_CHUNK_ROWS);

  progress({ stage: 'connect', text: 'connecting to production and sandbox' });
  throwIfStopped(options.signal);
  const retry = options.retry ?? DEFAULT_RETRY;
  const sessions = await openSessions(config, retry);
  let pool: WorkPool | null = null;
  try {
    if (plan) {
      checkPlanIdentity(
        plan,
        { serverId: sessions.production.server.serverId, database: config.production.database },
        { serverId: sessions.sandbox.server.serverId, database: config.sandbox.database },
        'the plan',
      );
    }
    pool = await WorkPool.open(config, concurrency, options.signal, retry);
    const workers = pool;

    progress({ stage: 'structure', text: 'reading both schemas' });
    // One side after the other, as plan reads them: a MariaDB 10.11.19 server once crashed (signal
    // 11 freeing an information_schema temporary table) while both sides, two databases of one
    // server, were introspected at the same time; the time saved is a fraction of a second.
    const productionSnapshot = await readSnapshot(sessions.production, {
      ignore: config.ignore,
      extraSessions: workers.sessions('production'),
    });
    throwIfStopped(options.signal);
    const sandboxSnapshot = await readSnapshot(sessions.sandbox, { ignore: config.ignore, extraSessions: workers.sessions('sandbox') });
    throwIfStopped(options.signal);
    const compared = compareStructure(sandboxSnapshot, productionSnapshot, { definers: config.definers });
    const structure = {
      ...compared,
      unreadable: (compared.unreadable ?? []).map((u) => ({ ...u, fails: config.unknown[unknownClass(u.objectType)] !== 'skip' })),
    };
    const planResult = plan ? checkPlan(plan, sandboxSnapshot, productionSnapshot, config) : null;
    // A subset refresh copies each table under its closure filter: compare and count under it too.
    const filters = await effectiveFilters(config, productionSnapshot, plan, [sessions.production, ...workers.sessions('production')]);
    const withFilters = (entries: ResolvedConfig['maintain']): ResolvedConfig['maintain'] =>
      entries.map((m) => (filters.has(m.table) ? { ...m, where: filters.get(m.table)! } : m));

    await workers.rawResults();
    const dataStarted = performance.now();
    progress({
      stage: 'data',
      text: `checksumming ${maintain.length} maintain table${maintain.length === 1 ? '' : 's'}`,
      tablesTotal: maintain.length,
    });
    const [tables, orphans] = await Promise.all([
      checkData({
        pool: workers,
        production: productionSnapshot,
        sandbox: sandboxSnapshot,
        maintain: withFilters(maintain),
        maskSecret: config.masking.secret,
        chunkRows,
        onProgress: (p) =>
          progress({
            stage: 'data',
            text: `checksumming ${p.table} (${p.chunksDone}/${p.chunksTotal} chunks)`,
            table: p,
            tablesTotal: maintain.length,
          }),
      }),
      checkOrphans({ pool: workers, sandbox: sandboxSnapshot, maintain: withFilters(config.maintain), tables: options.tables ?? null }),
    ]);
    const dataSeconds = (performance.now() - dataStarted) / 1000;

    const failures: string[] = [];
    const warnings: string[] = [];
    if (structure.differences.length > 0)
      failures.push(
        `structure: ${describeObjects(structure.differences)} differ${structure.differences.length === 1 ? 's' : ''} from production`,
      );
    for (const u of structure.uncomparable) warnings.push(`structure: ${u.objectType} ${u.name} cannot be compared (${u.reason})`);
    // Unknown, never absent: an object an account cannot read is not proven equal. Unless the
    // config leaves its class alone (unknown: { <class>: skip }), that fails the validation.
    for (const u of structure.unreadable ?? []) (u.fails ? failures : warnings).push(`structure: ${unreadableLine(u)}`);
    for (const t of tables) {
      if (t.status === 'not_compared') failures.push(`data: ${t.table} was not compared: ${t.reason}`);
      else if (t.status === 'differ') failures.push(`data: ${t.table} differs (${describeTable(t)})`);
    }
    for (const o of orphans.findings) {
      const line = `integrity: ${o.orphanRows.toLocaleString('en-US')} row${o.orphanRows === 1 ? '' : 's'} of ${o.table} point${o.orphanRows === 1 ? 's' : ''} at no ${o.referencedTable} row (foreign key ${o.foreignKey})`;
      (o.severity === 'error' ? failures : warnings).push(line);
    }
    if (planResult) {
      if (!planResult.sandboxMatchesReviewed)
        failures.push(
          `plan: the sandbox does not match the production schema reviewed in the plan (${describeObjects(planResult.reviewedDifferences)})`,
        );
      if (planResult.productionDrifted) {
        warnings.push(
          `plan: production changed since the plan was made${planResult.driftDifferences.length > 0 ? ` (${describeObjects(planResult.driftDifferences)})` : ''}; run replicoop plan again`,
        );
      }
    }
    const finished = new Date();
    return {
      passed: failures.length === 0 && (!strict || warnings.length === 0),
      strict,
      startedAt: started.toISOString(),
      finishedAt: finished.toISOString(),
      seconds: (finished.getTime() - started.getTime()) / 1000,
      production: serverSide(config.production, sessions.production.server),
      sandbox: serverSide(config.sandbox, sessions.sandbox.server),
      structure,
      data: { tables, seconds: dataSeconds, concurrency, chunkRows, ...(proven.size > 0 ? { provenByDeltaCopy: [...proven].sort() } : {}) },
      orphans,
      plan: planResult,
      failures,
      warnings,
    };
  } finally {
    await closeAll([sessions.production, sessions.sandbox]);
    await pool?.close();
  }
}

/** Per maintain table, the filter its rows were copied under: the plan's data steps, else the closure of the config's filters. */
async function effectiveFilters(
  config: ResolvedConfig,
  production: Snapshot,
  plan: Plan | null,
  readers: readonly Queryable[],
): Promise<Map<string, string | null>> {
  const out = new Map<string, string | null>();
  if (plan) {
    for (const step of plan.steps) if (step.data) out.set(step.data.table, step.data.where);
    return out;
  }
  const subset = await closeSubset(config, production, readers);
  if (subset.active) for (const t of Object.values(subset.tables)) out.set(t.table, t.where);
  return out;
}

/** --tables names maintain tables; anything else is a usage error, not a silent no-op. */
function selectTables(config: ResolvedConfig, tables: readonly string[] | null): ResolvedConfig['maintain'] {
  if (tables === null) return config.maintain;
  const unknown = tables.filter((name) => !config.maintain.some((m) => m.table === name));
  if (unknown.length > 0) {
    throw new ReplicoopError(
      'validate_unknown_table',
      `--tables: ${unknown.join(', ')} ${unknown.length === 1 ? 'is not a maintain table' : 'are not maintain tables'} in ${config.displayFile} (maintain: ${config.maintain.map((m) => m.table).join(', ') || 'none'})`,
      { details: { unknown } },
    );
  }
  return config.maintain.filter((m) => tables.includes(m.table));
}

function serverSide(target: ConnectionTarget, server: ServerInfo): ServerSide {
  const { serverId: _serverId, ...side } = serverIdentity(target, server);
  return side;
}

function describeObjects(differences: readonly StructureDifference[]): string {
  const names = differences.slice(0, 5).map((d) => `${d.objectType} ${d.name}`);
  return `${names.join(', ')}${differences.length > 5 ? ` and ${differences.length - 5} more` : ''}`;
}

function describeTable(t: ValidationResult['data']['tables'][number]): string {
  const parts: string[] = [];
  if (t.productionRows !== t.sandboxRows)
    parts.push(`${t.productionRows.toLocaleString('en-US')} rows in production, ${t.sandboxRows.toLocaleString('en-US')} in the sandbox`);
  const plus = t.drillComplete ? '' : '+';
  if (t.missing.count > 0) parts.push(`${t.missing.count}${plus} missing`);
  if (t.extra.count > 0) parts.push(`${t.extra.count}${plus} extra`);
  if (t.different.count > 0) parts.push(`${t.different.count}${plus} different`);
  for (const m of t.masked) if (!m.passed) parts.push(`masked column ${m.column} (${m.rule}) wrong`);
  if (parts.length === 0) parts.push(`${t.differingChunks} chunk${t.differingChunks === 1 ? '' : 's'} differ`);
  return parts.join(', ');
}
