import type { MaintainTable } from '../config/types.js';
import type { Change } from '../diff/changes.js';
import { diffSnapshots } from '../diff/diff-snapshots.js';
import { renameHints } from '../diff/rename-hints.js';
import { chooseChunkKey } from '../snapshot/chunk-key.js';
import { deltaRefusal } from '../mask/mask-compare.js';
import { renderRules } from '../snapshot/dialect.js';
import { canonicalJson, sha256 } from '../hash.js';
import { snapshotFingerprint } from '../snapshot/fingerprint.js';
import { forSandboxFlavor } from '../snapshot/for-flavor.js';
import type { Snapshot } from '../snapshot/model.js';
import { versionParts } from '../sql/server-info.js';
import type { DraftStep, StepInput } from './draft-step.js';
import type { Plan, PlanSettings, PlanStep, PlanSummary, ServerIdentity } from './plan-types.js';
import { PLAN_FORMAT_VERSION } from './plan-types.js';
import { postSteps } from './post-steps.js';
import type { DdlContext } from './render-ddl.js';
import { structureSteps } from './structure-steps.js';
import type { SubsetResult, TableSubset } from './subset.js';
import { topoSort } from './topo-sort.js';
import { resolveUnknown } from './unknown-policy.js';

export interface PlanInput {
  readonly production: Snapshot;
  readonly sandbox: Snapshot;
  readonly source: ServerIdentity;
  readonly target: ServerIdentity;
  readonly settings: PlanSettings;
  /** Rows each maintain table will copy (counted at plan time, with its filter). */
  readonly rowCounts: Readonly<Record<string, number>>;
  /** The foreign-key closure of the maintain filters (plan/subset.ts); absent: the user's where as is. */
  readonly subset?: SubsetResult | null;
  /** Columns of maintained tables new in production since the last applied plan, unmasked (masking.newColumns: warn). */
  readonly newUnmaskedColumns?: readonly { readonly table: string; readonly column: string }[];
  /** maintain[].keep: sandbox rows kept and deleted per table (counted at plan time). */
  readonly keepCounts?: Readonly<Record<string, { readonly kept: number; readonly deleted: number }>>;
  /** copy.mode (absent: auto). */
  readonly copyMode?: 'auto' | 'full';
  readonly replicoopVersion: string;
  readonly createdAt: string;
}

/**
 * Pure: two snapshots and the settings in, an ordered plan out. Phases follow the original
 * design (ARCHITECTURE.md: phases): structure (FK-dependency ordered), data for maintain tables
 * (parents first), then post-steps (foreign keys re-added, routines, views, triggers, events).
 */
export function buildPlan(input: PlanInput): Plan {
  const { sandbox, settings } = input;
  const context: DdlContext = {
    rules: renderRules(input.target.flavor, ...versionParts(input.target.version)),
    definers: settings.definers,
  };
  // Unknown objects (an account cannot read them) fail the plan here unless their class is skipped.
  const untouched = resolveUnknown(input.production, sandbox, settings.unknown);
  // Production as the sandbox's flavor can hold it (MySQL 8 collations on a MariaDB sandbox): what
  // the steps are built from; the plan keeps production's own snapshot (its fingerprint is checked).
  const cross = forSandboxFlavor(input.production, sandbox.flavor, sandbox.serverVersion);
  const changes = diffSnapshots(sandbox, cross.snapshot, {
    definers: settings.definers,
    ...(settings.renames ? { renames: settings.renames } : {}),
  });
  const production = cross.snapshot;
  const steps = planSteps(changes, production, sandbox, settings.maintain, context, input);
  const numbered: PlanStep[] = steps.map((step, index) => ({ id: stepId(index, step), ...step }));
  const hints = renameHints(changes);
  const summary = {
    ...summarise(changes, numbered, production, settings.maintain),
    ...(untouched.length > 0 ? { untouched } : {}),
    ...(hints.length > 0 ? { hints } : {}),
    ...(cross.warnings.length > 0 ? { warnings: cross.warnings } : {}),
  };
  const fingerprints = { production: snapshotFingerprint(input.production), sandbox: snapshotFingerprint(sandbox) };
  const body = {
    formatVersion: PLAN_FORMAT_VERSION,
    replicoopVersion: input.replicoopVersion,
    createdAt: input.createdAt,
    source: input.source,
    target: input.target,
    fingerprints,
    settings,
    summary,
    steps: numbered,
    snapshots: { production: input.production, sandbox },
  };
  return { ...body, checksum: planChecksum(body) };
}

/** The checksum covers what apply executes; the snapshots are covered by their fingerprints. */
export function planChecksum(plan: Pick<Plan, 'formatVersion' | 'source' | 'target' | 'fingerprints' | 'settings' | 'steps'>): string {
  return sha256(
    canonicalJson({
      formatVersion: plan.formatVersion,
      source: plan.source,
      target: plan.target,
      fingerprints: plan.fingerprints,
      settings: plan.settings,
      steps: plan.steps,
    }),
  );
}

function stepId(index: number, step: DraftStep): string {
  const slug =
    step.object
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 48) || 'object';
  return `${String(index + 1).padStart(4, '0')}-${step.kind.replace(/_/g, '-')}-${slug}`;
}

function planSteps(
  changes: readonly Change[],
  production: Snapshot,
  sandbox: Snapshot,
  maintain: readonly MaintainTable[],
  context: DdlContext,
  data: DataInput,
): DraftStep[] {
  const input: StepInput = {
    changes,
    production,
    sandbox,
    maintainNames: new Set(maintain.map((m) => m.table)),
    keptNames: new Set(maintain.filter((m) => m.keep !== undefined).map((m) => m.table)),
    context,
  };
  const structure = structureSteps(input);
  // A table whose definition this plan changes is copied in full: its sandbox rows are not comparable yet.
  const changed = new Set(structure.steps.filter((s) => s.objectType === 'table').map((s) => s.object));
  return [
    ...structure.steps,
    ...dataSteps(production, maintain, data, changed),
    ...postSteps(input, structure.deferred, structure.droppedTriggers),
  ];
}

/** Data: every maintain table, on every plan, parents before children. */
/** What the data steps need beyond the snapshots: counts, the subset closure, masking and keep facts. */
type DataInput = Pick<PlanInput, 'rowCounts' | 'subset' | 'newUnmaskedColumns' | 'keepCounts' | 'copyMode'>;

function dataSteps(production: Snapshot, maintain: readonly MaintainTable[], input: DataInput, changed: ReadonlySet<string>): DraftStep[] {
  const prodTables = new Map(production.tables.map((t) => [t.name, t]));
  const maintainByName = new Map(maintain.map((m) => [m.table, m]));
  const subset = input.subset ?? null;
  const dataOrder = topoSort(
    maintain.map((m) => m.table).filter((n) => prodTables.has(n)),
    (name) =>
      prodTables
        .get(name)!
        .foreignKeys.filter((fk) => fk.referencedSchema === null)
        .map((fk) => fk.referencedTable),
  );
  return dataOrder.map((name) => {
    const table = prodTables.get(name)!;
    const entry = maintainByName.get(name)!;
    const key = chooseChunkKey(table);
    const rows = input.rowCounts[name] ?? 0;
    const shaped = subset?.active ? subset.tables[name] : undefined;
    const where = shaped ? shaped.where : entry.where;
    const cut = subset ? subset.relations.filter((r) => r.table === name && r.mode === 'cut').map((r) => r.id) : [];
    const fresh = (input.newUnmaskedColumns ?? []).filter((c) => c.table === name).map((c) => c.column);
    const keep = input.keepCounts?.[name];
    const mode = copyMode(entry, key, changed.has(name), input.copyMode ?? 'auto', rows);
    return {
      phase: 'data',
      kind: 'copy_table',
      objectType: 'table',
      object: name,
      sql: [],
      destructive: false,
      reason: `refresh the rows of ${name} from production${subsetReason(entry.where, shaped)}${key ? `, chunked on ${key.join(', ')}` : ', in one pass (no usable key)'}; ${mode.mode === 'delta' ? 'delta' : 'full'} copy: ${mode.reason}`,
      schemaChange: false,
      expect: null,
      data: {
        table: name,
        key,
        where,
        estimatedRows: rows,
        maskedColumns: Object.entries(entry.mask).map(([column, rule]) => ({
          column,
          rule: rule.kind === 'fixed' ? `fixed:${JSON.stringify(rule.value)}` : rule.kind,
        })),
        ...(entry.passthrough && entry.passthrough.length > 0 ? { passthroughColumns: entry.passthrough } : {}),
        ...(fresh.length > 0 ? { newUnmaskedColumns: fresh } : {}),
        ...(entry.keep ? { keep: { where: entry.keep, keptRows: keep?.kept ?? 0, deletedRows: keep?.deleted ?? 0 } } : {}),
        ...(shaped && (shaped.where !== null || cut.length > 0)
          ? {
              subset: {
                userWhere: shaped.userWhere,
                restrictedBy: shaped.restrictedBy,
                pulledBy: shaped.pulledBy,
                selfClosure: shaped.selfClosure,
                cut,
              },
            }
          : {}),
        mode: mode.mode,
        modeReason: mode.reason,
      },
    };
  });
}

/** delta where the sandbox's rows can be compared with production's (see copy/delta-copy.ts), else full, with why. */
function copyMode(
  entry: MaintainTable,
  key: readonly string[] | null,
  changed: boolean,
  global: 'auto' | 'full',
  rows: number,
): { mode: 'delta' | 'full'; reason: string } {
  if (entry.copyMode === 'full') return { mode: 'full', reason: 'maintain copy.mode is full' };
  if (entry.copyMode !== 'auto' && global === 'full') return { mode: 'full', reason: 'copy.mode is full' };
  if (changed) return { mode: 'full', reason: 'this plan changes the table definition' };
  const refusal = deltaRefusal(key, entry.mask);
  if (refusal !== null) return { mode: 'full', reason: refusal };
  return {
    mode: 'delta',
    reason: `compares ${rows.toLocaleString('en-US')} production rows with the sandbox by key-range checksums and writes only the differences (a full copy if a probe finds most rows different)`,
  };
}

function subsetReason(userWhere: string | null, shaped: TableSubset | undefined): string {
  if (!shaped || shaped.where === null) return userWhere ? ` (rows where ${userWhere})` : '';
  const parts: string[] = [];
  if (shaped.userWhere) parts.push(`where ${shaped.userWhere}`);
  if (shaped.restrictedBy.length > 0) parts.push(`only rows whose parents are copied (${shaped.restrictedBy.join(', ')})`);
  if (shaped.pulledBy.length > 0) parts.push(`plus rows referenced by copied rows (${shaped.pulledBy.join(', ')})`);
  if (shaped.selfClosure.length > 0) parts.push(`plus their ancestors (${shaped.selfClosure.join(', ')})`);
  return ` (subset: ${parts.join('; ')})`;
}

function summarise(
  changes: readonly Change[],
  steps: readonly PlanStep[],
  production: Snapshot,
  maintain: readonly MaintainTable[],
): PlanSummary {
  const count = (kind: Change['kind']): number => changes.filter((c) => c.kind === kind).length;
  const maintained = maintain.filter((m) => production.tables.some((t) => t.name === m.table)).length;
  return {
    tablesCreated: count('create_table'),
    tablesAltered: count('alter_table'),
    tablesDropped: count('drop_table'),
    tablesRecreated: steps.filter((s) => s.kind === 'recreate_table').length,
    otherObjectsChanged: changes.filter((c) => !c.kind.endsWith('_table') && c.kind !== 'unsupported_object').length,
    maintainTables: maintained,
    structureOnlyTables: production.tables.length - maintained,
    destructiveSteps: steps.filter((s) => s.destructive).length,
    schemaChangeSteps: steps.filter((s) => s.schemaChange).length,
    dataSteps: steps.filter((s) => s.kind === 'copy_table').length,
    estimatedRowsToCopy: steps.reduce((sum, s) => sum + (s.data?.estimatedRows ?? 0), 0),
    unsupported: [
      ...changes
        .filter(
          (c): c is Extract<Change, { kind: 'unsupported_table' | 'unsupported_object' }> =>
            c.kind === 'unsupported_table' || c.kind === 'unsupported_object',
        )
        // Left alone: a re-created table got its DDL.
        .filter((c) => !(c.kind === 'unsupported_table' && steps.some((s) => s.kind === 'recreate_table' && s.object === c.name)))
        .map((c) => ({ kind: c.kind === 'unsupported_table' ? 'table' : c.objectKind, name: c.name, reason: c.detail })),
    ],
  };
}
